// The seeded CogVideoX-5b DPM loop of a cogddim-seeded-trajectory/1 recording, run with CogDdim.Runtime only.
//
//   SeededLoopApp RECORDING PROFILE   (PROFILE: torch2-cpu or torch113-cpu)
//
// For each recorded loop: torch.Generator().manual_seed(seed) as a TorchGenerator, prepare_latents as
// CogVideoXLatents.Prepare, then the pipeline's loop over SpanScheduler.CreateDpm's timesteps: the scaled-latents-v1
// stand-in model (round_to_dtype(float32(x) * c_i), then upcast), the stateless DPM step with old_pred_original_sample,
// timestep_back and the generator (a TorchNoiseSource that draws as diffusers' randn_tensor), then the cast back.
// Prints one JSON object: every tensor as a digest in the recording's own encoding, the assemblies this process
// loaded, and the lines of /proc/self/maps that name torch. Asserts nothing: SeededFiveBTests compares.
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using CogDdim;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Rng;
using CogDdim.Scheduling;
using CogDdim.Semantics;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: SeededLoopApp RECORDING PROFILE");
    return 2;
}

using var document = JsonDocument.Parse(File.ReadAllBytes(args[0]));
var root = document.RootElement;
var profile = SemanticsProfile.FindByName(args[1]) ?? throw new ArgumentException($"unknown profile {args[1]}");
var config = SchedulerConfigReader.Read(root.GetProperty("config"), args[0], ConfigStrictness.Strict).Config;
var seed = root.GetProperty("generator_seed").GetUInt64();
var steps = root.GetProperty("num_inference_steps").GetInt32();
var edge = root.GetProperty("edge").GetInt32();
var scales = root.GetProperty("model").GetProperty("scales").EnumerateArray().Select(e => e.GetDouble()).ToArray();
var p = root.GetProperty("prepare_latents");
var options = new CogVideoXLatentOptions
{
    BatchSize = p.GetProperty("batch_size").GetInt32(),
    NumChannelsLatents = p.GetProperty("num_channels_latents").GetInt32(),
    NumFrames = p.GetProperty("num_frames").GetInt32(),
    Height = p.GetProperty("height").GetInt32(),
    Width = p.GetProperty("width").GetInt32(),
    VaeScaleFactorTemporal = p.GetProperty("vae_scale_factor_temporal").GetInt32(),
    VaeScaleFactorSpatial = p.GetProperty("vae_scale_factor_spatial").GetInt32(),
    PatchSizeT = p.GetProperty("patch_size_t").ValueKind == JsonValueKind.Null ? null : p.GetProperty("patch_size_t").GetInt32(),
};

using var stdout = Console.OpenStandardOutput();
using var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = false });
w.WriteStartObject();
w.WriteStartArray("loops");
foreach (var loop in root.GetProperty("loops").EnumerateArray())
{
    switch ((loop.GetProperty("dtype").GetString(), loop.GetProperty("model_dtype").GetString()))
    {
        case ("bfloat16", "float32"): Loop<BFloat16>(w, "bfloat16"); break;
        case ("float32", "float32"): Loop<float>(w, "float32"); break;
        case var other: throw new NotSupportedException($"no loop for {other}");
    }
}

w.WriteEndArray();
w.WriteStartArray("assemblies");
foreach (var name in AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? string.Empty).Order(StringComparer.Ordinal))
{
    w.WriteStringValue(name);
}

w.WriteEndArray();
w.WriteStartArray("torch_mappings");
if (File.Exists("/proc/self/maps"))
{
    foreach (var line in File.ReadLines("/proc/self/maps").Where(l => l.Contains("torch", StringComparison.OrdinalIgnoreCase)).Distinct())
    {
        w.WriteStringValue(line);
    }
}

w.WriteEndArray();
w.WriteBoolean("proc_maps_read", File.Exists("/proc/self/maps"));
w.WriteEndObject();
w.Flush();
return 0;

