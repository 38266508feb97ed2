using CogDdim.Tensors;

namespace CogDdim.Conformance;

/// <summary>The kinds of case a suite holds, in the order they run.</summary>
public static class CaseKinds
{
    /// <summary>The suite's <c>construct_error</c>: building the scheduler must fail with the recorded class.</summary>
    public const string Construct = "construct";
    /// <summary>The suite's <c>schedule</c>: the tables, <c>init_noise_sigma</c>, <c>order</c>, <c>len</c> and the initial <c>timesteps</c>.</summary>
    public const string Schedule = "schedule";
    /// <summary>A <c>set_timesteps</c> case: the int64 timesteps for one <c>num_inference_steps</c>, or its error.</summary>
    public const string SetTimesteps = "set_timesteps";
    /// <summary>A <c>step</c> case: <c>prev_sample</c> and <c>pred_original_sample</c> of one step on a fresh scheduler.</summary>
    public const string Step = "step";
    /// <summary>A <c>trajectories</c> case: a closed denoising loop, every step's outputs compared.</summary>
    public const string Trajectory = "trajectory";
    /// <summary>An <c>add_noise</c> case: <c>noisy_samples</c>.</summary>
    public const string AddNoise = "add_noise";
    /// <summary>A <c>get_velocity</c> case: <c>velocity</c>.</summary>
    public const string GetVelocity = "get_velocity";
    /// <summary>An <c>errors</c> case: a call that must fail, such as <c>step_before_set_timesteps</c>.</summary>
    public const string Error = "error";

    /// <summary>A <c>dpm_step</c> case (CogVideoXDPMScheduler suites).</summary>
    public const string DpmStep = "dpm_step";

    /// <summary>A <c>dpm_trajectories</c> loop.</summary>
    public const string DpmTrajectory = "dpm_trajectory";

    /// <summary>A <c>dpm_errors</c> call.</summary>
    public const string DpmError = "dpm_error";

    /// <summary>A randn file's <c>draws</c> entry: one <c>torch.randn</c> from a fresh generator.</summary>
    public const string RandnDraw = "randn_draw";

    /// <summary>A randn file's <c>strided</c> entry: the serial path into a non-contiguous view, and the state after it.</summary>
    public const string RandnStrided = "randn_strided";

    /// <summary>A randn file's <c>sequences</c> entry: successive draws from one generator, and the state after each.</summary>
    public const string RandnSequence = "randn_sequence";

    /// <summary>A sequence's calls after its checkpoint, from a generator set to <c>checkpoint_state</c>.</summary>
    public const string RandnResume = "randn_resume";

    /// <summary>A randn file's <c>randn_tensor</c> entry: <c>prepare_latents</c>' draw, one generator or one per batch item.</summary>
    public const string RandnTensor = "randn_tensor";

    /// <summary>Every case kind, in report order.</summary>
    public static readonly IReadOnlyList<string> All = [Construct, Schedule, SetTimesteps, Step, Trajectory, AddNoise, GetVelocity, Error, DpmStep, DpmTrajectory, DpmError,
        RandnDraw, RandnStrided, RandnSequence, RandnResume, RandnTensor];

    /// <summary>Whether <paramref name="kind"/> is one of the randn kinds (a randn file's cases).</summary>
    public static bool IsRandn(string kind) => kind is RandnDraw or RandnStrided or RandnSequence or RandnResume or RandnTensor;
}

