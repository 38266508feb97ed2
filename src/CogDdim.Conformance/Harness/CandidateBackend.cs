using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Conformance;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>
/// A port in another language, run as a child process speaking <c>cogddim-candidate/1</c>, seen as a backend so that
/// <see cref="ConformanceRunner"/> drives it like any other. Each request carries its whole config, so the port can
/// be stateless; the backend remembers each config's schedule and each set_timesteps answer, so one case costs one
/// exchange.
/// </summary>
public sealed partial class CandidateBackend : ISchedulerBackend, IDisposable
{
    private readonly Dictionary<string, Answer<Schedule>> _schedules = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), Answer<ImmutableArray<long>>> _timesteps = [];

    /// <summary>A backend for the port <paramref name="options"/> describes; the port starts on the first call.</summary>
    /// <param name="options">The command line, timeouts and restart limit.</param>
    public CandidateBackend(CandidateOptions options) => Client = new CandidateClient(options);

    /// <inheritdoc/>
    public string Name => "candidate";

    /// <summary>The protocol client that talks to the port process: its handshake, incidents and restarts.</summary>
    public CandidateClient Client { get; }

    /// <inheritdoc/>
    public IScheduler Create(SchedulerConfig config, SemanticsProfile profile) => Create(config, profile, null);

    /// <summary>A scheduler inside the port for <paramref name="schedulerClass"/> (null: CogVideoXDDIMScheduler).</summary>
    internal CandidateScheduler Create(SchedulerConfig config, SemanticsProfile profile, string? schedulerClass)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(profile);
        var context = CandidateProtocol.Context.Of(config, profile) with { SchedulerClass = schedulerClass };
        return new CandidateScheduler(this, config, context, ScheduleOf(context).Get());
    }

    /// <summary>Shuts the port down (see <see cref="CandidateClient.Dispose"/>).</summary>
    public void Dispose() => Client.Dispose();

    /// <summary>A remembered answer: the value, or the exception the port's error maps to.</summary>
    private sealed record Answer<T>(T? Value, Exception? Error)
    {
        public T Get() => Error is null ? Value! : throw Error;
    }

    internal sealed record Schedule(ScheduleTables Tables, double InitNoiseSigma, int Order, int Length, ImmutableArray<long> Timesteps);

    private Answer<Schedule> ScheduleOf(CandidateProtocol.Context context)
    {
        if (_schedules.TryGetValue(context.Key, out var known))
        {
            return known;
        }

        // A broken port throws out of Send and nothing is remembered, so a restarted port is asked again.
        var answer = Send(CandidateProtocol.Schedule, context, _ => { }, result => new Schedule(
            new ScheduleTables(
                ReplyReader.Tensor(result, "betas"),
                ReplyReader.Tensor(result, "alphas"),
                ReplyReader.Tensor(result, "alphas_cumprod"),
                ReplyReader.Tensor(result, "final_alpha_cumprod")),
            ReplyReader.Number(result, "init_noise_sigma"),
            (int)ReplyReader.Integer(result, "order"),
            (int)ReplyReader.Integer(result, "len"),
            ReplyReader.Longs(result, "timesteps")));
        _schedules[context.Key] = answer;
        return answer;
    }

    internal ImmutableArray<long> TimestepsOf(CandidateProtocol.Context context, int numInferenceSteps)
    {
        Require(CandidateProtocol.SetTimesteps);
        if (!_timesteps.TryGetValue((context.Key, numInferenceSteps), out var answer))
        {
            answer = Send(CandidateProtocol.SetTimesteps, context, CandidateProtocol.SetTimestepsArgs(numInferenceSteps),
                result => ReplyReader.Longs(result, "timesteps"));
            _timesteps[(context.Key, numInferenceSteps)] = answer;
        }

        return answer.Get();
    }

    internal T Call<T>(string call, CandidateProtocol.Context context, Action<Utf8JsonWriter> args, Func<JsonElement, T> read, params HostTensor[] inputs)
    {
        Require(call);
        foreach (var input in inputs)
        {
            if (input.DType.IsFloatingPoint() && !Client.Handshake!.Supports(input.DType))
            {
                throw new CaseSkippedException($"the candidate does not support {input.DType.Name()} (its hello lists {string.Join(", ", Client.Handshake.DTypes)})");
            }
        }

        return Send(call, context, args, read).Get();
    }

    private void Require(string call)
    {
        var handshake = Client.Connect(call);
        if (!handshake.Supports(call))
        {
            throw new CaseSkippedException($"the candidate does not offer {call} (its hello lists {string.Join(", ", handshake.Calls)})");
        }
    }

    private Answer<T> Send<T>(string call, CandidateProtocol.Context context, Action<Utf8JsonWriter> args, Func<JsonElement, T> read)
    {
        using var reply = Client.Call(call, id => CandidateProtocol.CallRequest(id, call, context, args));
        if (reply.Result is { } result)
        {
            try
            {
                return new Answer<T>(read(result), null);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or OverflowException)
            {
                // A malformed result breaks the protocol like a malformed line: the port is killed and started again.
                var failure = new CandidateFailureException(CandidateVerdicts.ProtocolError, $"candidate's reply to {call}: {e.Message}");
                Client.Broke(failure, call);
                throw failure;
            }
        }

        if (call == CandidateProtocol.Schedule && reply.ErrorType == CandidateProtocol.Unsupported)
        {
            // schedule is the one required call: a port that cannot build a schedule checks nothing, so it fails.
            return new Answer<T>(default, new CandidateOtherError(CandidateProtocol.Unsupported,
                $"schedule is required by {CandidateProtocol.Version}; the candidate answered Unsupported: {reply.ErrorMessage}"));
        }

        return new Answer<T>(default, PortErrors.ToException(reply.ErrorType!, reply.ErrorMessage ?? string.Empty));
    }
}

