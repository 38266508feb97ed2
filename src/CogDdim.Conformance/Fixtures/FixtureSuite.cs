using System.Collections.Immutable;
using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Fixtures;

/// <summary>A recorded failure: the Python exception class and its text.</summary>
/// <param name="Type">The Python class, e.g. <c>ValueError</c>; a port maps it to its own idiom.</param>
/// <param name="Message">Its text (not compared).</param>
public sealed record FixtureError(string Type, string Message);

/// <summary>The <c>reference</c> block: which library, torch build and semantics produced a suite.</summary>
/// <param name="Library">The library: <c>diffusers</c>.</param>
/// <param name="Version">Its version, e.g. <c>0.37.0</c>.</param>
/// <param name="Class">The scheduler class: <c>CogVideoXDDIMScheduler</c>.</param>
/// <param name="Torch">The torch version.</param>
/// <param name="Numpy">The numpy version.</param>
/// <param name="Python">The Python version.</param>
/// <param name="Device">The device: <c>cpu</c>.</param>
/// <param name="Semantics">What the recording torch build does where builds differ (<c>reference.semantics</c>).</param>
public sealed record FixtureReference(
    string Library,
    string Version,
    string Class,
    string Torch,
    string Numpy,
    string Python,
    string Device,
    SemanticsProfile Semantics);

/// <summary>The suite's <c>schedule</c> block: what the freshly built scheduler holds before any <c>set_timesteps</c>.</summary>
/// <param name="Betas">diffusers' <c>betas</c>, in the dtype diffusers keeps them.</param>
/// <param name="Alphas">diffusers' <c>alphas</c> (<c>1 - betas</c>).</param>
/// <param name="AlphasCumprod">diffusers' <c>alphas_cumprod</c>, after any <c>snr_shift_scale</c> and zero-SNR rescaling.</param>
/// <param name="FinalAlphaCumprod">diffusers' <c>final_alpha_cumprod</c>: a 0-dim tensor (1.0 with <c>set_alpha_to_one</c>, else <c>alphas_cumprod[0]</c>).</param>
/// <param name="InitNoiseSigma">diffusers' <c>init_noise_sigma</c>.</param>
/// <param name="Order">diffusers' <c>order</c>.</param>
/// <param name="Len">diffusers' <c>len(scheduler)</c>: <c>num_train_timesteps</c>.</param>
/// <param name="Timesteps">The int64 <c>timesteps</c> before any <c>set_timesteps</c>.</param>
public sealed record ScheduleRecord(
    HostTensor Betas,
    HostTensor Alphas,
    HostTensor AlphasCumprod,
    HostTensor FinalAlphaCumprod,
    double InitNoiseSigma,
    int Order,
    int Len,
    HostTensor Timesteps);

/// <summary>A <c>set_timesteps</c> entry: the timesteps for one <c>num_inference_steps</c>, or the error diffusers raised.</summary>
/// <param name="NumInferenceSteps">The <c>num_inference_steps</c> given.</param>
/// <param name="Timesteps">The resulting int64 timesteps; null when <paramref name="Error"/> is set.</param>
/// <param name="Error">The recorded failure, or null.</param>
public sealed record SetTimestepsCase(int NumInferenceSteps, ImmutableArray<long>? Timesteps, FixtureError? Error);

/// <summary>A <c>step</c> case: one <c>step</c> on a fresh scheduler given <c>set_timesteps(N)</c>.</summary>
/// <param name="NumInferenceSteps">The N of <c>set_timesteps</c>.</param>
/// <param name="Timestep">The <c>timestep</c> argument.</param>
/// <param name="Sample">The <c>sample</c> argument.</param>
/// <param name="ModelOutput">The <c>model_output</c> argument (may be float32 over a bf16/fp16 sample, as in the CogVideoX pipeline).</param>
/// <param name="PrevSample">The recorded <c>prev_sample</c>, in the dtype torch's promotion gives; null when <paramref name="Error"/> is set.</param>
/// <param name="PredOriginalSample">The recorded <c>pred_original_sample</c>; null when <paramref name="Error"/> is set.</param>
/// <param name="Error">The recorded failure, or null.</param>
public sealed record StepCase(
    int NumInferenceSteps,
    long Timestep,
    HostTensor Sample,
    HostTensor ModelOutput,
    HostTensor? PrevSample,
    HostTensor? PredOriginalSample,
    FixtureError? Error);

