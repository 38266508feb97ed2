using System.Globalization;
using CogDdim.Backends;
using CogDdim.Fixtures;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Conformance;

/// <summary>
/// Runs every case of a fixture suite through a backend and compares each recorded bit. Each case gets a fresh
/// scheduler, as the fixtures were recorded; an exception in one case fails that case only.
/// </summary>
public sealed class ConformanceRunner(ISchedulerBackend backend)
{
    /// <summary>The backend every case runs through.</summary>
    public ISchedulerBackend Backend { get; } = backend;

    /// <summary>Which differing elements still pass; <see cref="Tolerance.Exact"/> unless set.</summary>
    public Tolerance Tolerance { get; init; } = Tolerance.Exact;

    private TensorComparison Compare(string quantity, HostTensor expected, HostTensor actual) =>
        TensorComparer.Compare(quantity, expected, actual, Tolerance);

    /// <summary>Runs a suite under the semantics profile its <c>reference.semantics</c> names, or the one given.</summary>
    public SuiteResult Run(FixtureSuite suite, SemanticsProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(suite);
        profile ??= suite.Reference.Semantics;
        var cases = new List<CaseResult>();
        if (suite.ConstructError is { } constructError)
        {
            cases.Add(Guard(CaseKinds.Construct, "construct", "-", () => Expect(CaseKinds.Construct, "construct", "-", constructError, () => Create(suite, profile).Dispose())));
            return Result(suite, profile, cases);
        }

        IScheduler? scheduler = null;
        try
        {
            scheduler = Create(suite, profile);
        }
        catch (BackendFailureException e)
        {
            // A broken backend (a crashed port process, say) may work again for the next case: every case is still
            // run and reported, so the counts stay those of the suite.
            cases.Add(Unexpected(CaseKinds.Schedule, "schedule", suite.Schedule?.AlphasCumprod.DType.Name() ?? "-", e, "constructing the scheduler failed: "));
        }
        catch (Exception e)
        {
            cases.Add(Unexpected(CaseKinds.Construct, "construct", "-", e, "constructing the scheduler failed: "));
            return Result(suite, profile, cases);
        }

        if (scheduler is not null)
        {
            using (scheduler)
            {
                if (suite.Schedule is { } schedule)
                {
                    cases.Add(Guard(CaseKinds.Schedule, "schedule", schedule.AlphasCumprod.DType.Name(), () => Schedule(schedule, scheduler)));
                }
            }
        }

        for (var i = 0; i < suite.SetTimesteps.Length; i++)
        {
            cases.Add(SetTimesteps(suite, profile, i) with { Index = i });
        }

        for (var i = 0; i < suite.Steps.Length; i++)
        {
            cases.Add(Step(suite, profile, i) with { Index = i });
        }

        for (var i = 0; i < suite.Trajectories.Length; i++)
        {
            cases.Add(Trajectory(suite, profile, i) with { Index = i });
        }

        for (var i = 0; i < suite.AddNoise.Length; i++)
        {
            cases.Add(Noise(suite, profile, CaseKinds.AddNoise, i, suite.AddNoise[i], "noisy_samples", (s, c) => s.AddNoise(c.Input, c.Noise, c.Timesteps)) with { Index = i });
        }

        for (var i = 0; i < suite.GetVelocity.Length; i++)
        {
            cases.Add(Noise(suite, profile, CaseKinds.GetVelocity, i, suite.GetVelocity[i], "velocity", (s, c) => s.GetVelocity(c.Input, c.Noise, c.Timesteps)) with { Index = i });
        }

        for (var i = 0; i < suite.Errors.Length; i++)
        {
            cases.Add(ErrorCall(suite, profile, i) with { Index = i });
        }

        return Result(suite, profile, cases);
    }

    private SuiteResult Result(FixtureSuite suite, SemanticsProfile profile, List<CaseResult> cases) =>
        new(suite.SetName, suite.Name, Backend.Name, profile.Name, cases);

    private IScheduler Create(FixtureSuite suite, SemanticsProfile profile) => Backend.Create(suite.Config, profile);

