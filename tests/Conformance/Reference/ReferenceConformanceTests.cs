using CogDdim.Backends;
using CogDdim.Fixtures;
using CogDdim.Reference;
using CogDdim.Scheduling;

namespace CogDdim.Conformance.Reference;

/// <summary>Every case of every committed suite through the reference backend: 0 ULP, under the suite's own profile.</summary>
public sealed class ReferenceConformanceTests
{
    public static TheoryData<string, string> SuiteKinds()
    {
        var data = new TheoryData<string, string>();
        foreach (var id in TestFixtures.SuiteIds)
        {
            var suite = TestFixtures.Load(id);
            foreach (var kind in CaseKinds.All.Where(k => CaseCount(suite, k) > 0))
            {
                data.Add(id, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SuiteKinds))]
    public void Every_case_reproduces_diffusers_to_the_bit(string suiteId, string kind)
    {
        var suite = TestFixtures.Load(suiteId);
        var result = new ConformanceRunner(ReferenceBackend.Instance).Run(suite);
        var cases = result.Cases.Where(c => c.Kind == kind).ToList();

        Assert.Equal(CaseCount(suite, kind), cases.Count);
        var failures = cases.Where(c => !c.Passed).Select(c => c.Describe()).ToList();
        Assert.True(failures.Count == 0, $"{suiteId} {kind}: {failures.Count} of {cases.Count} cases differ:\n{string.Join("\n", failures.Take(10))}");
        Assert.All(cases.SelectMany(c => c.Comparisons), c => Assert.Equal(0UL, c.WorstUlp));
    }

    [Theory]
    [MemberData(nameof(TestFixtures.Suites), MemberType = typeof(TestFixtures))]
    public void Each_suite_names_a_known_semantics_profile(string suiteId)
    {
        var suite = TestFixtures.Load(suiteId);
        var expected = suiteId.StartsWith("torch-1.13", StringComparison.Ordinal) ? "torch113-cpu" : "torch2-cpu";
        Assert.Equal(expected, suite.Reference.Semantics.Name);
    }

    [Fact]
    public void Both_sets_are_committed_with_the_same_suites()
    {
        var sets = TestFixtures.SuiteIds.GroupBy(id => id.Split('/')[0]).ToDictionary(g => g.Key, g => g.Select(id => id.Split('/')[1]).ToList());
        Assert.Equal(["torch-1.13-cpu", "torch-2.6-cpu"], sets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(sets["torch-2.6-cpu"], sets["torch-1.13-cpu"]);
        Assert.Equal(26, sets["torch-2.6-cpu"].Count);
        Assert.Equal(11, sets["torch-2.6-cpu"].Count(name => name.StartsWith("dpm-", StringComparison.Ordinal)));
    }

    /// <summary>
    /// The public suite that reaches alpha_prod_t = 0 with epsilon prediction (zero terminal SNR, trailing spacing,
    /// t = 999): diffusers' x0 is ±inf there and the next steps of a loop are NaN, in every dtype and on both torch builds.
    /// </summary>
    [Theory]
    [InlineData("torch-2.6-cpu")]
    [InlineData("torch-1.13-cpu")]
    public void A_committed_suite_divides_by_alpha_prod_t_zero_with_epsilon(string set)
    {
        var suite = TestFixtures.Load($"{set}/zero-snr-epsilon-trailing");
        Assert.Equal(global::CogDdim.Config.PredictionType.Epsilon, suite.Config.PredictionType);
        Assert.True(suite.Config.RescaleBetasZeroSnr);
        var ac = suite.Schedule!.AlphasCumprod.As<double>();
        Assert.Equal(0.0, ac[^1]);

        var atZero = suite.Steps.Where(c => c.Timestep == ac.Length - 1).ToList();
        Assert.Equal(["bfloat16", "bfloat16/float32", "float16", "float16/float32", "float32", "float64"],
            atZero.Select(c => global::CogDdim.Conformance.ConformanceRunner.DTypeLabel(c.Sample.DType, c.ModelOutput.DType)).Distinct().Order(StringComparer.Ordinal));
        Assert.All(atZero, c => Assert.True(Doubles(c.PredOriginalSample!).All(double.IsInfinity), $"x0 at t=999 ({c.Sample.DType}) is not all ±inf"));
        Assert.NotEmpty(suite.Trajectories);
        Assert.All(suite.Trajectories, t => Assert.Contains(t.PrevSamples, p => Doubles(p).Any(double.IsNaN)));
    }

    private static IEnumerable<double> Doubles(global::CogDdim.Tensors.HostTensor tensor) => Enumerable.Range(0, tensor.Length).Select(tensor.GetDouble);

    private static int CaseCount(FixtureSuite suite, string kind) => kind switch
    {
        CaseKinds.Construct => suite.ConstructError is null ? 0 : 1,
        CaseKinds.Schedule => suite.Schedule is null ? 0 : 1,
        CaseKinds.SetTimesteps => suite.SetTimesteps.Length,
        CaseKinds.Step => suite.Steps.Length,
        CaseKinds.Trajectory => suite.Trajectories.Length,
        CaseKinds.AddNoise => suite.AddNoise.Length,
        CaseKinds.GetVelocity => suite.GetVelocity.Length,
        CaseKinds.Error => suite.Errors.Length,
        CaseKinds.DpmStep => suite.DpmSteps.Length,
        CaseKinds.DpmTrajectory => suite.DpmTrajectories.Length,
        CaseKinds.DpmError => suite.DpmErrors.Length,
        _ when CaseKinds.IsRandn(kind) => suite.Randn is null ? 0 : throw new ArgumentException("a randn file is not a scheduler suite", nameof(suite)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
