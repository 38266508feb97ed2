namespace CogDdim.Generators;

/// <summary>One AdditionalFile with its item metadata, as the pipeline first sees it.</summary>
internal sealed record InputFile(
    string Path,
    string Text,
    string? ClassName,
    string? Namespace,
    string? Profile,
    bool DiffusersCompatible,
    string? RootNamespace);

/// <summary>
/// The 14 constructor arguments of a config. Enum-valued keys keep their text: a value outside the allowed set only
/// gets this far with CogDdimDiffusersCompatible, and the generated scheduler then fails where diffusers fails.
/// </summary>
internal sealed record ConfigSpec(
    int NumTrainTimesteps,
    double BetaStart,
    double BetaEnd,
    string BetaSchedule,
    EquatableArray<double>? TrainedBetas,
    bool ClipSample,
    bool SetAlphaToOne,
    int StepsOffset,
    string PredictionType,
    double ClipSampleRange,
    double SampleMaxValue,
    string TimestepSpacing,
    bool RescaleBetasZeroSnr,
    double SnrShiftScale)
{
    public static readonly string[] BetaSchedules = ["linear", "scaled_linear", "squaredcos_cap_v2"];
    public static readonly string[] PredictionTypes = ["epsilon", "sample", "v_prediction"];
    public static readonly string[] TimestepSpacings = ["linspace", "leading", "trailing"];

    public bool BetaScheduleValid => System.Array.IndexOf(BetaSchedules, BetaSchedule) >= 0;

    public bool PredictionTypeValid => System.Array.IndexOf(PredictionTypes, PredictionType) >= 0;

    public bool TimestepSpacingValid => System.Array.IndexOf(TimestepSpacings, TimestepSpacing) >= 0;

    /// <summary>diffusers' constructor fails (NotImplementedError) when no betas can be made.</summary>
    public bool ConstructionFails => TrainedBetas is null && !BetaScheduleValid;

    /// <summary>scaled_linear keeps the whole schedule in float64; every other source is float32.</summary>
    public bool HasFloat64Table => TrainedBetas is null && BetaSchedule == "scaled_linear";
}

/// <summary>Everything the emitter needs for one generated class; compares by value so Roslyn can cache it.</summary>
internal sealed record SchedulerSpec(
    string FilePath,
    string Namespace,
    string ClassName,
    string Profile,
    ConfigSpec Config,
    string SchedulerClass = Parser.ExpectedClassName)
{
    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;

    /// <summary>The config is a CogVideoXDPMScheduler's (its <c>_class_name</c>, or a fixture's <c>reference.class</c>).</summary>
    public bool IsDpm => SchedulerClass == Parser.DpmClassName;
}

/// <summary>Where a diagnostic points: a span of the JSON file with its line positions.</summary>
internal sealed record LocationInfo(string Path, int Start, int Length, int StartLine, int StartCharacter, int EndLine, int EndCharacter);

/// <summary>A diagnostic as plain data (descriptor id, location, message arguments).</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments);

/// <summary>What parsing one file gives: a spec (null when an error prevents generating) and its diagnostics.</summary>
internal sealed record ParseResult(SchedulerSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>One config emitted: its source, or the diagnostic that stopped it (CDDIM016, CDDIM018).</summary>
internal sealed record EmittedScheduler(string FullName, string FilePath, string HintName, string? Source, DiagnosticInfo? Failure, bool IsDpm = false);

/// <summary>The class one config produces, and whether its source was emitted.</summary>
internal sealed record SchedulerName(string FullName, string FilePath, bool Emitted, bool IsDpm = false);

/// <summary>A config whose class another config (the first by path) already produces: CDDIM009.</summary>
internal sealed record DuplicateName(string FullName, string FirstPath, string Path);

/// <summary>Every class of the compilation, sorted by path: the ones kept and the duplicates skipped.</summary>
internal sealed record NameTable(EquatableArray<SchedulerName> Kept, EquatableArray<DuplicateName> Duplicates)
{
    public bool IsDuplicate(string path)
    {
        foreach (var duplicate in Duplicates)
        {
            if (duplicate.Path == path)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What the compilation references: CogDdim.Runtime (the schedulers need it), CogDdim.Conformance (the adapter).</summary>
internal sealed record References(bool HasRuntime, bool HasConformance);
