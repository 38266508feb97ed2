using CogDdim.Backends;
using CogDdim.Fixtures;
using CogDdim.Simd;
using Xunit.Abstractions;

namespace CogDdim.Conformance.Simd;

/// <summary>Every committed fixture suite (both sets), through the simd backend, at 0 ULP.</summary>
public sealed class SimdFixtureTests(ITestOutputHelper output)
{
    public static TheoryData<string> Suites()
    {
        var data = new TheoryData<string>();
        foreach (var file in FixtureReader.FindFiles(TestFixtures.FixturesFolder))
        {
            data.Add(Path.GetRelativePath(TestFixtures.FixturesFolder, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void Every_case_passes_at_zero_ulp(string suiteFile)
    {
        output.WriteLine(VectorWidths.Describe());
        var suite = FixtureReader.ReadFile(Path.Combine(TestFixtures.FixturesFolder, suiteFile));
        var result = new ConformanceRunner(SimdBackend.Instance).Run(suite);
        var failures = result.Cases.Where(c => !c.Passed).Select(c => c.Describe()).Take(5).ToList();
        Assert.True(failures.Count == 0, $"{result.Failed} of {result.Cases.Count} cases failed in {suiteFile}:\n{string.Join("\n", failures)}");
        Assert.All(result.Cases, c => Assert.Equal(0UL, c.WorstUlp));
        Assert.NotEmpty(result.Cases);
        output.WriteLine($"{suiteFile}: {result.Cases.Count} cases, 0 ULP");
    }

    [Fact]
    public void Both_fixture_sets_are_found()
    {
        var sets = Suites().Cast<object[]>().Select(row => ((string)row[0]).Split(Path.DirectorySeparatorChar)[0]).Distinct().Order().ToList();
        Assert.Equal(["diffusers-0.37.0"], sets);
        var torchSets = Suites().Cast<object[]>().Select(row => ((string)row[0]).Split(Path.DirectorySeparatorChar)[1]).Distinct().Order().ToList();
        Assert.Equal(["torch-1.13-cpu", "torch-2.6-cpu"], torchSets);
    }
}
