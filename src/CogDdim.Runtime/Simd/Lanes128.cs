using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CogDdim.Simd;

/// <summary>128-bit float lanes (SSE, AdvSIMD). The float16/bfloat16 conversions are integer recipes that agree bit
/// for bit with <c>(Half)float</c>, <c>(float)Half</c> and <c>(BFloat16)float</c>; see <see cref="HalfBits"/>.</summary>
internal readonly struct FloatLanes128 : IFloatLanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Divide(Vector128<float> left, Vector128<float> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadSingle(ref float source) => Vector128.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreSingle(Vector128<float> value, ref float destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadHalf(ref ushort source) => HalfToSingle(LoadFourUInt16(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreHalf(Vector128<float> value, ref ushort destination) => StoreFourUInt16(SingleToHalf(value), ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadBFloat16(ref ushort source) => (LoadFourUInt16(ref source) << 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBFloat16(Vector128<float> value, ref ushort destination) => StoreFourUInt16(SingleToBFloat16(value), ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> RoundToHalf(Vector128<float> value)
    {
        // In the float domain, without leaving it: normal float16 keep 11 significant bits (round the 13 dropped
        // bits to even), from 65520 on it is ∞, below 2^-14 the float adder quantises to 2^-24 itself, a NaN keeps
        // the 10 payload bits float16 has room for, quieted. Equal to (float)(Half)x: LaneConversionTests.
        var bits = value.AsUInt32();
        var magnitude = bits & Vector128.Create(HalfBits.SingleMagnitudeMask);
        var m = magnitude.AsInt32();
        var keep = Vector128.Create(0xFFFF_E000u);
        var normal = (magnitude + Vector128.Create(0xFFFu) + ((magnitude >> 13) & Vector128<uint>.One)) & keep;
        normal = Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(m, Vector128.Create((int)HalfBits.RoundsToInfinityAsSingle)).AsUInt32(), Vector128.Create(HalfBits.SingleInfinity), normal);
        var half = Vector128.Create(0.5f);
        var subnormal = ((Vector128.Abs(value) + half) - half).AsUInt32();
        var result = Vector128.ConditionalSelect(Vector128.LessThan(m, Vector128.Create((int)HalfBits.SmallestNormalAsSingle)).AsUInt32(), subnormal, normal);
        var nan = (magnitude | Vector128.Create(HalfBits.SingleQuietBit)) & keep;
        result = Vector128.ConditionalSelect(Vector128.GreaterThan(m, Vector128.Create((int)HalfBits.SingleInfinity)).AsUInt32(), nan, result);
        return (result | (bits & Vector128.Create(0x8000_0000u))).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> RoundToBFloat16(Vector128<float> value)
    {
        var bits = value.AsUInt32();
        var isNaN = Vector128.GreaterThan((bits & Vector128.Create(HalfBits.SingleMagnitudeMask)).AsInt32(), Vector128.Create((int)HalfBits.SingleInfinity)).AsUInt32();
        var rounded = (bits + Vector128.Create(0x7FFFu) + ((bits >> 16) & Vector128<uint>.One)) & Vector128.Create(0xFFFF_0000u);
        var quieted = (bits | Vector128.Create(HalfBits.BFloat16QuietBit << 16)) & Vector128.Create(0xFFFF_0000u);
        return Vector128.ConditionalSelect(isNaN, quieted, rounded).AsSingle();
    }

    /// <summary>float bits → float16 bits in the low half of each uint lane (recipe in <see cref="HalfBits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> SingleToHalf(Vector128<float> value)
    {
        var bits = value.AsUInt32();
        var sign = (bits >> 16) & Vector128.Create(HalfBits.SignMask);
        var magnitude = bits & Vector128.Create(HalfBits.SingleMagnitudeMask);
        var normal = (magnitude - Vector128.Create(HalfBits.ExponentRebias) + Vector128.Create(0xFFFu) + ((magnitude >> 13) & Vector128<uint>.One)) >> 13;
        var subnormal = (Vector128.Abs(value) + Vector128.Create(0.5f)).AsUInt32() - Vector128.Create(HalfBits.OneHalfBits);
        var nan = Vector128.Create(HalfBits.QuietNaN) | ((magnitude >> 13) & Vector128.Create(HalfBits.PayloadMask));
        var m = magnitude.AsInt32();
        var result = Vector128.ConditionalSelect(Vector128.LessThan(m, Vector128.Create((int)HalfBits.SmallestNormalAsSingle)).AsUInt32(), subnormal, normal);
        result = Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(m, Vector128.Create((int)HalfBits.OverflowAsSingle)).AsUInt32(), Vector128.Create(HalfBits.Infinity), result);
        result = Vector128.ConditionalSelect(Vector128.GreaterThan(m, Vector128.Create((int)HalfBits.SingleInfinity)).AsUInt32(), nan, result);
        return result | sign;
    }

    /// <summary>float16 bits in uint lanes → float (recipe in <see cref="HalfBits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> HalfToSingle(Vector128<uint> half)
    {
        var magnitude = half & Vector128.Create((uint)HalfBits.MagnitudeMask);
        var sign = (half & Vector128.Create(HalfBits.SignMask)) << 16;
        var shifted = magnitude << 13;
        var finite = (shifted.AsSingle() * Vector128.Create(HalfBits.TwoPow112)).AsUInt32();
        var isNaN = Vector128.GreaterThan(magnitude.AsInt32(), Vector128.Create((int)HalfBits.Infinity)).AsUInt32();
        var special = shifted | Vector128.Create(HalfBits.SingleInfinity) | (isNaN & Vector128.Create(HalfBits.SingleQuietBit));
        var isSpecial = Vector128.GreaterThanOrEqual(magnitude.AsInt32(), Vector128.Create((int)HalfBits.Infinity)).AsUInt32();
        return (Vector128.ConditionalSelect(isSpecial, special, finite) | sign).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> SingleToBFloat16(Vector128<float> value)
    {
        var bits = value.AsUInt32();
        var isNaN = Vector128.GreaterThan((bits & Vector128.Create(HalfBits.SingleMagnitudeMask)).AsInt32(), Vector128.Create((int)HalfBits.SingleInfinity)).AsUInt32();
        var rounded = (bits + Vector128.Create(0x7FFFu) + ((bits >> 16) & Vector128<uint>.One)) >> 16;
        var quieted = (bits >> 16) | Vector128.Create(HalfBits.BFloat16QuietBit);
        return Vector128.ConditionalSelect(isNaN, quieted, rounded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> LoadFourUInt16(ref ushort source) =>
        Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref source))).AsUInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFourUInt16(Vector128<uint> bits, ref ushort destination) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<ushort, byte>(ref destination), Vector128.Narrow(bits, bits).AsUInt64().ToScalar());
}

/// <summary>128-bit double lanes.</summary>
internal readonly struct DoubleLanes128 : IDoubleLanes<Vector128<double>>
{
    public static int Count => Vector128<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Add(Vector128<double> left, Vector128<double> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Subtract(Vector128<double> left, Vector128<double> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Multiply(Vector128<double> left, Vector128<double> right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Divide(Vector128<double> left, Vector128<double> right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Broadcast(double value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<double> Load(ref double source) => Vector128.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<double> value, ref double destination) => value.StoreUnsafe(ref destination);
}
