using CogDdim.Numerics;
using CogDdim.Simd;

namespace CogDdim;

/// <summary>
/// Vectorized <c>tensor.to(dtype)</c> between float32 and float16/bfloat16 spans: the pipeline's
/// <c>latents.to(prompt_embeds.dtype)</c> after each step, and the widening before it. Each element equals the scalar
/// cast bit for bit: <c>(BFloat16)float</c> and <c>(Half)float</c> round to nearest, ties to even, overflow to ∞, keep
/// subnormals, and turn a NaN into a quiet NaN with the payload bits that fit (as torch's <c>c10::Half</c> and
/// <c>c10::BFloat16</c> do); widening is exact. Nothing is allocated; long spans are split over the worker threads of
/// <see cref="SimdScheduler{TTable}"/> (at most <c>maxThreads</c>; 0, the default, means every logical processor).
/// </summary>
/// <remarks>The destination must be as long as the source and must not overlap it.</remarks>
public static unsafe class LatentCast
{
    /// <summary><c>destination[i] = (BFloat16)source[i]</c>.</summary>
    public static void ToBFloat16(ReadOnlySpan<float> source, Span<BFloat16> destination, int maxThreads = 0) =>
        Run<float, BFloat16>(source, destination, maxThreads);

    /// <summary><c>destination[i] = (Half)source[i]</c>.</summary>
    public static void ToHalf(ReadOnlySpan<float> source, Span<Half> destination, int maxThreads = 0) =>
        Run<float, Half>(source, destination, maxThreads);

    /// <summary><c>destination[i] = (float)source[i]</c> (exact).</summary>
    public static void ToSingle(ReadOnlySpan<BFloat16> source, Span<float> destination, int maxThreads = 0) =>
        Run<BFloat16, float>(source, destination, maxThreads);

    /// <summary><c>destination[i] = (float)source[i]</c> (exact).</summary>
    public static void ToSingle(ReadOnlySpan<Half> source, Span<float> destination, int maxThreads = 0) =>
        Run<Half, float>(source, destination, maxThreads);

    private static void Run<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> destination, int maxThreads)
        where TFrom : unmanaged
        where TTo : unmanaged
    {
        if (destination.Length != source.Length)
        {
            throw new ArgumentException($"destination has {destination.Length} elements, source {source.Length}", nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxThreads);
        fixed (TFrom* from = source)
        fixed (TTo* to = destination)
        {
            var job = new CastJob { Source = from, Destination = to };
            ParallelChunks.Run(Driver<CastKernel<TFrom, TTo>, float>.Body, &job, source.Length, maxThreads == 0 ? Environment.ProcessorCount : maxThreads);
        }
    }
}
