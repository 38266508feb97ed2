using CogDdim.Backends;
using System.Globalization;
using CogDdim.Fixtures;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Tensors;
using Snapshooter;
using Snapshooter.Xunit;

namespace CogDdim.Conformance.Reference;

/// <summary>
/// A readable digest of each suite as the reference backend reproduces it: cases and worst ULP per quantity and dtype,
/// and a few values as bits and round-trip decimals. Any change in a figure shows up as a diff of a reviewable file
/// under <c>__snapshots__/</c>; scripts/test.sh runs strict (<c>SNAPSHOOTER_STRICT_MODE=true</c>), so a missing snapshot
/// fails unless --accept-snapshots is given.
/// </summary>
public sealed class SuiteDigestSnapshotTests
{
    [Theory]
    [MemberData(nameof(TestFixtures.Suites), MemberType = typeof(TestFixtures))]
    public void Suite_digest_matches_the_reviewed_snapshot(string suiteId)
    {
        var suite = TestFixtures.Load(suiteId);
        var digest = SuiteDigest.Build(suite, new ConformanceRunner(ReferenceBackend.Instance).Run(suite));
        Snapshot.Match(digest, SnapshotNameExtension.Create(SnapshotName(suiteId)));
    }

    /// <summary>
    /// Every file in this folder's __snapshots__ is the digest of a committed suite: a suite renamed or removed
    /// leaves no unreviewed snapshot behind, and every committed suite has its file.
    /// </summary>
    [Fact]
    public void Every_snapshot_file_belongs_to_a_committed_suite()
    {
        var expected = TestFixtures.SuiteIds
            .Select(id => $"{nameof(SuiteDigestSnapshotTests)}.{nameof(Suite_digest_matches_the_reviewed_snapshot)}_{SnapshotName(id)}.snap")
            .ToHashSet(StringComparer.Ordinal);
        var folder = Path.Combine(TestFixtures.RepositoryRoot, "tests", "Conformance", "Reference", "__snapshots__");
        var present = Directory.GetFiles(folder).Select(Path.GetFileName).ToList();

        Assert.NotEmpty(expected);
        var orphans = present.Where(f => !expected.Contains(f!)).ToList();
        Assert.True(orphans.Count == 0, $"snapshot files no committed suite owns (delete them, or restore the suite): {string.Join(", ", orphans)}");
        var missing = expected.Where(f => !present.Contains(f)).ToList();
        Assert.True(missing.Count == 0, $"committed suites without a reviewed digest (run scripts/test.sh --accept-snapshots and review): {string.Join(", ", missing)}");
    }

    private static string SnapshotName(string suiteId) => suiteId.Replace('/', '_').Replace('.', '_');
}

public static class SuiteDigest
{
    public static object Build(FixtureSuite suite, SuiteResult result)
    {
        var quantities = result.Cases
            .GroupBy(c => c.Kind)
            .Select(g => new
            {
                Kind = g.Key,
                Cases = g.Count(),
                Failed = g.Count(c => !c.Passed),
                WorstUlp = g.Where(c => c.DTypeLabel is not "-" and not "int64")
                    .GroupBy(c => c.DTypeLabel)
                    .ToDictionary(d => d.Key, d => d.Max(c => c.WorstUlp)),
            })
            .ToList();

        var values = new List<string>();
        if (ReferenceBackend.CreateSchedulerOrNull(suite) is { } scheduler)
        {
            using (scheduler)
            {
                var tables = scheduler.Tables;
                var ac = tables.AlphasCumprod;
                values.Add(Value("alphas_cumprod[0]", ac, 0));
                values.Add(Value($"alphas_cumprod[{ac.Length / 2}]", ac, ac.Length / 2));
                values.Add(Value($"alphas_cumprod[{ac.Length - 1}]", ac, ac.Length - 1));
                values.Add(Value("final_alpha_cumprod", tables.FinalAlphaCumprod, 0));
                values.Add($"timesteps after set_timesteps(10): {TimestepsFor(scheduler, 10)}");
            }
        }

        foreach (var step in suite.Steps.Where(s => s.Error is null).GroupBy(s => ConformanceRunner.DTypeLabel(s.Sample.DType, s.ModelOutput.DType)).Select(g => g.First()))
        {
            using var s = ReferenceBackend.CreateScheduler(suite.Config, suite.Reference.Semantics);
            s.SetTimesteps(step.NumInferenceSteps);
            var output = s.Step(step.ModelOutput, step.Timestep, step.Sample);
            var label = ConformanceRunner.DTypeLabel(step.Sample.DType, step.ModelOutput.DType);
            values.Add(Value($"step N={step.NumInferenceSteps} t={step.Timestep} {label} prev_sample[0]", output.PrevSample, 0));
            values.Add(Value($"step N={step.NumInferenceSteps} t={step.Timestep} {label} pred_original_sample[0]", output.PredOriginalSample, 0));
        }

        return new
        {
            Suite = result.Name,
            suite.Description,
            Profile = result.Profile,
            Passed = result.Passed,
            Failed = result.Failed,
            Quantities = quantities,
            Values = values,
        };
    }

    private static string TimestepsFor(CogDdim.Backends.IScheduler scheduler, int n)
    {
        try
        {
            scheduler.SetTimesteps(n);
            return string.Join(", ", scheduler.Timesteps);
        }
        catch (ArgumentException e)
        {
            return $"{e.GetType().Name}";
        }
    }

    private static string Value(string name, HostTensor tensor, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{name} {tensor.DType.Name()} {tensor.FormatBits(index)} {tensor.FormatElement(index)}");
}
