using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CogDdim.Simd;

/// <summary>512-bit float lanes (AVX-512). The float16/bfloat16 conversions are integer recipes that agree bit
/// for bit with <c>(Half)float</c>, <c>(float)Half</c> and <c>(BFloat16)float</c>; see <see cref="HalfBits"/>.</summary>
internal readonly struct FloatLanes512 : IFloatLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> left, Vector512<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadSingle(ref float source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreSingle(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadHalf(ref ushort source) => HalfToSingle(LoadUInt16(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreHalf(Vector512<float> value, ref ushort destination) => StoreUInt16(SingleToHalf(value), ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadBFloat16(ref ushort source) => (LoadUInt16(ref source) << 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBFloat16(Vector512<float> value, ref ushort destination) => StoreUInt16(SingleToBFloat16(value), ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> RoundToHalf(Vector512<float> value)
    {
        // In the float domain, without leaving it: normal float16 keep 11 significant bits (round the 13 dropped
        // bits to even), from 65520 on it is ∞, below 2^-14 the float adder quantises to 2^-24 itself, a NaN keeps
        // the 10 payload bits float16 has room for, quieted. Equal to (float)(Half)x: LaneConversionTests.
        var bits = value.AsUInt32();
        var magnitude = bits & Vector512.Create(HalfBits.SingleMagnitudeMask);
        var m = magnitude.AsInt32();
        var keep = Vector512.Create(0xFFFF_E000u);
        var normal = (magnitude + Vector512.Create(0xFFFu) + ((magnitude >> 13) & Vector512<uint>.One)) & keep;
        normal = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(m, Vector512.Create((int)HalfBits.RoundsToInfinityAsSingle)).AsUInt32(), Vector512.Create(HalfBits.SingleInfinity), normal);
        var half = Vector512.Create(0.5f);
        var subnormal = ((Vector512.Abs(value) + half) - half).AsUInt32();
        var result = Vector512.ConditionalSelect(Vector512.LessThan(m, Vector512.Create((int)HalfBits.SmallestNormalAsSingle)).AsUInt32(), subnormal, normal);
        var nan = (magnitude | Vector512.Create(HalfBits.SingleQuietBit)) & keep;
        result = Vector512.ConditionalSelect(Vector512.GreaterThan(m, Vector512.Create((int)HalfBits.SingleInfinity)).AsUInt32(), nan, result);
        return (result | (bits & Vector512.Create(0x8000_0000u))).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> RoundToBFloat16(Vector512<float> value)
    {
        var bits = value.AsUInt32();
        var isNaN = Vector512.GreaterThan((bits & Vector512.Create(HalfBits.SingleMagnitudeMask)).AsInt32(), Vector512.Create((int)HalfBits.SingleInfinity)).AsUInt32();
        var rounded = (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) & Vector512.Create(0xFFFF_0000u);
        var quieted = (bits | Vector512.Create(HalfBits.BFloat16QuietBit << 16)) & Vector512.Create(0xFFFF_0000u);
        return Vector512.ConditionalSelect(isNaN, quieted, rounded).AsSingle();
    }

    /// <summary>float bits → float16 bits in the low half of each uint lane (recipe in <see cref="HalfBits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> SingleToHalf(Vector512<float> value)
    {
        var bits = value.AsUInt32();
        var sign = (bits >> 16) & Vector512.Create(HalfBits.SignMask);
        var magnitude = bits & Vector512.Create(HalfBits.SingleMagnitudeMask);
        var normal = (magnitude - Vector512.Create(HalfBits.ExponentRebias) + Vector512.Create(0xFFFu) + ((magnitude >> 13) & Vector512<uint>.One)) >> 13;
        var subnormal = (Vector512.Abs(value) + Vector512.Create(0.5f)).AsUInt32() - Vector512.Create(HalfBits.OneHalfBits);
        var nan = Vector512.Create(HalfBits.QuietNaN) | ((magnitude >> 13) & Vector512.Create(HalfBits.PayloadMask));
        var m = magnitude.AsInt32();
        var result = Vector512.ConditionalSelect(Vector512.LessThan(m, Vector512.Create((int)HalfBits.SmallestNormalAsSingle)).AsUInt32(), subnormal, normal);
        result = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(m, Vector512.Create((int)HalfBits.OverflowAsSingle)).AsUInt32(), Vector512.Create(HalfBits.Infinity), result);
        result = Vector512.ConditionalSelect(Vector512.GreaterThan(m, Vector512.Create((int)HalfBits.SingleInfinity)).AsUInt32(), nan, result);
        return result | sign;
    }

    /// <summary>float16 bits in uint lanes → float (recipe in <see cref="HalfBits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> HalfToSingle(Vector512<uint> half)
    {
        var magnitude = half & Vector512.Create((uint)HalfBits.MagnitudeMask);
        var sign = (half & Vector512.Create(HalfBits.SignMask)) << 16;
        var shifted = magnitude << 13;
        var finite = (shifted.AsSingle() * Vector512.Create(HalfBits.TwoPow112)).AsUInt32();
        var isNaN = Vector512.GreaterThan(magnitude.AsInt32(), Vector512.Create((int)HalfBits.Infinity)).AsUInt32();
        var special = shifted | Vector512.Create(HalfBits.SingleInfinity) | (isNaN & Vector512.Create(HalfBits.SingleQuietBit));
        var isSpecial = Vector512.GreaterThanOrEqual(magnitude.AsInt32(), Vector512.Create((int)HalfBits.Infinity)).AsUInt32();
        return (Vector512.ConditionalSelect(isSpecial, special, finite) | sign).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> SingleToBFloat16(Vector512<float> value)
    {
        var bits = value.AsUInt32();
        var isNaN = Vector512.GreaterThan((bits & Vector512.Create(HalfBits.SingleMagnitudeMask)).AsInt32(), Vector512.Create((int)HalfBits.SingleInfinity)).AsUInt32();
        var rounded = (bits + Vector512.Create(0x7FFFu) + ((bits >> 16) & Vector512<uint>.One)) >> 16;
        var quieted = (bits >> 16) | Vector512.Create(HalfBits.BFloat16QuietBit);
        return Vector512.ConditionalSelect(isNaN, quieted, rounded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> LoadUInt16(ref ushort source) =>
        Vector512.WidenLower(Vector256.LoadUnsafe(ref source).ToVector512Unsafe());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreUInt16(Vector512<uint> bits, ref ushort destination) =>
        Vector256.Narrow(bits.GetLower(), bits.GetUpper()).StoreUnsafe(ref destination);
}

/// <summary>512-bit double lanes.</summary>
internal readonly struct DoubleLanes512 : IDoubleLanes<Vector512<double>>
{
    public static int Count => Vector512<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Add(Vector512<double> left, Vector512<double> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Subtract(Vector512<double> left, Vector512<double> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Multiply(Vector512<double> left, Vector512<double> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Divide(Vector512<double> left, Vector512<double> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Broadcast(double value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Load(ref double source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<double> value, ref double destination) => value.StoreUnsafe(ref destination);
}