    private CaseResult Schedule(ScheduleRecord expected, IScheduler scheduler)
    {
        var tables = scheduler.Tables;
        var comparisons = new List<TensorComparison>
        {
            Compare("betas", expected.Betas, tables.Betas),
            Compare("alphas", expected.Alphas, tables.Alphas),
            Compare("alphas_cumprod", expected.AlphasCumprod, tables.AlphasCumprod),
            Compare("final_alpha_cumprod", expected.FinalAlphaCumprod, tables.FinalAlphaCumprod),
            TensorComparer.CompareNumber("init_noise_sigma", expected.InitNoiseSigma, scheduler.InitNoiseSigma),
            TensorComparer.CompareLongs("order", [expected.Order], [scheduler.Order]),
            TensorComparer.CompareLongs("len", [expected.Len], [scheduler.Length]),
            Compare("timesteps", expected.Timesteps, HostTensor.Create(scheduler.Timesteps.ToArray(), scheduler.Timesteps.Count)),
        };
        return new CaseResult(CaseKinds.Schedule, "schedule", expected.AlphasCumprod.DType.Name(), comparisons, null);
    }

    private CaseResult SetTimesteps(FixtureSuite suite, SemanticsProfile profile, int index)
    {
        var c = suite.SetTimesteps[index];
        var id = $"set_timesteps[{index}] N={c.NumInferenceSteps}";
        return Guard(CaseKinds.SetTimesteps, id, "int64", () =>
        {
            using var scheduler = Create(suite, profile);
            if (c.Error is { } error)
            {
                return Expect(CaseKinds.SetTimesteps, id, "int64", error, () => scheduler.SetTimesteps(c.NumInferenceSteps));
            }

            scheduler.SetTimesteps(c.NumInferenceSteps);
            return new CaseResult(CaseKinds.SetTimesteps, id, "int64",
                [TensorComparer.CompareLongs("timesteps", c.Timesteps!.Value, scheduler.Timesteps)], null);
        });
    }

    private CaseResult Step(FixtureSuite suite, SemanticsProfile profile, int index)
    {
        var c = suite.Steps[index];
        var label = DTypeLabel(c.Sample.DType, c.ModelOutput.DType);
        var id = string.Create(CultureInfo.InvariantCulture, $"step[{index}] N={c.NumInferenceSteps} t={c.Timestep} {label}");
        return Guard(CaseKinds.Step, id, label, () =>
        {
            using var scheduler = Create(suite, profile);
            scheduler.SetTimesteps(c.NumInferenceSteps);
            if (c.Error is { } error)
            {
                return Expect(CaseKinds.Step, id, label, error, () => scheduler.Step(c.ModelOutput, c.Timestep, c.Sample));
            }

            var result = scheduler.Step(c.ModelOutput, c.Timestep, c.Sample);
            return new CaseResult(CaseKinds.Step, id, label,
            [
                Compare("prev_sample", c.PrevSample!, result.PrevSample),
                Compare("pred_original_sample", c.PredOriginalSample!, result.PredOriginalSample),
            ], null);
        });
    }

    private CaseResult Trajectory(FixtureSuite suite, SemanticsProfile profile, int index)
    {
        var c = suite.Trajectories[index];
        var label = DTypeLabel(c.DType, c.ModelDType ?? c.DType);
        var id = string.Create(CultureInfo.InvariantCulture,
            $"trajectory[{index}] N={c.NumInferenceSteps} {label}{(c.CastBack ? " cast_back" : string.Empty)}");
        return Guard(CaseKinds.Trajectory, id, label, () =>
        {
            using var scheduler = Create(suite, profile);
            if (c.Error is { } error)
            {
                return Expect(CaseKinds.Trajectory, id, label, error, () =>
                {
                    scheduler.SetTimesteps(c.NumInferenceSteps);
                    var s = c.Latents;
                    for (var i = 0; i < c.ModelOutputs.Length; i++)
                    {
                        s = scheduler.Step(c.ModelOutputs[i], scheduler.Timesteps[i], s).PrevSample;
                    }
                });
            }

            scheduler.SetTimesteps(c.NumInferenceSteps);
            var comparisons = new List<TensorComparison> { TensorComparer.CompareLongs("timesteps", c.Timesteps, scheduler.Timesteps) };
            var sample = c.Latents;
            for (var i = 0; i < c.Timesteps.Length; i++)
            {
                var result = scheduler.Step(c.ModelOutputs[i], c.Timesteps[i], sample);
                comparisons.Add(Compare($"prev_samples[{i}]", c.PrevSamples[i], result.PrevSample));
                comparisons.Add(Compare($"pred_original_samples[{i}]", c.PredOriginalSamples[i], result.PredOriginalSample));
                sample = c.CastBack ? result.PrevSample.To(c.DType) : result.PrevSample;
            }

            return new CaseResult(CaseKinds.Trajectory, id, label, comparisons, null);
        });
    }