void Loop<TLatent>(Utf8JsonWriter w, string dtype)
    where TLatent : unmanaged, IFloatingPointIeee754<TLatent>
{
    var generator = new TorchGenerator(seed);
    var prepared = CogVideoXLatents.Prepare<TLatent>(options, generator, 1.0, profile);   // prepare_latents: the first draw
    var shape = prepared.Shape.ToArray();
    var latents = prepared.Data;
    var n = latents.Length;
    var scheduler = SpanScheduler.CreateDpm(config, profile);
    scheduler.SetTimesteps(steps);
    var noise = new DigestingSource(new TorchNoiseSource(generator, profile.Randn)) { Edge = edge };
    var model = new float[n];
    var prev = new float[n];
    var x0 = new float[n];
    float[]? old = null;
    w.WriteStartObject();
    w.WriteString("dtype", dtype);
    w.WriteStartArray("timesteps");
    foreach (var t in scheduler.Timesteps)
    {
        w.WriteNumberValue(t);
    }

    w.WriteEndArray();
    w.WritePropertyName("latents");
    Digest<TLatent>(w, latents, shape);
    w.WriteStartArray("steps");
    for (var i = 0; i < scheduler.Timesteps.Count; i++)
    {
        // scaled-latents-v1: (latents * c_i) in the latents' dtype (one rounding of an exact float32 product), then .float()
        var c = (float)scales[i];
        for (var j = 0; j < n; j++)
        {
            var product = TorchArithmetic.Convert<TLatent, float>(latents[j]) * c;
            model[j] = TorchArithmetic.Convert<TLatent, float>(TorchArithmetic.Convert<float, TLatent>(product));
        }

        var t = scheduler.Timesteps[i];
        long? back = i > 0 ? scheduler.Timesteps[i - 1] : null;
        noise.Draws.Clear();
        scheduler.Step<TLatent, float>(model, old ?? [], t, back, latents, noise, prev, x0);
        w.WriteStartObject();
        w.WriteNumber("timestep", t);
        w.WritePropertyName("model_output");
        Digest<float>(w, model, shape);
        w.WriteStartArray("noises");
        foreach (var draw in noise.Draws)
        {
            w.WriteRawValue(draw, skipInputValidation: true);
        }

        w.WriteEndArray();
        w.WritePropertyName("prev_sample");
        Digest<float>(w, prev, shape);
        w.WritePropertyName("pred_original_sample");
        Digest<float>(w, x0, shape);
        var next = new TLatent[n];
        for (var j = 0; j < n; j++)
        {
            next[j] = TorchArithmetic.Convert<float, TLatent>(prev[j]);   // latents.to(dtype): a copy for float32
        }

        if (typeof(TLatent) != typeof(float))
        {
            w.WritePropertyName("latents");
            Digest<TLatent>(w, next, shape);
        }

        w.WriteEndObject();
        latents = next;
        old = [.. x0];
    }

    w.WriteEndArray();
    w.WriteEndObject();
}

void Digest<T>(Utf8JsonWriter w, ReadOnlySpan<T> values, int[] shape)
    where T : unmanaged
{
    var bytes = MemoryMarshal.AsBytes(values);
    var width = bytes.Length / values.Length;
    w.WriteStartObject();
    w.WriteString("dtype", typeof(T) == typeof(float) ? "float32" : "bfloat16");
    w.WriteStartArray("shape");
    foreach (var d in shape)
    {
        w.WriteNumberValue(d);
    }

    w.WriteEndArray();
    w.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(bytes)));
    w.WriteNumber("edge", edge);
    w.WriteBase64String("head", bytes[..(edge * width)]);
    w.WriteBase64String("tail", bytes[^(edge * width)..]);
    w.WriteEndObject();
}

/// <summary>Passes each draw through and keeps its digest (JSON), so the loop's noise can be compared with diffusers'.</summary>
internal sealed class DigestingSource(INoiseSource inner) : INoiseSource
{
    public List<string> Draws { get; } = [];

    public int Edge { get; init; } = 4;

    public void FillStandardNormal<T>(Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        inner.FillStandardNormal(destination);
        var bytes = MemoryMarshal.AsBytes((ReadOnlySpan<T>)destination);
        var width = bytes.Length / destination.Length;
        Draws.Add(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            ["head"] = Convert.ToBase64String(bytes[..(Edge * width)]),
            ["tail"] = Convert.ToBase64String(bytes[^(Edge * width)..]),
            ["dtype"] = typeof(T) == typeof(float) ? "float32" : "bfloat16",
        }));
    }
}
