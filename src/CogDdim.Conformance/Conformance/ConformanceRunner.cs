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
public sealed partial class ConformanceRunner(ISchedulerBackend backend)
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
        if (suite.Randn is { } randn)
        {
            return Result(suite, profile, RunRandn(randn, profile.Randn));
        }

        var cases = new List<CaseResult>();
        if (suite.ConstructError is { } constructError)
        {
            cases.Add(Guard(CaseKinds.Construct, "construct", "-", () => Expect(suite, CaseKinds.Construct, "construct", "-", constructError, () => Create(suite, profile).Dispose())));
            return Result(suite, profile, cases);
        }

        IScheduler? scheduler = null;
        try
        {
            scheduler = Create(suite, profile);
        }
        catch (CaseSkippedException e)
        {
            cases.Add(Unexpected(CaseKinds.Schedule, "schedule", suite.Schedule?.AlphasCumprod.DType.Name() ?? "-", e, string.Empty));
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

        if (suite.IsDpm)
        {
            for (var i = 0; i < suite.DpmSteps.Length; i++)
            {
                cases.Add(DpmStep(suite, profile, i) with { Index = i });
            }

            for (var i = 0; i < suite.DpmTrajectories.Length; i++)
            {
                cases.Add(DpmTrajectory(suite, profile, i) with { Index = i });
            }
        }
        else
        {
            for (var i = 0; i < suite.Steps.Length; i++)
            {
                cases.Add(Step(suite, profile, i) with { Index = i });
            }

            for (var i = 0; i < suite.Trajectories.Length; i++)
            {
                cases.Add(Trajectory(suite, profile, i) with { Index = i });
            }
        }

        for (var i = 0; i < suite.AddNoise.Length; i++)
        {
            cases.Add(Noise(suite, profile, CaseKinds.AddNoise, i, suite.AddNoise[i], "noisy_samples", (s, c) => s.AddNoise(c.Input, c.Noise, c.Timesteps)) with { Index = i });
        }

        for (var i = 0; i < suite.GetVelocity.Length; i++)
        {
            cases.Add(Noise(suite, profile, CaseKinds.GetVelocity, i, suite.GetVelocity[i], "velocity", (s, c) => s.GetVelocity(c.Input, c.Noise, c.Timesteps)) with { Index = i });
        }

        if (suite.IsDpm)
        {
            for (var i = 0; i < suite.DpmErrors.Length; i++)
            {
                cases.Add(DpmErrorCall(suite, profile, i) with { Index = i });
            }
        }
        else
        {
            for (var i = 0; i < suite.Errors.Length; i++)
            {
                cases.Add(ErrorCall(suite, profile, i) with { Index = i });
            }
        }

        return Result(suite, profile, cases);
    }

    private SuiteResult Result(FixtureSuite suite, SemanticsProfile profile, List<CaseResult> cases) =>
        new(suite.SetName, suite.Name, Backend.Name, profile.Name, cases);

    /// <summary>The scheduler of the suite's <c>reference.class</c>: DDIM, or DPM when the backend has it (else the case is skipped, saying why).</summary>
    private IScheduler Create(FixtureSuite suite, SemanticsProfile profile)
    {
        if (suite.IsDpm)
        {
            return CreateDpm(suite, profile);
        }

        if (!SchedulerClasses.IsDdim(suite.Reference.Class))
        {
            throw new InvalidDataException($"reference.class \"{suite.Reference.Class}\" is not a scheduler this runner knows ({SchedulerClasses.Ddim}, {SchedulerClasses.Dpm})");
        }

        return Backend.Create(suite.Config, profile);
    }

    private IDpmScheduler CreateDpm(FixtureSuite suite, SemanticsProfile profile) =>
        Backend is IDpmSchedulerBackend dpm
            ? dpm.CreateDpm(suite.Config, profile)
            : throw new CaseSkippedException($"the {Backend.Name} backend has no {SchedulerClasses.Dpm}");

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
                return Expect(suite, CaseKinds.SetTimesteps, id, "int64", error, () => scheduler.SetTimesteps(c.NumInferenceSteps));
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
                return Expect(suite, CaseKinds.Step, id, label, error, () => scheduler.Step(c.ModelOutput, c.Timestep, c.Sample));
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
                return Expect(suite, CaseKinds.Trajectory, id, label, error, () =>
                {
                    scheduler.SetTimesteps(c.NumInferenceSteps);
                    var s = c.Latents;
                    for (var i = 0; i < c.ModelOutputs.Length; i++)
                    {
                        // The harness's own index must not raise the IndexError the fixture expects.
                        s = scheduler.Step(c.ModelOutputs[i], ReplayTimestep(scheduler, c, i), s).PrevSample;
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
        var id = $"{kind}[{index}] {label} t={TimestepsLabel(c.Timesteps)}";
        return Guard(kind, id, label, () =>
        {
            using var scheduler = Create(suite, profile);
            if (c.Error is { } error)
            {
                return Expect(suite, kind, id, label, error, () => call(scheduler, c));
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
            // Everything but the call under test is prepared first, so that only the call's own exception counts
            // (generate.py records `step(zeros(1, 1, 1, 2, 2), 0, zeros(...))` on a fresh scheduler).
            Action call = c.Call switch
            {
                "step_before_set_timesteps" => StepBeforeSetTimesteps(scheduler),
                _ => throw new NotSupportedException($"unknown error call \"{c.Call}\" in the fixture"),
            };
            return Expect(suite, CaseKinds.Error, id, "-", c.Error, call);
        });
    }

    private CaseResult DpmStep(FixtureSuite suite, SemanticsProfile profile, int index)
    {
        var c = suite.DpmSteps[index];
        var label = DTypeLabel(c.Sample.DType, c.ModelOutput.DType);
        var back = c.TimestepBack is { } b ? b.ToString(CultureInfo.InvariantCulture) : "None";
        var id = string.Create(CultureInfo.InvariantCulture, $"dpm_step[{index}] N={c.NumInferenceSteps} t={c.Timestep} back={back} {c.Variant} {label}");
        return Guard(CaseKinds.DpmStep, id, label, () =>
        {
            using var scheduler = CreateDpm(suite, profile);
            scheduler.SetTimesteps(c.NumInferenceSteps);

            // The draw that entered prev_sample (the last: a second-order step discards the first); a call that
            // failed before drawing gets zeros, which it must not reach.
            var noise = c.Noise.Length > 0 ? c.Noise[c.NoiseUsed ?? (c.Noise.Length - 1)] : HostTensor.Zeros(c.Sample.DType, c.Sample.ShapeArray());
            if (c.Error is { } error)
            {
                return Expect(suite, CaseKinds.DpmStep, id, label, error, () => scheduler.DpmStep(c.ModelOutput, c.OldPredOriginalSample, c.Timestep, c.TimestepBack, c.Sample, noise));
            }

            var result = scheduler.DpmStep(c.ModelOutput, c.OldPredOriginalSample, c.Timestep, c.TimestepBack, c.Sample, noise);
            return new CaseResult(CaseKinds.DpmStep, id, label,
            [
                Compare("prev_sample", c.PrevSample!, result.PrevSample),
                Compare("pred_original_sample", c.PredOriginalSample!, result.PredOriginalSample),
            ], null);
        });
    }

    private CaseResult DpmTrajectory(FixtureSuite suite, SemanticsProfile profile, int index)
    {
        var c = suite.DpmTrajectories[index];
        var label = DTypeLabel(c.DType, c.ModelDType ?? c.DType);
        var id = string.Create(CultureInfo.InvariantCulture,
            $"dpm_trajectory[{index}] N={c.NumInferenceSteps} steps={c.Timesteps.Length} {label}{(c.CastBack ? " cast_back" : string.Empty)}");
        return Guard(CaseKinds.DpmTrajectory, id, label, () =>
        {
            using var scheduler = CreateDpm(suite, profile);
            if (c.Error is { } error)
            {
                return Expect(suite, CaseKinds.DpmTrajectory, id, label, error, () =>
                {
                    scheduler.SetTimesteps(c.NumInferenceSteps);
                    Loop(scheduler, null);
                });
            }

            scheduler.SetTimesteps(c.NumInferenceSteps);
            var comparisons = new List<TensorComparison>
            {
                TensorComparer.CompareLongs("timesteps", c.Timesteps, scheduler.Timesteps.Take(c.Timesteps.Length).ToArray()),
            };
            Loop(scheduler, comparisons);
            return new CaseResult(CaseKinds.DpmTrajectory, id, label, comparisons, null);
        });

        // The pipeline's loop: step i passes step i-1's pred_original_sample (as returned) and timestep.
        void Loop(IDpmScheduler scheduler, List<TensorComparison>? comparisons)
        {
            var sample = c.Latents;
            HostTensor? old = null;
            long? back = null;
            for (var i = 0; i < c.ModelOutputs.Length; i++)
            {
                var timestep = i < c.Timesteps.Length ? c.Timesteps[i] : scheduler.Timesteps[i];
                var draws = i < c.Noises.Length ? c.Noises[i] : [];
                var noise = draws.Length > 0 ? draws[^1] : HostTensor.Zeros(sample.DType, sample.ShapeArray());
                var result = scheduler.DpmStep(c.ModelOutputs[i], old, timestep, back, sample, noise);
                if (comparisons is not null)
                {
                    comparisons.Add(Compare($"prev_samples[{i}]", c.PrevSamples[i], result.PrevSample));
                    comparisons.Add(Compare($"pred_original_samples[{i}]", c.PredOriginalSamples[i], result.PredOriginalSample));
                }

                old = result.PredOriginalSample;
                back = timestep;
                sample = c.CastBack ? result.PrevSample.To(c.DType) : result.PrevSample;
            }
        }
    }

    private CaseResult DpmErrorCall(FixtureSuite suite, SemanticsProfile profile, int index)
    {
        var c = suite.DpmErrors[index];
        var id = $"dpm_errors[{index}] {c.Call}";
        return Guard(CaseKinds.DpmError, id, "-", () =>
        {
            using var scheduler = CreateDpm(suite, profile);
            Action call = c.Call switch
            {
                // step(x, None, 0, None, x) on a scheduler without set_timesteps
                "step_before_set_timesteps" => () =>
                {
                    var zeros = HostTensor.Zeros(DType.Float32, 1, 2);
                    scheduler.DpmStep(zeros, null, 0, null, zeros, zeros);
                },
                _ => throw new NotSupportedException($"unknown error call \"{c.Call}\" in the fixture"),
            };
            return Expect(suite, CaseKinds.DpmError, id, "-", c.Error, call);
        });
    }

    private static Action StepBeforeSetTimesteps(IScheduler scheduler)
    {
        var zeros = HostTensor.Zeros(DType.Float32, 1, 1, 1, 2, 2);
        return () => scheduler.Step(zeros, 0, zeros);
    }

    /// <summary>
    /// The recorded error must come from <paramref name="call"/>: an exception of the one .NET type of its Python
    /// class (<see cref="ErrorClasses"/>), whose message names what diffusers' names (keys, values, numbers).
    /// </summary>
    private static CaseResult Expect(FixtureSuite suite, string kind, string id, string label, FixtureError error, Action call)
    {
        try
        {
            call();
        }
        catch (Exception e) when (e is not (CaseSkippedException or BackendFailureException or RunnerCheckException))
        {
            var found = ErrorClasses.Classify(e);
            if (!string.Equals(found, error.Type, StringComparison.Ordinal))
            {
                return new CaseResult(kind, id, label, [],
                    $"expected {error.Type} ({ErrorClasses.Expected(error.Type)}: \"{error.Message}\"), got {e.GetType().Name} ({found ?? "no Python class"}): {e.Message}");
            }

            var missing = ErrorClasses.MissingNames(error.Message, e.Message, suite.Config.DeferredInvalidValues.Values);
            return missing.Count == 0
                ? new CaseResult(kind, id, label, [], null)
                : new CaseResult(kind, id, label, [],
                    $"{error.Type} as expected, but its message does not name {string.Join(", ", missing.Select(m => $"\"{m}\""))}, as diffusers' does: expected \"{error.Message}\", got \"{e.Message}\"");
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

    /// <summary>
    /// The timestep of step <paramref name="i"/> of an error trajectory, as the runner has always replayed it. A
    /// fixture with more model outputs than timesteps is malformed, said as such (an <see cref="InvalidDataException"/>
    /// matches no recorded Python error class), never as an IndexError of the harness's own making.
    /// </summary>
    private static long ReplayTimestep(IScheduler scheduler, TrajectoryCase c, int i)
    {
        return i < scheduler.Timesteps.Count
            ? scheduler.Timesteps[i]
            : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"the fixture gives {c.ModelOutputs.Length} model outputs but the scheduler has {scheduler.Timesteps.Count} timesteps: step {i} has no timestep to run at"));
    }

    /// <summary>A case id's timesteps: the int64 values, or what the tensor is when a fixture stores another dtype.</summary>
    private static string TimestepsLabel(HostTensor timesteps) =>
        timesteps.DType == DType.Int64
            ? timesteps.Length <= 16
                ? $"[{string.Join(",", timesteps.As<long>())}]"
                : $"[{string.Join(",", timesteps.As<long>()[..16])},…]"
            : $"({timesteps.DType.Name()} tensor)";

    /// <summary>A case's dtype label: <c>float32</c>, or <c>bfloat16/float32</c> for a sample with a wider model output.</summary>
    public static string DTypeLabel(DType sample, DType model) =>
        sample == model ? sample.Name() : $"{sample.Name()}/{model.Name()}";
}

/// <summary>A check of the runner's own (not the call under test) that failed: fails the case, never matches an expected error.</summary>
internal sealed class RunnerCheckException(string message) : Exception(message);
