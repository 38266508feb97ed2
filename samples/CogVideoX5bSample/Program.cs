using System.Globalization;
using CogDdim;
using CogDdim.Numerics;
using CogVideoX5bSample;

// A 50-step CogVideoX-5b denoising loop as the diffusers pipeline runs it: bfloat16 latents, a float32 model output,
// step in float32, the result cast back to bfloat16. The scheduler is CogVideoX5b.Scheduler (a CogDdim.ISpanScheduler),
// generated at compile time from CogVideoX-5b/scheduler/scheduler_config.json: no JSON is read and nothing is reflected
// at run time.
const int steps = 50;
int[] shape = [1, 13, 16, 12, 20]; // batch, latent frames, channels, height, width (a small stand-in for 60 × 90)
var count = shape.Aggregate(1, (a, b) => a * b);

var scheduler = new CogVideoX5b.Scheduler();
scheduler.SetTimesteps(steps);

var random = new Random(5);
var latents = new BFloat16[count];
for (var i = 0; i < count; i++)
{
    latents[i] = (BFloat16)(float)NormalSample(random); // init_noise_sigma is 1
}

var noisePred = new float[count];
var prev = new float[count];
var x0 = new float[count];
for (var k = 0; k < scheduler.Timesteps.Count; k++)
{
    var t = scheduler.Timesteps[k];
    StandInModel(latents, t, noisePred);
    scheduler.Step<BFloat16, float>(noisePred, t, latents, prev, x0);
    LatentCast.ToBFloat16(prev, latents); // latents.to(prompt_embeds.dtype): (BFloat16)prev[i], vectorized
}

var mean = latents.Average(v => (double)(float)v);
var std = Math.Sqrt(latents.Average(v => Math.Pow((float)v - mean, 2)));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"CogVideoX-5b: {scheduler.Timesteps.Count} steps ({scheduler.Timesteps[0]} … {scheduler.Timesteps[^1]}), {CogVideoX5b.PredictionTypeName}, {CogVideoX5b.TimestepSpacingName} spacing, profile {CogVideoX5b.SemanticsProfileName}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"latents [{string.Join(", ", shape)}] bfloat16: mean {mean:F6}, std {std:F6}, checksum {Checksum(latents):X16}"));
return 0;

// A deterministic stand-in for the transformer: a v-prediction that pulls the latents toward a fixed pattern.
static void StandInModel(ReadOnlySpan<BFloat16> latents, long timestep, Span<float> output)
{
    var strength = (float)(timestep / 1000.0);
    for (var i = 0; i < latents.Length; i++)
    {
        var target = MathF.Sin(i * 0.001f);
        output[i] = (strength * (float)latents[i]) - ((1 - strength) * target);
    }
}

static double NormalSample(Random random) =>
    Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

static ulong Checksum(ReadOnlySpan<BFloat16> values)
{
    var hash = 14695981039346656037UL; // FNV-1a over the bits
    foreach (var v in values)
    {
        hash = (hash ^ BitConverter.SingleToUInt32Bits((float)v)) * 1099511628211UL;
    }

    return hash;
}
