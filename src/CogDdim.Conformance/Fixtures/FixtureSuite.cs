using System.Collections.Immutable;
using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Fixtures;

/// <summary>A recorded failure: the Python exception class and its text.</summary>
public sealed record FixtureError(string Type, string Message);

/// <summary>The <c>reference</c> block: which library, torch build and semantics produced a suite.</summary>
public sealed record FixtureReference(
    string Library,
    string Version,
    string Class,
    string Torch,
    string Numpy,
    string Python,
    string Device,
    SemanticsProfile Semantics);

public sealed record ScheduleRecord(
    HostTensor Betas,
    HostTensor Alphas,
    HostTensor AlphasCumprod,
    HostTensor FinalAlphaCumprod,
    double InitNoiseSigma,
    int Order,
    int Len,
    HostTensor Timesteps);

public sealed record SetTimestepsCase(int NumInferenceSteps, ImmutableArray<long>? Timesteps, FixtureError? Error);

public sealed record StepCase(
    int NumInferenceSteps,
    long Timestep,
    HostTensor Sample,
    HostTensor ModelOutput,
    HostTensor? PrevSample,
    HostTensor? PredOriginalSample,
    FixtureError? Error);

public sealed record TrajectoryCase(
    int NumInferenceSteps,
    DType DType,
    string Model,
    HostTensor Latents,
    ImmutableArray<long> Timesteps,
    ImmutableArray<HostTensor> ModelOutputs,
    ImmutableArray<HostTensor> PrevSamples,
    ImmutableArray<HostTensor> PredOriginalSamples,
    DType? ModelDType,
    bool CastBack,
    FixtureError? Error);

/// <summary>An <c>add_noise</c> case (<see cref="Input"/> is original_samples) or a <c>get_velocity</c> case (sample).</summary>
public sealed record NoiseCase(HostTensor Input, HostTensor Noise, HostTensor Timesteps, HostTensor? Expected, FixtureError? Error);

public sealed record ErrorCallCase(string Call, FixtureError Error);

/// <summary>
/// A <c>dpm_step</c> case of a <c>CogVideoXDPMScheduler</c> suite: the call's arguments, every noise draw of its
/// generator in order (<see cref="Noise"/>), the index of the draw that entered prev_sample, and the results or the error.
/// </summary>
public sealed record DpmStepCase(
    int NumInferenceSteps,
    string Variant,
    long Timestep,
    long? TimestepBack,
    long PrevTimestep,
    HostTensor Sample,
    HostTensor ModelOutput,
    HostTensor? OldPredOriginalSample,
    long GeneratorSeed,
    ImmutableArray<HostTensor> Noise,
    int? NoiseUsed,
    HostTensor? PrevSample,
    HostTensor? PredOriginalSample,
    FixtureError? Error);

/// <summary>A <c>dpm_trajectories</c> loop: the pipeline's loop with one generator; <see cref="Noises"/>[i] are step i's draws (the last counts).</summary>
public sealed record DpmTrajectoryCase(
    int NumInferenceSteps,
    DType DType,
    string Model,
    long GeneratorSeed,
    HostTensor Latents,
    ImmutableArray<long> Timesteps,
    ImmutableArray<HostTensor> ModelOutputs,
    ImmutableArray<ImmutableArray<HostTensor>> Noises,
    ImmutableArray<HostTensor> PrevSamples,
    ImmutableArray<HostTensor> PredOriginalSamples,
    DType? ModelDType,
    bool CastBack,
    FixtureError? Error);

/// <summary>A <c>dpm_scalars</c> entry: the 0-dim tensors one step computed, by diffusers' variable names.</summary>
public sealed record DpmScalarsCase(int NumInferenceSteps, long Timestep, long? TimestepBack, long PrevTimestep, ImmutableSortedDictionary<string, HostTensor> Values);

/// <summary>One <c>cogddim-fixture/1</c> file: a config run through diffusers with every input and output recorded.</summary>
public sealed record FixtureSuite
{
    public const string FormatName = "cogddim-fixture/1";

    public required string Name { get; init; }

    public required string Description { get; init; }

    public required FixtureReference Reference { get; init; }

    public required SchedulerConfig Config { get; init; }

    public FixtureError? ConstructError { get; init; }

    public ScheduleRecord? Schedule { get; init; }

    public ImmutableArray<SetTimestepsCase> SetTimesteps { get; init; } = [];

    public ImmutableArray<StepCase> Steps { get; init; } = [];

    public ImmutableArray<TrajectoryCase> Trajectories { get; init; } = [];

    public ImmutableArray<NoiseCase> AddNoise { get; init; } = [];

    public ImmutableArray<NoiseCase> GetVelocity { get; init; } = [];

    public ImmutableArray<ErrorCallCase> Errors { get; init; } = [];

    /// <summary><c>dpm_step</c> (CogVideoXDPMScheduler suites only).</summary>
    public ImmutableArray<DpmStepCase> DpmSteps { get; init; } = [];

    /// <summary><c>dpm_trajectories</c>.</summary>
    public ImmutableArray<DpmTrajectoryCase> DpmTrajectories { get; init; } = [];

    /// <summary><c>dpm_scalars</c> (optional debugging data; not replayed as cases).</summary>
    public ImmutableArray<DpmScalarsCase> DpmScalars { get; init; } = [];

    /// <summary><c>dpm_errors</c>: calls that must fail.</summary>
    public ImmutableArray<ErrorCallCase> DpmErrors { get; init; } = [];

    /// <summary><c>reference.class</c> is <c>CogVideoXDPMScheduler</c>: the step cases are the dpm_* lists.</summary>
    public bool IsDpm => Reference.Class == "CogVideoXDPMScheduler";

    /// <summary>The longest suite name the reader accepts.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The file it was read from, or a name given by the caller.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>The fixture set a suite belongs to: the folder that holds it (e.g. <c>torch-2.6-cpu</c>).</summary>
    public string SetName => string.IsNullOrEmpty(Source) ? string.Empty : Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(Source))) ?? string.Empty;
}

/// <summary>Malformed fixture input, naming the file, the 1-based line and column where known, and the JSON path.</summary>
public sealed class FixtureFormatException : Exception
{
    public FixtureFormatException(string file, string jsonPath, string message, Exception? inner = null)
        : this(file, jsonPath, message, null, null, inner)
    {
    }

    /// <summary>A problem at a 1-based <paramref name="line"/> and <paramref name="column"/> (UTF-16 characters).</summary>
    public FixtureFormatException(string file, string jsonPath, string message, int? line, int? column, Exception? inner = null)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{file}: {(line is { } l ? $"line {l}, column {column}: " : string.Empty)}{(line is not null && jsonPath == "$" ? string.Empty : $"at {jsonPath}: ")}{message}"), inner)
    {
        File = file;
        JsonPath = jsonPath;
        Detail = message;
        Line = line;
        Column = column;
    }

    public string File { get; }

    public string JsonPath { get; }

    /// <summary>The problem alone, without the file, position or path.</summary>
    public string Detail { get; }

    /// <summary>1-based, or null where the position is not known.</summary>
    public int? Line { get; }

    /// <summary>1-based, with <see cref="Line"/>.</summary>
    public int? Column { get; }
}