/// <summary>One checked case: what was run, against which dtype, and every comparison it made.</summary>
/// <param name="Kind">One of <see cref="CaseKinds"/>.</param>
/// <param name="Id">The case as reports print it, e.g. <c>step[3] N=50 t=981 bfloat16/float32</c>; what expected-failure globs match.</param>
/// <param name="DTypeLabel">The dtype label (<see cref="ConformanceRunner.DTypeLabel"/>), <c>int64</c> for timesteps, <c>-</c> for none.</param>
/// <param name="Comparisons">Every recorded quantity compared.</param>
/// <param name="Failure">Why the case failed outside the comparisons (a wrong or missing error, an exception), or null.</param>
public sealed record CaseResult(
    string Kind,
    string Id,
    string DTypeLabel,
    IReadOnlyList<TensorComparison> Comparisons,
    string? Failure)
{
    /// <summary>Not skipped, no failure, and every comparison passed.</summary>
    public bool Passed => SkipReason is null && Failure is null && Comparisons.All(c => c.Passed);

    /// <summary>Set when the backend cannot run the case at all (a candidate port without that dtype or call).</summary>
    public string? SkipReason { get; init; }

    /// <summary>Whether <see cref="SkipReason"/> is set.</summary>
    public bool Skipped => SkipReason is not null;

    /// <summary>Ran and did not pass (a skipped case is neither passed nor failed).</summary>
    public bool Failed => !Passed && !Skipped;

    /// <summary>The backend itself broke (crashed, hung, answered garbage), rather than computing something else.</summary>
    public bool BackendFailure { get; init; }

    /// <summary>The case's index in its fixture list (<c>step[Index]</c>, …); -1 for the schedule and construct cases.</summary>
    public int Index { get; init; } = -1;

    /// <summary>The largest ULP distance over the case's floating-point comparisons.</summary>
    public ulong WorstUlp => Comparisons.Where(c => c.DType != DType.Int64).Select(c => c.WorstUlp).DefaultIfEmpty(0UL).Max();

    /// <summary>One line for reports: the id, then passed, the skip reason, or the failure and the first three failed comparisons.</summary>
    public string Describe()
    {
        if (Passed)
        {
            return $"{Id}: passed";
        }

        if (SkipReason is not null)
        {
            return $"{Id}: skipped: {SkipReason}";
        }

        var parts = new List<string>();
        if (Failure is not null)
        {
            parts.Add(Failure);
        }

        parts.AddRange(Comparisons.Where(c => !c.Passed).Take(3).Select(c => c.Describe()));
        return $"{Id}: {string.Join("; ", parts)}";
    }
}

/// <summary>All cases of one suite, run with one backend and one semantics profile.</summary>
/// <param name="Set">The fixture set (the folder holding the suite, e.g. <c>torch-2.6-cpu</c>); empty for none.</param>
/// <param name="Suite">The suite's name.</param>
/// <param name="Backend">The backend's name.</param>
/// <param name="Profile">The semantics profile's name.</param>
/// <param name="Cases">Every case, in run order.</param>
public sealed record SuiteResult(string Set, string Suite, string Backend, string Profile, IReadOnlyList<CaseResult> Cases)
{
    /// <summary><c>SET/SUITE</c>, or the suite alone when it has no set.</summary>
    public string Name => string.IsNullOrEmpty(Set) ? Suite : $"{Set}/{Suite}";

    /// <summary>The number of passed cases.</summary>
    public int Passed => Cases.Count(c => c.Passed);

    /// <summary>The number of failed cases (skipped ones not counted).</summary>
    public int Failed => Cases.Count(c => c.Failed);

    /// <summary>The number of skipped cases.</summary>
    public int Skipped => Cases.Count(c => c.Skipped);

    /// <summary>Worst ULP per dtype label, over the cases that compared floating-point tensors.</summary>
    public IReadOnlyList<(string DType, int Cases, int Failed, ulong WorstUlp)> ByDType() =>
        Cases.Where(c => c.DTypeLabel != "-" && c.DTypeLabel != "int64")
            .GroupBy(c => c.DTypeLabel)
            .OrderBy(g => DTypeOrder(g.Key))
            .Select(g => (g.Key, g.Count(), g.Count(c => c.Failed), g.Max(c => c.WorstUlp)))
            .ToList();

    private static int DTypeOrder(string label) => label switch
    {
        "float64" => 0,
        "float32" => 1,
        "float16" => 2,
        "bfloat16" => 3,
        "float16/float32" => 4,
        "bfloat16/float32" => 5,
        _ => 6,
    };
}
