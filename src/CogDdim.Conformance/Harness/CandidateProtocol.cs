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
    public const string Version = "cogddim-candidate/1";

    public const string Hello = "hello";
    public const string Schedule = "schedule";
    public const string SetTimesteps = "set_timesteps";
    public const string Step = "step";
    public const string AddNoise = "add_noise";
    public const string GetVelocity = "get_velocity";
    public const string Shutdown = "shutdown";

    /// <summary>The scheduler calls a port can offer; <c>schedule</c> is required.</summary>
    public static readonly ImmutableArray<string> Calls = [Schedule, SetTimesteps, Step, AddNoise, GetVelocity, CandidateDpmProtocol.DpmStep];

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

    public static string ShutdownRequest(long id) => Write(w =>
    {
        w.WriteNumber("id", id);
        w.WriteString("call", Shutdown);
    });

    /// <summary>The config and semantics a scheduler call runs under, serialized once and reused in every request.</summary>
    public sealed record Context(string ConfigJson, string SemanticsJson)
    {
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

        public string Key => ConfigJson + "\n" + SemanticsJson;

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
        w.WriteStartObject("args");
        writeArgs(w);
        w.WriteEndObject();
    });

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

    public static Action<Utf8JsonWriter> NoiseArgs(string inputName, HostTensor input, HostTensor noise, HostTensor timesteps) => w =>
    {
        FixtureWriter.WriteTensor(w, inputName, input);
        FixtureWriter.WriteTensor(w, "noise", noise);
        FixtureWriter.WriteTensor(w, "timesteps", timesteps);
    };

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
