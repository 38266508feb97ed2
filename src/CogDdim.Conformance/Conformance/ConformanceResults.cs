using CogDdim.Tensors;

namespace CogDdim.Conformance;

/// <summary>The kinds of case a suite holds, in the order they run.</summary>
public static class CaseKinds
{
    public const string Construct = "construct";
    public const string Schedule = "schedule";
    public const string SetTimesteps = "set_timesteps";
    public const string Step = "step";
    public const string Trajectory = "trajectory";
    public const string AddNoise = "add_noise";
    public const string GetVelocity = "get_velocity";
    public const string Error = "error";

    /// <summary>A <c>dpm_step</c> case (CogVideoXDPMScheduler suites).</summary>
    public const string DpmStep = "dpm_step";

    /// <summary>A <c>dpm_trajectories</c> loop.</summary>
    public const string DpmTrajectory = "dpm_trajectory";

    /// <summary>A <c>dpm_errors</c> call.</summary>
    public const string DpmError = "dpm_error";

    public static readonly IReadOnlyList<string> All = [Construct, Schedule, SetTimesteps, Step, Trajectory, AddNoise, GetVelocity, Error, DpmStep, DpmTrajectory, DpmError];
}

/// <summary>One checked case: what was run, against which dtype, and every comparison it made.</summary>
public sealed record CaseResult(
    string Kind,
    string Id,
    string DTypeLabel,
    IReadOnlyList<TensorComparison> Comparisons,
    string? Failure)
{
    public bool Passed => SkipReason is null && Failure is null && Comparisons.All(c => c.Passed);

    /// <summary>Set when the backend cannot run the case at all (a candidate port without that dtype or call).</summary>
    public string? SkipReason { get; init; }

    public bool Skipped => SkipReason is not null;

    /// <summary>Ran and did not pass (a skipped case is neither passed nor failed).</summary>
    public bool Failed => !Passed && !Skipped;

    /// <summary>The backend itself broke (crashed, hung, answered garbage), rather than computing something else.</summary>
    public bool BackendFailure { get; init; }

    /// <summary>The case's index in its fixture list (<c>step[Index]</c>, …); -1 for the schedule and construct cases.</summary>
    public int Index { get; init; } = -1;

    /// <summary>The largest ULP distance over the case's floating-point comparisons.</summary>
    public ulong WorstUlp => Comparisons.Where(c => c.DType != DType.Int64).Select(c => c.WorstUlp).DefaultIfEmpty(0UL).Max();

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
public sealed record SuiteResult(string Set, string Suite, string Backend, string Profile, IReadOnlyList<CaseResult> Cases)
{
    public string Name => string.IsNullOrEmpty(Set) ? Suite : $"{Set}/{Suite}";

    public int Passed => Cases.Count(c => c.Passed);

    public int Failed => Cases.Count(c => c.Failed);

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
