using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using CogDdim.Config;
using CogDdim.Fixtures;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>
/// The names and message shapes of <c>cogddim-candidate/1</c> (docs/candidate-protocol.md,
/// docs/schemas/cogddim-candidate-1.schema.json): one JSON object per line, a request on the port's stdin, one reply
/// per request on its stdout, in order.
/// </summary>
public static class CandidateProtocol
{
    /// <summary>The protocol name a hello request and its reply carry.</summary>
    public const string Version = "cogddim-candidate/1";

    /// <summary>The handshake call, always the first request.</summary>
    public const string Hello = "hello";
    /// <summary>The call that builds a scheduler: the tables, <c>init_noise_sigma</c>, <c>order</c>, <c>len</c> and the initial timesteps.</summary>
    public const string Schedule = "schedule";
    /// <summary>diffusers' <c>set_timesteps(num_inference_steps)</c>.</summary>
    public const string SetTimesteps = "set_timesteps";
    /// <summary>diffusers' <c>step</c>; trajectories are replayed as sequences of it.</summary>
    public const string Step = "step";
    /// <summary>diffusers' <c>add_noise</c>.</summary>
    public const string AddNoise = "add_noise";
    /// <summary>diffusers' <c>get_velocity</c>.</summary>
    public const string GetVelocity = "get_velocity";
    /// <summary>The last request: the port answers and exits.</summary>
    public const string Shutdown = "shutdown";

    /// <summary>
    /// The calls a port can list in its hello: the scheduler calls (<c>schedule</c> required), <c>randn</c>, and
    /// <c>randn_state</c> (not a call: it says the port's <c>randn</c> returns torch's state bytes).
    /// </summary>
    public static readonly ImmutableArray<string> Calls = [Schedule, SetTimesteps, Step, AddNoise, GetVelocity, CandidateDpmProtocol.DpmStep,
        CandidateRandnProtocol.Randn, CandidateRandnProtocol.RandnState];

    /// <summary>The error type a port answers for a call or dtype it does not implement: the case is skipped.</summary>
    public const string Unsupported = "Unsupported";

    /// <summary>The first request: what the harness is; the reply says what the port is and can do.</summary>
    public static string HelloRequest(long id, string harnessVersion) => Write(w =>
    {
        w.WriteNumber("id", id);
        w.WriteString("call", Hello);
        w.WriteString("protocol", Version);
        w.WriteString("harness", harnessVersion);
    });

    /// <summary>The last request: <c>{"id", "call": "shutdown"}</c>.</summary>
    /// <param name="id">The request id.</param>
    public static string ShutdownRequest(long id) => Write(w =>
    {
        w.WriteNumber("id", id);
        w.WriteString("call", Shutdown);
    });

    /// <summary>The config and semantics a scheduler call runs under, serialized once and reused in every request.</summary>
    /// <param name="ConfigJson">The config, all 14 keys, as compact JSON.</param>
    /// <param name="SemanticsJson">The <c>reference.semantics</c> object, as compact JSON.</param>
    public sealed record Context(string ConfigJson, string SemanticsJson)
    {
        /// <summary>
        /// The diffusers class a request is for, sent as <c>scheduler_class</c> when it is not the default
        /// CogVideoXDDIMScheduler (additive: a DDIM-only port never sees it), so that a port's errors can name it as
        /// diffusers' do.
        /// </summary>
        public string? SchedulerClass { get; init; }

        /// <summary>Serializes a config (all 14 keys) and a semantics profile as the requests carry them.</summary>
        /// <param name="config">The suite's config.</param>
        /// <param name="profile">The suite's <c>reference.semantics</c>.</param>
        public static Context Of(SchedulerConfig config, SemanticsProfile profile)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                w.WriteStartObject();
                FixtureWriter.WriteSemantics(w, profile);
                w.WriteEndObject();
            }

            using var document = JsonDocument.Parse(stream.ToArray());
            var semantics = document.RootElement.GetProperty("semantics").GetRawText();
            return new Context(Compact(SchedulerConfigWriter.ToJson(config)), semantics);
        }

        /// <summary>Config and semantics together: the key the backend caches schedules by.</summary>
        public string Key => ConfigJson + "\n" + SemanticsJson + "\n" + SchedulerClass;

        private static string Compact(string json)
        {
            using var document = JsonDocument.Parse(json);
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream))
            {
                document.RootElement.WriteTo(w);
            }

            return Encoding.UTF8.GetString(stream.ToArray());
        }
    }

    /// <summary>A scheduler call: <c>{"id", "call", "config", "semantics", "args"}</c>.</summary>
    public static string CallRequest(long id, string call, Context context, Action<Utf8JsonWriter> writeArgs) => Write(w =>
    {
        ArgumentNullException.ThrowIfNull(context);
        w.WriteNumber("id", id);
        w.WriteString("call", call);
        w.WritePropertyName("config");
        w.WriteRawValue(context.ConfigJson, skipInputValidation: true);
        w.WritePropertyName("semantics");
        w.WriteRawValue(context.SemanticsJson, skipInputValidation: true);
        if (context.SchedulerClass is { } schedulerClass)
        {
            w.WriteString("scheduler_class", schedulerClass);
        }

        w.WriteStartObject("args");
        writeArgs(w);
        w.WriteEndObject();
    });

    /// <summary>The <c>step</c> args: <c>num_inference_steps</c>, <c>timestep</c>, <c>model_output</c>, <c>sample</c>.</summary>
    /// <param name="numInferenceSteps">The N the fresh scheduler was given with <c>set_timesteps</c>; null: it never was.</param>
    /// <param name="timestep">The timestep.</param>
    /// <param name="modelOutput">The model output.</param>
    /// <param name="sample">The sample.</param>
    public static Action<Utf8JsonWriter> StepArgs(int? numInferenceSteps, long timestep, HostTensor modelOutput, HostTensor sample) => w =>
    {
        if (numInferenceSteps is { } n)
        {
            w.WriteNumber("num_inference_steps", n);
        }
        else
        {
            w.WriteNull("num_inference_steps");
        }

        w.WriteNumber("timestep", timestep);
        FixtureWriter.WriteTensor(w, "model_output", modelOutput);
        FixtureWriter.WriteTensor(w, "sample", sample);
    };

    /// <summary>The <c>add_noise</c> or <c>get_velocity</c> args: the input, <c>noise</c> and int64 <c>timesteps</c>.</summary>
    /// <param name="inputName"><c>original_samples</c> for add_noise, <c>sample</c> for get_velocity.</param>
    /// <param name="input">The input tensor.</param>
    /// <param name="noise">The noise.</param>
    /// <param name="timesteps">int64, one per batch item.</param>
    public static Action<Utf8JsonWriter> NoiseArgs(string inputName, HostTensor input, HostTensor noise, HostTensor timesteps) => w =>
    {
        FixtureWriter.WriteTensor(w, inputName, input);
        FixtureWriter.WriteTensor(w, "noise", noise);
        FixtureWriter.WriteTensor(w, "timesteps", timesteps);
    };

    /// <summary>The <c>set_timesteps</c> args.</summary>
    /// <param name="numInferenceSteps">diffusers' <c>num_inference_steps</c>.</param>
    public static Action<Utf8JsonWriter> SetTimestepsArgs(int numInferenceSteps) => w => w.WriteNumber("num_inference_steps", numInferenceSteps);

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