    private CaseResult Noise(FixtureSuite suite, SemanticsProfile profile, string kind, int index, NoiseCase c, string output, Func<IScheduler, NoiseCase, HostTensor> call)
    {
        var label = c.Input.DType.Name();
        var id = $"{kind}[{index}] {label} t=[{string.Join(",", c.Timesteps.As<long>())}]";
        return Guard(kind, id, label, () =>
        {
            using var scheduler = Create(suite, profile);
            if (c.Error is { } error)
            {
                return Expect(kind, id, label, error, () => call(scheduler, c));
            }

            return new CaseResult(kind, id, label, [Compare(output, c.Expected!, call(scheduler, c))], null);
        });
    }

    private CaseResult ErrorCall(FixtureSuite suite, SemanticsProfile profile, int index)
    {
        var c = suite.Errors[index];
        var id = $"errors[{index}] {c.Call}";
        return Guard(CaseKinds.Error, id, "-", () =>
        {
            using var scheduler = Create(suite, profile);
            Action call = c.Call switch
            {
                "step_before_set_timesteps" => () =>
                {
                    var zeros = HostTensor.Zeros(DType.Float32, 1, 2);
                    scheduler.Step(zeros, scheduler.Timesteps[0], zeros);
                },
                _ => throw new NotSupportedException($"unknown error call \"{c.Call}\" in the fixture"),
            };
            return Expect(CaseKinds.Error, id, "-", c.Error, call);
        });
    }

    private static CaseResult Expect(string kind, string id, string label, FixtureError error, Action call)
    {
        try
        {
            call();
        }
        catch (Exception e) when (e is not (CaseSkippedException or BackendFailureException))
        {
            return ErrorClasses.Matches(error.Type, e)
                ? new CaseResult(kind, id, label, [], null)
                : new CaseResult(kind, id, label, [],
                    $"expected {error.Type} ({ErrorClasses.Expected(error.Type)}: \"{error.Message}\"), got {e.GetType().Name}: {e.Message}");
        }

        return new CaseResult(kind, id, label, [], $"expected {error.Type} (\"{error.Message}\"), but the call succeeded");
    }

    private static CaseResult Guard(string kind, string id, string label, Func<CaseResult> run)
    {
        try
        {
            return run();
        }
        catch (Exception e)
        {
            return Unexpected(kind, id, label, e, string.Empty);
        }
    }

    /// <summary>A case that threw: skipped, a broken backend, or an unexpected error, each said as such.</summary>
    private static CaseResult Unexpected(string kind, string id, string label, Exception e, string prefix) => e switch
    {
        CaseSkippedException skip => new CaseResult(kind, id, label, [], null) { SkipReason = skip.Message },
        BackendFailureException broken => new CaseResult(kind, id, label, [], prefix + broken.Message) { BackendFailure = true },
        _ => new CaseResult(kind, id, label, [], $"{prefix}unexpected {e.GetType().Name}: {e.Message}"),
    };

    /// <summary>The dtype label of a case: <c>float32</c>, or <c>bfloat16/float32</c> when the model output is wider than the sample.</summary>
    /// <param name="sample">The sample's (latents') dtype.</param>
    /// <param name="model">The model output's dtype.</param>
    public static string DTypeLabel(DType sample, DType model) =>
        sample == model ? sample.Name() : $"{sample.Name()}/{model.Name()}";
}
