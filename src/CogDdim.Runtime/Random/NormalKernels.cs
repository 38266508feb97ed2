using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using CogDdim.Numerics;

namespace CogDdim.Rng;

/// <summary>
/// torch's CPU <c>normal_(0, 1)</c> kernels over a contiguous buffer of 16 or more elements (<c>normal_fill</c>):
/// first one uniform per element, then Box-Muller on each block of 16 (lanes j and j + 8 share a pair: <c>u1 = 1 -
/// u[j]</c> feeds the radius, <c>u[j + 8]</c> the angle; cos goes to j, sin to j + 8); when the length is not a
/// multiple of 16, 16 fresh uniforms are drawn and the last 16 elements recomputed from them. The uniforms of the
/// partial block are drawn but never used. Nothing here touches the generator's cached normal sample.
/// </summary>
internal static class NormalKernels
{
    // Uniforms are drawn and transformed in chunks of this many elements (a multiple of 16), so nothing is allocated
    // beyond one scratch buffer on the stack and everything stays in L1.
    private const int Chunk = 1024;

    private const double TwoPiDouble = 2.0 * Math.PI; // 2.0f * c10::pi<double>

    // ---------------------------------------------------------------- float32

    [SkipLocalsInit]
    public static void FillFloat(Mt19937 engine, Span<float> data, RandnFloat32Kernel kernel)
    {
        var n = data.Length;
        Span<uint> raw = stackalloc uint[Chunk];
        var full = n - (n % 16);
        for (var start = 0; start < n; start += Chunk)
        {
            var count = Math.Min(Chunk, n - start);
            var words = raw[..count];
            engine.Fill(words);
            var blocks = Math.Max(0, Math.Min(count, full - start)) & ~15;
            if (blocks > 0)
            {
                var target = data.Slice(start, blocks);
                UniformFloat(words[..blocks], target);
                TransformFloat(target, kernel);
            }
        }

        if (n % 16 != 0)
        {
            var words = raw[..16];
            engine.Fill(words);
            var tail = data[(n - 16)..];
            UniformFloat(words, tail);
            TransformFloat(tail, kernel);
        }
    }

