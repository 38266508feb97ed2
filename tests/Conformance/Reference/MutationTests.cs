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

    /// <summary>
    /// One rule wrong, the rest right: torch 1.13's profile with torch 2's fused float64 linspace. The scaled_linear
    /// betas move by 1 to 3 ULP, and with them alphas and alphas_cumprod, hence every value case; the rules it does
    /// not touch (timesteps, final_alpha_cumprod, the error cases) still pass, and so does every suite whose table is
    /// float32 (its linspace rule is not the one changed).
    /// </summary>
    [Fact]
    public void A_wrong_float64_linspace_alone_fails_exactly_the_quantities_built_from_the_betas()
    {
        var profile = SemanticsProfile.Torch113Cpu with { Name = "torch113-with-fused-float64-linspace", LinspaceFloat64 = LinspaceRounding.Fused };
        Assert.False(profile.SameRules(SemanticsProfile.Torch113Cpu));
        var result = new ConformanceRunner(ReferenceBackend.Instance).Run(TestFixtures.Load("torch-1.13-cpu/cogvideox-5b"), profile);

        var schedule = Assert.Single(result.Cases, c => c.Kind == CaseKinds.Schedule);
        Assert.Equal(["betas", "alphas", "alphas_cumprod"], schedule.Comparisons.Where(c => !c.Passed).Select(c => c.Quantity));
        Assert.Equal(["final_alpha_cumprod", "init_noise_sigma", "order", "len", "timesteps"], schedule.Comparisons.Where(c => c.Passed).Select(c => c.Quantity));
        Assert.InRange(schedule.Comparisons.Single(c => c.Quantity == "betas").WorstUlp, 1UL, 3UL);

        foreach (var kind in new[] { CaseKinds.SetTimesteps, CaseKinds.Error })
        {
            var cases = result.Cases.Where(c => c.Kind == kind).ToList();
            Assert.NotEmpty(cases);
            Assert.All(cases, c => Assert.True(c.Passed, c.Describe()));
        }

        foreach (var kind in new[] { CaseKinds.Step, CaseKinds.Trajectory, CaseKinds.AddNoise, CaseKinds.GetVelocity })
        {
            var cases = result.Cases.Where(c => c.Kind == kind).ToList();
            Assert.NotEmpty(cases);
            Assert.True(cases.Any(c => c.Failed), $"no {kind} case failed");
            // What fails is a value off by some ULP, never a structural failure or an error.
            Assert.All(cases.Where(c => c.Failed), c => Assert.Null(c.Failure));
        }

        foreach (var float32Table in new[] { "torch-1.13-cpu/linear-sample-linspace", "torch-1.13-cpu/cosine-epsilon-leading-offset", "torch-1.13-cpu/trained-betas-v-trailing" })
        {
            var unaffected = new ConformanceRunner(ReferenceBackend.Instance).Run(TestFixtures.Load(float32Table), profile);
            Assert.NotEmpty(unaffected.Cases);
            Assert.All(unaffected.Cases, c => Assert.True(c.Passed, $"{float32Table}: {c.Describe()}"));
        }
    }
}
