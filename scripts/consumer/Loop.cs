// Shared by the consumer test's app and checker (scripts/consumer-test.sh copies it into both): the CogVideoX-5b
// pipeline loop (bfloat16 latents, float32 model output, the step in float32, the cast back to bfloat16) around any
// step function, with a deterministic stand-in for the transformer, and a checksum of the final latents' bits.
using CogDdim.Numerics;

internal static class Loop
{
    public const int Steps = 50;
    public static readonly int[] Shape = [1, 13, 16, 12, 20];

    public delegate void StepFunction(ReadOnlySpan<float> modelOutput, long timestep, ReadOnlySpan<BFloat16> sample, Span<float> prevSample, Span<float> predOriginalSample);

    public static ulong Run(IReadOnlyList<long> timesteps, StepFunction step)
    {
        var count = Shape.Aggregate(1, (a, b) => a * b);
        var random = new Random(5);
        var latents = new BFloat16[count];
        for (var i = 0; i < count; i++)
        {
            latents[i] = (BFloat16)(float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        var noisePred = new float[count];
        var prev = new float[count];
        var x0 = new float[count];
        foreach (var t in timesteps)
        {
            var strength = (float)(t / 1000.0);
            for (var i = 0; i < count; i++)
            {
                noisePred[i] = (strength * (float)latents[i]) - ((1 - strength) * MathF.Sin(i * 0.001f));
            }

            step(noisePred, t, latents, prev, x0);
            for (var i = 0; i < count; i++)
            {
                latents[i] = (BFloat16)prev[i]; // latents.to(dtype)
            }
        }

        var hash = 14695981039346656037UL; // FNV-1a over the bits
        foreach (var v in latents)
        {
            hash = (hash ^ BitConverter.SingleToUInt32Bits((float)v)) * 1099511628211UL;
        }

        return hash;
    }
}