    /// <summary><c>uniform_real_distribution&lt;float&gt;(0, 1)</c>: the low 24 bits of one draw, times 2^-24.</summary>
    private static void UniformFloat(ReadOnlySpan<uint> words, Span<float> destination)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var mask = Vector256.Create(0xFFFFFFu);
            var scale = Vector256.Create(1f / 16777216f);
            for (; i + 8 <= words.Length; i += 8)
            {
                var w = Vector256.Create(words.Slice(i, 8)) & mask;
                (Vector256.ConvertToSingle(w.AsInt32()) * scale).CopyTo(destination.Slice(i, 8));
            }
        }

        for (; i < words.Length; i++)
        {
            destination[i] = (words[i] & 0xFFFFFF) * (1f / 16777216f);
        }
    }

    private static void TransformFloat(Span<float> data, RandnFloat32Kernel kernel)
    {
        if (kernel == RandnFloat32Kernel.Libm)
        {
            for (var b = 0; b < data.Length; b += 16)
            {
                LibmBlockFloat(data.Slice(b, 16));
            }

            return;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            ref var d = ref MemoryMarshal.GetReference(data);
            var one = Vector256<float>.One;
            var minusTwo = Vector256.Create(-2f);
            var twoPi = Vector256.Create(CephesFloat.TwoPi);
            for (nuint b = 0; b < (nuint)data.Length; b += 16)
            {
                var u1 = one - Vector256.LoadUnsafe(ref d, b);
                var u2 = Vector256.LoadUnsafe(ref d, b + 8);
                var radius = Vector256.Sqrt(minusTwo * CephesFloat.Log(u1));
                CephesFloat.SinCos(twoPi * u2, out var sin, out var cos);
                // fma(n, std, mean) with std = 1 and mean = 0: n + 0.
                ((radius * cos) + Vector256<float>.Zero).StoreUnsafe(ref d, b);
                ((radius * sin) + Vector256<float>.Zero).StoreUnsafe(ref d, b + 8);
            }

            return;
        }

        for (var b = 0; b < data.Length; b += 16)
        {
            var block = data.Slice(b, 16);
            for (var j = 0; j < 8; j++)
            {
                var radius = MathF.Sqrt(-2f * CephesFloat.Log(1f - block[j]));
                CephesFloat.SinCos(CephesFloat.TwoPi * block[j + 8], out var sin, out var cos);
                block[j] = (radius * cos) + 0f;
                block[j + 8] = (radius * sin) + 0f;
            }
        }
    }

    private static void LibmBlockFloat(Span<float> block)
    {
        for (var j = 0; j < 8; j++)
        {
            var u1 = 1f - block[j];
            var u2 = block[j + 8];
            var radius = MathF.Sqrt(-2f * MathF.Log(u1));
            var theta = (float)(TwoPiDouble * u2);
            block[j] = (radius * MathF.Cos(theta)) + 0f;
            block[j + 8] = (radius * MathF.Sin(theta)) + 0f;
        }
    }

    // ---------------------------------------------------------------- float64

    [SkipLocalsInit]
    public static void FillDouble(Mt19937 engine, Span<double> data)
    {
        var n = data.Length;
        Span<uint> raw = stackalloc uint[2 * Chunk];
        var full = n - (n % 16);
        for (var start = 0; start < n; start += Chunk)
        {
            var count = Math.Min(Chunk, n - start);
            var words = raw[..(2 * count)];
            engine.Fill(words);
            var blocks = Math.Max(0, Math.Min(count, full - start)) & ~15;
            if (blocks > 0)
            {
                var target = data.Slice(start, blocks);
                UniformDouble(words[..(2 * blocks)], target);
                TransformDouble(target);
            }
        }

        if (n % 16 != 0)
        {
            var words = raw[..32];
            engine.Fill(words);
            var tail = data[(n - 16)..];
            UniformDouble(words, tail);
            TransformDouble(tail);
        }
    }

    /// <summary>The low 53 bits of <c>random64()</c> (first draw high, second low), times 2^-53.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Uniform53(uint high, uint low) => ((((ulong)high << 32) | low) & ((1UL << 53) - 1)) * (1.0 / 9007199254740992.0);

    private static void UniformDouble(ReadOnlySpan<uint> words, Span<double> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = Uniform53(words[2 * i], words[(2 * i) + 1]);
        }
    }

    private static void TransformDouble(Span<double> data)
    {
        for (var b = 0; b < data.Length; b += 16)
        {
            var block = data.Slice(b, 16);
            for (var j = 0; j < 8; j++)
            {
                var u1 = 1.0 - block[j];
                var u2 = block[j + 8];
                var radius = Math.Sqrt(-2.0 * Math.Log(u1));
                // glibc's sincos gives sin's and cos's bits (checked on 2e7 angles; the fixtures replay it).
                var (sin, cos) = Math.SinCos(TwoPiDouble * u2);
                block[j] = (radius * cos) + 0.0;
                block[j + 8] = (radius * sin) + 0.0;
            }
        }
    }

    // ---------------------------------------------------------------- float16 / bfloat16

    [SkipLocalsInit]
    public static void FillHalf(Mt19937 engine, Span<Half> data, RandnReducedKernel kernel) =>
        FillReduced(engine, MemoryMarshal.Cast<Half, ushort>(data), kernel, default(HalfOps));

    [SkipLocalsInit]
    public static void FillBFloat16(Mt19937 engine, Span<BFloat16> data, RandnReducedKernel kernel) =>
        FillReduced(engine, MemoryMarshal.Cast<BFloat16, ushort>(data), kernel, default(BFloat16Ops));

    [SkipLocalsInit]
    private static void FillReduced<TOps>(Mt19937 engine, Span<ushort> data, RandnReducedKernel kernel, TOps ops)
        where TOps : struct, IReducedOps
    {
        var tables = ReducedTables<TOps>.For(kernel);
        var n = data.Length;
        Span<uint> raw = stackalloc uint[Chunk];
        var full = n - (n % 16);
        for (var start = 0; start < n; start += Chunk)
        {
            var count = Math.Min(Chunk, n - start);
            var words = raw[..count];
            engine.Fill(words);
            var blocks = Math.Max(0, Math.Min(count, full - start)) & ~15;
            if (blocks > 0)
            {
                TransformReduced(words[..blocks], data.Slice(start, blocks), tables, ops);
            }
        }

        if (n % 16 != 0)
        {
            var words = raw[..16];
            engine.Fill(words);
            TransformReduced(words, data[(n - 16)..], tables, ops);
        }
    }

    /// <summary>
    /// One Box-Muller block of 16 from the uniforms' numerators (<c>u = k / 2^digits</c>): the radius depends on
    /// <c>k</c> of lane j only and cos/sin on <c>k</c> of lane j + 8 only, so they come from tables that
    /// <see cref="ReducedTables{TOps}"/> fills once with the same libm calls.
    /// </summary>
    private static void TransformReduced<TOps>(ReadOnlySpan<uint> words, Span<ushort> data, ReducedTables<TOps> tables, TOps ops)
        where TOps : struct, IReducedOps
    {
        var mask = (uint)tables.Radius.Length - 1;
        var radiusTable = tables.Radius;
        var cosTable = tables.Cos;
        var sinTable = tables.Sin;
        for (var b = 0; b < data.Length; b += 16)
        {
            for (var j = 0; j < 8; j++)
            {
                var radius = radiusTable[(int)(words[b + j] & mask)];
                var angle = (int)(words[b + j + 8] & mask);

                // "* std + mean" with std = 1, mean = 0: exact, except that -0 + 0 is +0.
                data[b + j] = ops.Bits(ops.Round(radius * cosTable[angle]) + 0f);
                data[b + j + 8] = ops.Bits(ops.Round(radius * sinTable[angle]) + 0f);
            }
        }
    }

    /// <summary>
    /// The per-uniform parts of the reduced Box-Muller, for all 2^digits uniforms (256 for bfloat16, 2048 for
    /// float16), computed as torch computes them (every value below is exact in the dtype unless rounded with R):
    /// <list type="bullet">
    /// <item><see cref="RandnReducedKernel.ReducedSteps"/>: radius <c>R(sqrt(-2 * R(log(1 - u))))</c>, cos
    /// <c>R(cos(θ))</c>, sin <c>R(sin(θ))</c>;</item>
    /// <item><see cref="RandnReducedKernel.FloatMath"/>: radius <c>R(sqrt(-2 * log(1 - u)))</c>, cos and sin in float;</item>
    /// </list>
    /// with <c>θ = R((float)(2π * u))</c> and libm's float <c>logf</c>/<c>cosf</c>/<c>sinf</c>. The element is then
    /// <c>R(radius * cos)</c> (lane j) and <c>R(radius * sin)</c> (lane j + 8).
    /// </summary>
    private sealed class ReducedTables<TOps>
        where TOps : struct, IReducedOps
    {
        private static readonly Lazy<ReducedTables<TOps>> Steps = new(() => new(RandnReducedKernel.ReducedSteps));
        private static readonly Lazy<ReducedTables<TOps>> FloatMath = new(() => new(RandnReducedKernel.FloatMath));

        private ReducedTables(RandnReducedKernel kernel)
        {
            var ops = default(TOps);
            var size = 1 << ops.Digits;
            var scale = 1f / size;
            Radius = new float[size];
            Cos = new float[size];
            Sin = new float[size];
            for (var k = 0; k < size; k++)
            {
                var u = k * scale;
                var u1 = 1f - u;
                var theta = ops.Round((float)(TwoPiDouble * u));
                if (kernel == RandnReducedKernel.ReducedSteps)
                {
                    Radius[k] = ops.Round(MathF.Sqrt(-2f * ops.Round(MathF.Log(u1))));
                    Cos[k] = ops.Round(MathF.Cos(theta));
                    Sin[k] = ops.Round(MathF.Sin(theta));
                }
                else
                {
                    Radius[k] = ops.Round(MathF.Sqrt(-2f * MathF.Log(u1)));
                    Cos[k] = MathF.Cos(theta);
                    Sin[k] = MathF.Sin(theta);
                }
            }
        }

        public float[] Radius { get; }

        public float[] Cos { get; }

        public float[] Sin { get; }

        public static ReducedTables<TOps> For(RandnReducedKernel kernel) => kernel == RandnReducedKernel.ReducedSteps ? Steps.Value : FloatMath.Value;
    }

    internal interface IReducedOps
    {
        int Digits { get; }

        float Round(float value);

        ushort Bits(float exactValue);
    }

    /// <summary>
    /// float16 rounding by bit arithmetic, for the finite values of Box-Muller (|x| &lt; 65520; no NaN); the same
    /// round-to-nearest-even as <c>(Half)x</c>, about five times faster.
    /// </summary>
    internal readonly struct HalfOps : IReducedOps
    {
        public int Digits => 11;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Round(float value)
        {
            var bits = BitConverter.SingleToUInt32Bits(value);
            if ((bits & 0x7FFFFFFF) < 0x38800000)
            {
                // Below 2^-14 a float16 is a multiple of 2^-24 (subnormal): scale, round to even, scale back (exact).
                return MathF.Round(value * 16777216f) * (1f / 16777216f);
            }

            bits += 0xFFF + ((bits >> 13) & 1);
            return BitConverter.UInt32BitsToSingle(bits & 0xFFFFE000);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ushort Bits(float exactValue)
        {
            var bits = BitConverter.SingleToUInt32Bits(exactValue);
            var sign = (ushort)((bits >> 16) & 0x8000);
            var magnitude = bits & 0x7FFFFFFF;
            if (magnitude < 0x38800000)
            {
                return (ushort)(sign | (ushort)(BitConverter.UInt32BitsToSingle(magnitude) * 16777216f));
            }

            return (ushort)(sign | ((magnitude - 0x38000000) >> 13));
        }
    }

    /// <summary>bfloat16 rounding by bit arithmetic (round to nearest even), for finite values.</summary>
    internal readonly struct BFloat16Ops : IReducedOps
    {
        public int Digits => 8;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Round(float value)
        {
            var bits = BitConverter.SingleToUInt32Bits(value);
            bits += 0x7FFF + ((bits >> 16) & 1);
            return BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ushort Bits(float exactValue) => (ushort)(BitConverter.SingleToUInt32Bits(exactValue) >> 16);
    }
}
