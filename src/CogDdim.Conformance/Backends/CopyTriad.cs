using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CogDdim.Simd;

/// <summary>
/// The memory-bandwidth baseline of the benchmarks: the least work that moves a step's bytes. It reads two buffers and
/// writes two, as a step does (<c>c = a + k * b</c>, STREAM's triad, and <c>d = b</c>, a copy), with the same vector
/// loop shape and the same threads as the step loops, so that "step time / copy-triad time" is the cost of the
/// arithmetic and conversions above streaming the memory.
/// </summary>
public static unsafe class CopyTriad
{
    /// <summary>Runs the triad and the copy over float views of the buffers (any element type; equal byte lengths).</summary>
    public static void Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, Span<float> d, float k, int maxThreads)
    {
        if (b.Length != a.Length || c.Length != a.Length || d.Length != a.Length)
        {
            throw new ArgumentException($"the copy-triad buffers have {a.Length}, {b.Length}, {c.Length} and {d.Length} floats; they must match");
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        fixed (float* pd = d)
        {
            var job = new TriadJob { A = pa, B = pb, C = pc, D = pd, K = k };
            ParallelChunks.Run(&Chunk, &job, a.Length, maxThreads);
        }
    }

    private struct TriadJob
    {
        public float* A;
        public float* B;
        public float* C;
        public float* D;
        public float K;
    }

    private static void Chunk(void* job, int start, int end)
    {
        var j = (TriadJob*)job;
        ref var a = ref Unsafe.AsRef<float>(j->A + start);
        ref var b = ref Unsafe.AsRef<float>(j->B + start);
        ref var c = ref Unsafe.AsRef<float>(j->C + start);
        ref var d = ref Unsafe.AsRef<float>(j->D + start);
        var n = end - start;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var k = Vector512.Create(j->K);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var bv = Vector512.LoadUnsafe(ref b, (nuint)i);
                (Vector512.LoadUnsafe(ref a, (nuint)i) + (k * bv)).StoreUnsafe(ref c, (nuint)i);
                bv.StoreUnsafe(ref d, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var k = Vector256.Create(j->K);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var bv = Vector256.LoadUnsafe(ref b, (nuint)i);
                (Vector256.LoadUnsafe(ref a, (nuint)i) + (k * bv)).StoreUnsafe(ref c, (nuint)i);
                bv.StoreUnsafe(ref d, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            var bv = Unsafe.Add(ref b, i);
            Unsafe.Add(ref c, i) = Unsafe.Add(ref a, i) + (j->K * bv);
            Unsafe.Add(ref d, i) = bv;
        }
    }

    /// <summary>Views any unmanaged buffer as floats (its byte length must be a multiple of 4).</summary>
    public static Span<float> AsFloats<T>(Span<T> buffer)
        where T : unmanaged => MemoryMarshal.Cast<T, float>(buffer);
}
