using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;

namespace CogDdim.Conformance.Reference;

/// <summary>The conformance check fails loudly when a single bit of the computation changes.</summary>
public sealed class MutationTests
{
    /// <summary>The reference with alphas_cumprod[t] moved one ULP up, at every timestep.</summary>
    private sealed class NudgedBackend : ISchedulerBackend
    {
        public string Name => "reference-nudged";

        public IScheduler Create(SchedulerConfig config, SemanticsProfile profile)
        {
            if (config.HasFloat64Table)
            {
                var scheduler = new ReferenceScheduler<double>(config, profile);
                for (var i = 0; i < scheduler.AlphasCumprod.Length; i++)
                {
                    scheduler.AlphasCumprod[i] = double.BitIncrement(scheduler.AlphasCumprod[i]);
                }

                return new ReferenceBackend.HostScheduler<double>(scheduler);
            }
            else
            {
                var scheduler = new ReferenceScheduler<float>(config, profile);
                for (var i = 0; i < scheduler.AlphasCumprod.Length; i++)
                {
                    scheduler.AlphasCumprod[i] = float.BitIncrement(scheduler.AlphasCumprod[i]);
                }

                return new ReferenceBackend.HostScheduler<float>(scheduler);
            }
        }
    }

    [Theory]
    [InlineData("torch-2.6-cpu/cogvideox-5b")]
    [InlineData("torch-2.6-cpu/cogvideox-2b")]
    [InlineData("torch-1.13-cpu/cosine-epsilon-leading-offset")]
    public void A_one_ulp_nudge_of_alphas_cumprod_fails_the_step_cases(string suiteId)
    {
        var result = new ConformanceRunner(new NudgedBackend()).Run(TestFixtures.Load(suiteId));

        var steps = result.Cases.Where(c => c.Kind == CaseKinds.Step).ToList();
        Assert.NotEmpty(steps);
        Assert.Contains(steps, c => !c.Passed);
        var failed = steps.First(c => !c.Passed);
        var message = failed.Describe();
        Assert.Contains("element", message, StringComparison.Ordinal);
        Assert.Contains("ULP", message, StringComparison.Ordinal);
        Assert.Contains("0x", message, StringComparison.Ordinal);
        Assert.Contains(result.Cases, c => c.Kind == CaseKinds.Trajectory && !c.Passed);
    }

    [Fact]
    public void The_torch_1_13_scalar_policy_does_not_reproduce_torch_2_6_half_precision_steps()
    {
        // torch 2.6's tables, torch 1.13's scalar policy: only `tensor / scalar` (epsilon's division) changes.
        var profile = SemanticsProfile.Torch2Cpu with { Name = "torch2-tables-torch113-scalars", ScalarPolicies = SemanticsProfile.Torch113Cpu.ScalarPolicies };
        var suite = TestFixtures.Load("torch-2.6-cpu/defaults");
        var result = new ConformanceRunner(ReferenceBackend.Instance).Run(suite, profile);

        var failedDTypes = result.Cases.Where(c => c.Kind == CaseKinds.Step && !c.Passed).Select(c => c.DTypeLabel).Distinct().Order().ToList();
        Assert.Equal(["bfloat16", "float16"], failedDTypes);
    }

    [Fact]
    public void The_torch_2_linspace_does_not_reproduce_the_torch_1_13_tables()
    {
        var suite = TestFixtures.Load("torch-1.13-cpu/cogvideox-5b");
        var result = new ConformanceRunner(ReferenceBackend.Instance).Run(suite, SemanticsProfile.Torch2Cpu);

        var schedule = Assert.Single(result.Cases, c => c.Kind == CaseKinds.Schedule);
        var betas = Assert.Single(schedule.Comparisons, c => c.Quantity == "betas");
        Assert.False(betas.Passed);
        Assert.InRange(betas.WorstUlp, 1UL, 3UL);
        var alphasCumprod = Assert.Single(schedule.Comparisons, c => c.Quantity == "alphas_cumprod");
        Assert.InRange(alphasCumprod.WorstUlp, 100UL, 1000UL);
    }
}