/// <summary>A scheduler inside the port: every call is one request carrying the config.</summary>
internal sealed class CandidateScheduler(CandidateBackend backend, SchedulerConfig config, CandidateProtocol.Context context, CandidateBackend.Schedule schedule)
    : IScheduler
{
    private ImmutableArray<long>? _timesteps;

    public SchedulerConfig Config => config;

    public int Order => schedule.Order;

    public double InitNoiseSigma => schedule.InitNoiseSigma;

    public int Length => schedule.Length;

    public int? NumInferenceSteps { get; private set; }

    public IReadOnlyList<long> Timesteps => _timesteps ?? schedule.Timesteps;

    public ScheduleTables Tables => schedule.Tables;

    private bool _disposed;

    public void SetTimesteps(int numInferenceSteps)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _timesteps = backend.TimestepsOf(context, numInferenceSteps);
        NumInferenceSteps = numInferenceSteps;
    }

    public StepResult Step(HostTensor modelOutput, long timestep, HostTensor sample) =>
        _disposed ? throw new ObjectDisposedException(nameof(CandidateScheduler)) : backend.Call(CandidateProtocol.Step, context, CandidateProtocol.StepArgs(NumInferenceSteps, timestep, modelOutput, sample),
            result => new StepResult(ReplyReader.Tensor(result, "prev_sample"), ReplyReader.Tensor(result, "pred_original_sample")),
            modelOutput, sample);

    public HostTensor AddNoise(HostTensor originalSamples, HostTensor noise, HostTensor timesteps) =>
        _disposed ? throw new ObjectDisposedException(nameof(CandidateScheduler)) : backend.Call(CandidateProtocol.AddNoise, context, CandidateProtocol.NoiseArgs("original_samples", originalSamples, noise, timesteps),
            result => ReplyReader.Tensor(result, "noisy_samples"), originalSamples, noise);

    public HostTensor GetVelocity(HostTensor sample, HostTensor noise, HostTensor timesteps) =>
        _disposed ? throw new ObjectDisposedException(nameof(CandidateScheduler)) : backend.Call(CandidateProtocol.GetVelocity, context, CandidateProtocol.NoiseArgs("sample", sample, noise, timesteps),
            result => ReplyReader.Tensor(result, "velocity"), sample, noise);

    public HostTensor ScaleModelInput(HostTensor sample, long? timestep = null) =>
        _disposed ? throw new ObjectDisposedException(nameof(CandidateScheduler)) : sample;

    public void Dispose() => _disposed = true;
}

/// <summary>Reads the values of a reply's <c>result</c>; a malformed value is a <see cref="FormatException"/> naming it.</summary>
internal static class ReplyReader
{
    public static HostTensor Tensor(JsonElement result, string name)
    {
        var path = "result." + name;
        if (!result.TryGetProperty(name, out var t) || t.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path} is missing or not a tensor object");
        }

        if (!t.TryGetProperty("dtype", out var d) || d.ValueKind != JsonValueKind.String || !DTypes.TryParse(d.GetString(), out var dtype))
        {
            throw new FormatException($"{path}.dtype is missing or not one of float64, float32, float16, bfloat16, int64");
        }

