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
        Assert.Equal(20, sets["torch-2.6-cpu"].Count);
        Assert.Equal(11, sets["torch-2.6-cpu"].Count(name => name.StartsWith("dpm-", StringComparison.Ordinal)));
    }

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
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
