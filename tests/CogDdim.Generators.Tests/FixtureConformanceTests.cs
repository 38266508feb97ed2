using CogDdim.Conformance;
using CogDdim.Fixtures;
using CogDdim.Generated;
using static CogDdim.Generators.Tests.GeneratorHarness;

namespace CogDdim.Generators.Tests;

/// <summary>
/// Every committed fixture suite, through the variant generated at compile time from that suite's own file (this
/// test assembly compiles one in per fixture), at 0 ULP in every dtype and with every recorded error.
/// </summary>
public sealed class FixtureConformanceTests
{
    public static TheoryData<string> Suites()
    {
        var data = new TheoryData<string>();
        foreach (var file in FixtureReader.FindFiles(Path.Combine(RepositoryRoot(), "fixtures")))
        {
            data.Add(Path.GetRelativePath(RepositoryRoot(), file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void GeneratedVariant_ReproducesTheSuite(string relativePath)
    {
        var suite = FixtureReader.ReadFile(Path.Combine(RepositoryRoot(), relativePath));
        var result = new ConformanceRunner(GeneratedSchedulers.Backend).Run(suite);
        Assert.NotEmpty(result.Cases);
        Assert.Empty(result.Cases.Where(c => !c.Passed).Select(c => c.Describe()));
        Assert.All(result.ByDType(), d => Assert.Equal(0UL, d.WorstUlp));
    }

    [Fact]
    public void OneVariantPerFixtureFile()
    {
        Assert.Equal(Suites().Count, GeneratedSchedulers.All.Count(v => v.Name.StartsWith("CogDdim.Generators.Tests.Fixtures.", StringComparison.Ordinal)));
    }

    [Fact]
    public void AConfigWithoutAVariant_FailsWithAClearMessage()
    {
        var suite = FixtureReader.ReadFile(Path.Combine(RepositoryRoot(), "fixtures", "diffusers-0.37.0", "torch-2.6-cpu", "cogvideox-5b.json"));
        var other = suite with { Config = suite.Config with { NumTrainTimesteps = 999 } };
        var result = new ConformanceRunner(GeneratedSchedulers.Backend).Run(other);
        var failure = Assert.Single(result.Cases).Failure;
        Assert.Contains("for this config under the torch2-cpu profile", failure, StringComparison.Ordinal);
    }
}