        if (!t.TryGetProperty("shape", out var s) || s.ValueKind != JsonValueKind.Array
            || s.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var n) || n < 0))
        {
            throw new FormatException($"{path}.shape is missing or not a list of non-negative integers");
        }

        var shape = s.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        if (!t.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.String || !data.TryGetBytesFromBase64(out var bytes))
        {
            throw new FormatException($"{path}.data is missing or not base64");
        }

        try
        {
            return HostTensor.FromBytes(dtype, shape, bytes);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new FormatException($"{path}: {e.Message}");
        }
    }

    public static ImmutableArray<long> Longs(JsonElement result, string name)
    {
        var tensor = Tensor(result, name);
        return tensor.DType == DType.Int64 && tensor.Rank == 1
            ? [.. tensor.As<long>()]
            : throw new FormatException($"result.{name} is {tensor}, expected a 1-dimensional int64 tensor");
    }

    public static double Number(JsonElement result, string name) =>
        result.TryGetProperty(name, out var n) && n.ValueKind == JsonValueKind.Number
            ? n.GetDouble()
            : throw new FormatException($"result.{name} is missing or not a number");

    public static long Integer(JsonElement result, string name) =>
        result.TryGetProperty(name, out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt64(out var value)
            ? value
            : throw new FormatException($"result.{name} is missing or not an integer");
}

/// <summary>
/// The port's error classes (Python's names, as the fixtures record them) as .NET exceptions. Each carries the class
/// the port named (<see cref="IPythonErrorClass"/>), and a recorded error matches it only when the names are the same:
/// a port that answers TypeError where diffusers raised RuntimeError fails that case. The .NET base types remain for
/// code that catches them.
/// </summary>
public static class PortErrors
{
    /// <summary>
    /// The exception a reply's <c>error</c> maps to: the Python classes to <see cref="CandidateValueError"/> and its
    /// siblings (which <see cref="Backends.ErrorClasses"/> matches as diffusers' errors), <c>Unsupported</c> to a
    /// skipped case, anything else to <see cref="CandidateOtherError"/>.
    /// </summary>
    /// <param name="type">The reply's <c>error.type</c>.</param>
    /// <param name="message">The reply's <c>error.message</c>.</param>
    public static Exception ToException(string type, string message) => type switch
    {
        "ValueError" => new CandidateValueError(message),
        "IndexError" => new CandidateIndexError(message),
        "NotImplementedError" => new CandidateNotImplementedError(message),
        "ZeroDivisionError" => new CandidateZeroDivisionError(message),
        "TypeError" => new CandidateTypeError(message),
        "RuntimeError" => new CandidateRuntimeError(message),
        CandidateProtocol.Unsupported => new CaseSkippedException($"the candidate answered Unsupported: {message}"),
        _ => new CandidateOtherError(type, message),
    };
}

/// <summary>A port's ValueError answer (the Python class it named), for the recorded error to match by name.</summary>
/// <param name="message">The message the port gave.</param>
public sealed class CandidateValueError(string message) : ArgumentException(message), IPythonErrorClass
{
    /// <inheritdoc/>
    public string PythonClass => "ValueError";
}

/// <summary>A port's IndexError answer (the Python class it named), for the recorded error to match by name.</summary>
/// <param name="message">The message the port gave.</param>
public sealed class CandidateIndexError(string message) : ArgumentOutOfRangeException(null, message), IPythonErrorClass
{
    /// <inheritdoc/>
    public string PythonClass => "IndexError";
}

/// <summary>A port's NotImplementedError answer (the Python class it named), for the recorded error to match by name.</summary>
/// <param name="message">The message the port gave.</param>
public sealed class CandidateNotImplementedError(string message) : NotSupportedException(message), IPythonErrorClass
{
    /// <inheritdoc/>
    public string PythonClass => "NotImplementedError";
}

/// <summary>A port's ZeroDivisionError answer (the Python class it named), for the recorded error to match by name.</summary>
/// <param name="message">The message the port gave.</param>
public sealed class CandidateZeroDivisionError(string message) : DivideByZeroException(message), IPythonErrorClass
{
    /// <inheritdoc/>
    public string PythonClass => "ZeroDivisionError";
}

/// <summary>A port's TypeError answer (the Python class it named), for the recorded error to match by name.</summary>
/// <param name="message">The message the port gave.</param>
public sealed class CandidateTypeError(string message) : ArgumentException(message), IPythonErrorClass
{
    /// <inheritdoc/>
    public string PythonClass => "TypeError";
}

/// <summary>Python's RuntimeError (torch raises it, e.g. for a complex linspace bound): diffusers run as a port answers it.</summary>
public sealed class CandidateRuntimeError(string message) : InvalidOperationException(message), IPythonErrorClass
{
    /// <inheritdoc/>
    public string PythonClass => "RuntimeError";
}

/// <summary>Any other error class (the port's own bug, say): matches only a recorded error of the same class name.</summary>
public sealed class CandidateOtherError(string type, string message)
    : Exception(string.Create(CultureInfo.InvariantCulture, $"{type}: {message}")), IPythonErrorClass
{
    /// <summary>The class the port answered, as it spelled it.</summary>
    public string Type { get; } = type;

    /// <inheritdoc/>
    public string PythonClass => Type;
}