/// <summary>A <c>trajectories</c> entry: a closed denoising loop over every inference timestep.</summary>
/// <param name="NumInferenceSteps">The N of <c>set_timesteps</c>.</param>
/// <param name="DType">The latents' dtype.</param>
/// <param name="Model">The model that produced the outputs: <c>dummy-v1</c> (<c>sample * t / (t + 1)</c>).</param>
/// <param name="Latents">The starting sample.</param>
/// <param name="Timesteps">The timesteps the loop ran over.</param>
/// <param name="ModelOutputs">The model output of each step.</param>
/// <param name="PrevSamples">What each step returned as <c>prev_sample</c>.</param>
/// <param name="PredOriginalSamples">What each step returned as <c>pred_original_sample</c>.</param>
/// <param name="ModelDType">The pipeline-style loops' <c>model_dtype</c> (<c>float32</c>: the model output is upcast); null for plain loops.</param>
/// <param name="CastBack">Whether the next sample is <c>prev_samples[i]</c> converted back to <paramref name="DType"/>.</param>
/// <param name="Error">The recorded failure of the loop, or null.</param>
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
/// <param name="Input">The first tensor argument.</param>
/// <param name="Noise">The <c>noise</c> argument.</param>
/// <param name="Timesteps">The int64 <c>timesteps</c>, one per batch item.</param>
/// <param name="Expected">The recorded <c>noisy_samples</c> or <c>velocity</c>; null when <paramref name="Error"/> is set.</param>
/// <param name="Error">The recorded failure, or null.</param>
public sealed record NoiseCase(HostTensor Input, HostTensor Noise, HostTensor Timesteps, HostTensor? Expected, FixtureError? Error);

/// <summary>An <c>errors</c> entry: a call that must fail.</summary>
/// <param name="Call">The call, e.g. <c>step_before_set_timesteps</c>.</param>
/// <param name="Error">The recorded failure.</param>
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
    /// <summary>The <c>format</c> value: <c>cogddim-fixture/1</c>.</summary>
    public const string FormatName = "cogddim-fixture/1";

    /// <summary>The suite's id (also its file name).</summary>
    public required string Name { get; init; }

    /// <summary>One line of prose about the suite.</summary>
    public required string Description { get; init; }

    /// <summary>The <c>reference</c> block: library, torch build and semantics.</summary>
    public required FixtureReference Reference { get; init; }

    /// <summary>The full effective config, all 14 keys of diffusers' <c>__init__</c>.</summary>
    public required SchedulerConfig Config { get; init; }

    /// <summary>The <c>construct_error</c>: set only when the constructor raised; then nothing else is recorded.</summary>
    public FixtureError? ConstructError { get; init; }

    /// <summary>The <c>schedule</c> block; null when <see cref="ConstructError"/> is set.</summary>
    public ScheduleRecord? Schedule { get; init; }

    /// <summary>The <c>set_timesteps</c> cases.</summary>
    public ImmutableArray<SetTimestepsCase> SetTimesteps { get; init; } = [];

    /// <summary>The <c>step</c> cases.</summary>
    public ImmutableArray<StepCase> Steps { get; init; } = [];

    /// <summary>The <c>trajectories</c>: closed loops.</summary>
    public ImmutableArray<TrajectoryCase> Trajectories { get; init; } = [];

    /// <summary>The <c>add_noise</c> cases.</summary>
    public ImmutableArray<NoiseCase> AddNoise { get; init; } = [];

    /// <summary>The <c>get_velocity</c> cases.</summary>
    public ImmutableArray<NoiseCase> GetVelocity { get; init; } = [];

    /// <summary>The <c>errors</c> cases: calls that must fail.</summary>
    public ImmutableArray<ErrorCallCase> Errors { get; init; } = [];

    /// <summary><c>dpm_step</c> (CogVideoXDPMScheduler suites only).</summary>
    public ImmutableArray<DpmStepCase> DpmSteps { get; init; } = [];

    /// <summary><c>dpm_trajectories</c>.</summary>
    public ImmutableArray<DpmTrajectoryCase> DpmTrajectories { get; init; } = [];

    /// <summary><c>dpm_scalars</c> (optional debugging data; not replayed as cases).</summary>
    public ImmutableArray<DpmScalarsCase> DpmScalars { get; init; } = [];

    /// <summary><c>dpm_errors</c>: calls that must fail.</summary>
    public ImmutableArray<ErrorCallCase> DpmErrors { get; init; } = [];

    /// <summary>
    /// The <c>cogddim-randn/1</c> file this suite stands for (<see cref="RandnFixture.ToSuite"/>), or null for a
    /// scheduler suite: then its cases are the file's draws, run through an <see cref="Backends.IRandnBackend"/>.
    /// </summary>
    public RandnFixture? Randn { get; init; }

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
    /// <summary>A format error at a place in a file.</summary>
    /// <param name="file">The file (or name) being read.</param>
    /// <param name="jsonPath">Where in it, e.g. <c>$.step[3].sample.data</c>, or a line and byte for invalid JSON.</param>
    /// <param name="message">What is wrong.</param>
    /// <param name="inner">The underlying error, if any.</param>
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

    /// <summary>The file (or name) being read.</summary>
    public string File { get; }

    /// <summary>Where in the file: a JSON path such as <c>$.step[3].sample</c>.</summary>
    public string JsonPath { get; }

    /// <summary>The problem alone, without the file, position or path.</summary>
    public string Detail { get; }

    /// <summary>1-based, or null where the position is not known.</summary>
    public int? Line { get; }

    /// <summary>1-based, with <see cref="Line"/>.</summary>
    public int? Column { get; }
}
