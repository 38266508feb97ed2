using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CogDdim.Simd;

/// <summary>256-bit float lanes (AVX2). The float16/bfloat16 conversions are integer recipes that agree bit
/// for bit with <c>(Half)float</c>, <c>(float)Half</c> and <c>(BFloat16)float</c>; see <see cref="HalfBits"/>.</summary>
internal readonly struct FloatLanes256 : IFloatLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> left, Vector256<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadSingle(ref float source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreSingle(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadHalf(ref ushort source) => HalfToSingle(LoadUInt16(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreHalf(Vector256<float> value, ref ushort destination) => StoreUInt16(SingleToHalf(value), ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadBFloat16(ref ushort source) => (LoadUInt16(ref source) << 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBFloat16(Vector256<float> value, ref ushort destination) => StoreUInt16(SingleToBFloat16(value), ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> RoundToHalf(Vector256<float> value)
    {
        // In the float domain, without leaving it: normal float16 keep 11 significant bits (round the 13 dropped
        // bits to even), from 65520 on it is ∞, below 2^-14 the float adder quantises to 2^-24 itself, a NaN keeps
        // the 10 payload bits float16 has room for, quieted. Equal to (float)(Half)x: LaneConversionTests.
        var bits = value.AsUInt32();
        var magnitude = bits & Vector256.Create(HalfBits.SingleMagnitudeMask);
        var m = magnitude.AsInt32();
        var keep = Vector256.Create(0xFFFF_E000u);
        var normal = (magnitude + Vector256.Create(0xFFFu) + ((magnitude >> 13) & Vector256<uint>.One)) & keep;
        normal = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(m, Vector256.Create((int)HalfBits.RoundsToInfinityAsSingle)).AsUInt32(), Vector256.Create(HalfBits.SingleInfinity), normal);
        var half = Vector256.Create(0.5f);
        var subnormal = ((Vector256.Abs(value) + half) - half).AsUInt32();
        var result = Vector256.ConditionalSelect(Vector256.LessThan(m, Vector256.Create((int)HalfBits.SmallestNormalAsSingle)).AsUInt32(), subnormal, normal);
        var nan = (magnitude | Vector256.Create(HalfBits.SingleQuietBit)) & keep;
        result = Vector256.ConditionalSelect(Vector256.GreaterThan(m, Vector256.Create((int)HalfBits.SingleInfinity)).AsUInt32(), nan, result);
        return (result | (bits & Vector256.Create(0x8000_0000u))).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> RoundToBFloat16(Vector256<float> value)
    {
        var bits = value.AsUInt32();
        var isNaN = Vector256.GreaterThan((bits & Vector256.Create(HalfBits.SingleMagnitudeMask)).AsInt32(), Vector256.Create((int)HalfBits.SingleInfinity)).AsUInt32();
        var rounded = (bits + Vector256.Create(0x7FFFu) + ((bits >> 16) & Vector256<uint>.One)) & Vector256.Create(0xFFFF_0000u);
        var quieted = (bits | Vector256.Create(HalfBits.BFloat16QuietBit << 16)) & Vector256.Create(0xFFFF_0000u);
        return Vector256.ConditionalSelect(isNaN, quieted, rounded).AsSingle();
    }

    /// <summary>float bits → float16 bits in the low half of each uint lane (recipe in <see cref="HalfBits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> SingleToHalf(Vector256<float> value)
    {
        var bits = value.AsUInt32();
        var sign = (bits >> 16) & Vector256.Create(HalfBits.SignMask);
        var magnitude = bits & Vector256.Create(HalfBits.SingleMagnitudeMask);
        var normal = (magnitude - Vector256.Create(HalfBits.ExponentRebias) + Vector256.Create(0xFFFu) + ((magnitude >> 13) & Vector256<uint>.One)) >> 13;
        var subnormal = (Vector256.Abs(value) + Vector256.Create(0.5f)).AsUInt32() - Vector256.Create(HalfBits.OneHalfBits);
        var nan = Vector256.Create(HalfBits.QuietNaN) | ((magnitude >> 13) & Vector256.Create(HalfBits.PayloadMask));
        var m = magnitude.AsInt32();
        var result = Vector256.ConditionalSelect(Vector256.LessThan(m, Vector256.Create((int)HalfBits.SmallestNormalAsSingle)).AsUInt32(), subnormal, normal);
        result = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(m, Vector256.Create((int)HalfBits.OverflowAsSingle)).AsUInt32(), Vector256.Create(HalfBits.Infinity), result);
        result = Vector256.ConditionalSelect(Vector256.GreaterThan(m, Vector256.Create((int)HalfBits.SingleInfinity)).AsUInt32(), nan, result);
        return result | sign;
    }

    /// <summary>float16 bits in uint lanes → float (recipe in <see cref="HalfBits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> HalfToSingle(Vector256<uint> half)
    {
        var magnitude = half & Vector256.Create((uint)HalfBits.MagnitudeMask);
        var sign = (half & Vector256.Create(HalfBits.SignMask)) << 16;
        var shifted = magnitude << 13;
        var finite = (shifted.AsSingle() * Vector256.Create(HalfBits.TwoPow112)).AsUInt32();
        var isNaN = Vector256.GreaterThan(magnitude.AsInt32(), Vector256.Create((int)HalfBits.Infinity)).AsUInt32();
        var special = shifted | Vector256.Create(HalfBits.SingleInfinity) | (isNaN & Vector256.Create(HalfBits.SingleQuietBit));
        var isSpecial = Vector256.GreaterThanOrEqual(magnitude.AsInt32(), Vector256.Create((int)HalfBits.Infinity)).AsUInt32();
        return (Vector256.ConditionalSelect(isSpecial, special, finite) | sign).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> SingleToBFloat16(Vector256<float> value)
    {
        var bits = value.AsUInt32();
        var isNaN = Vector256.GreaterThan((bits & Vector256.Create(HalfBits.SingleMagnitudeMask)).AsInt32(), Vector256.Create((int)HalfBits.SingleInfinity)).AsUInt32();
        var rounded = (bits + Vector256.Create(0x7FFFu) + ((bits >> 16) & Vector256<uint>.One)) >> 16;
        var quieted = (bits >> 16) | Vector256.Create(HalfBits.BFloat16QuietBit);
        return Vector256.ConditionalSelect(isNaN, quieted, rounded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> LoadUInt16(ref ushort source) =>
        Vector256.WidenLower(Vector128.LoadUnsafe(ref source).ToVector256Unsafe());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreUInt16(Vector256<uint> bits, ref ushort destination) =>
        Vector128.Narrow(bits.GetLower(), bits.GetUpper()).StoreUnsafe(ref destination);
}

/// <summary>256-bit double lanes.</summary>
internal readonly struct DoubleLanes256 : IDoubleLanes<Vector256<double>>
{
    public static int Count => Vector256<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Add(Vector256<double> left, Vector256<double> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Subtract(Vector256<double> left, Vector256<double> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Multiply(Vector256<double> left, Vector256<double> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Divide(Vector256<double> left, Vector256<double> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Broadcast(double value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Load(ref double source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<double> value, ref double destination) => value.StoreUnsafe(ref destination);
}
