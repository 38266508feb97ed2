using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CogDdim.Simd;

/// <summary>
/// 16-bit patterns to and from 32-bit lanes, per register width: the one place where the widths differ in more than
/// the type name (a 128-bit register holds four 16-bit patterns in 64 bits; AVX-512 narrows with one <c>vpmovdw</c>).
/// </summary>
internal static class Halves
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<uint> Widen512(ref ushort source) => Vector512.WidenLower(Vector256.LoadUnsafe(ref source).ToVector512Unsafe());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<uint> Widen256(ref ushort source) => Vector256.WidenLower(Vector128.LoadUnsafe(ref source).ToVector256Unsafe());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Widen128(ref ushort source) => Vector128.WidenLower(Four(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> WidenSigned512(ref ushort source) => Vector512.WidenLower(Vector256.LoadUnsafe(ref source).AsInt16().ToVector512Unsafe());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> WidenSigned256(ref ushort source) => Vector256.WidenLower(Vector128.LoadUnsafe(ref source).AsInt16().ToVector256Unsafe());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> WidenSigned128(ref ushort source) => Vector128.WidenLower(Four(ref source).AsInt16());

    /// <summary>The low 16 bits of each lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Narrow512(Vector512<uint> bits, ref ushort destination)
    {
        if (Avx512F.IsSupported)
        {
            Avx512F.ConvertToVector256UInt16(bits).StoreUnsafe(ref destination);
        }
        else
        {
            Vector256.Narrow(bits.GetLower(), bits.GetUpper()).StoreUnsafe(ref destination);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Narrow256(Vector256<uint> bits, ref ushort destination)
    {
        if (Avx512F.VL.IsSupported)
        {
            Avx512F.VL.ConvertToVector128UInt16(bits).StoreUnsafe(ref destination);
        }
        else
        {
            Vector128.Narrow(bits.GetLower(), bits.GetUpper()).StoreUnsafe(ref destination);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Narrow128(Vector128<uint> bits, ref ushort destination) =>
        Unsafe.WriteUnaligned(ref Unsafe.As<ushort, byte>(ref destination), Vector128.Narrow(bits, bits).AsUInt64().ToScalar());

    /// <summary>The high 16 bits of each lane of two registers, <paramref name="low"/>'s first: one <c>vpermt2w</c> picks
    /// the odd 16-bit words of both.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NarrowHighPair512(Vector512<uint> low, Vector512<uint> high, ref ushort destination)
    {
        if (Avx512BW.IsSupported)
        {
            var oddWords = Vector512.Create(
                (ushort)1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31,
                33, 35, 37, 39, 41, 43, 45, 47, 49, 51, 53, 55, 57, 59, 61, 63);
            Avx512BW.PermuteVar32x16x2(low.AsUInt16(), oddWords, high.AsUInt16()).StoreUnsafe(ref destination);
        }
        else
        {
            Vector512.Narrow(low >>> 16, high >>> 16).StoreUnsafe(ref destination);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NarrowHighPair256(Vector256<uint> low, Vector256<uint> high, ref ushort destination)
    {
        if (Avx512BW.VL.IsSupported)
        {
            var oddWords = Vector256.Create((ushort)1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            Avx512BW.VL.PermuteVar16x16x2(low.AsUInt16(), oddWords, high.AsUInt16()).StoreUnsafe(ref destination);
        }
        else
        {
            Vector256.Narrow(low >>> 16, high >>> 16).StoreUnsafe(ref destination);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NarrowHighPair128(Vector128<uint> low, Vector128<uint> high, ref ushort destination) =>
        Vector128.Narrow(low >>> 16, high >>> 16).StoreUnsafe(ref destination);

    // The smaller magnitude per lane of two non-NaN float lanes, as a non-negative float: AVX-512DQ's vrangeps
    // (imm 0b1010: minimum of the absolute values, sign cleared) is one instruction; without it, clearing the signs
    // and taking the unsigned minimum of the bits orders non-NaN floats the same way.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MinMagnitude512(Vector512<float> accumulator, Vector512<float> value) =>
        Avx512DQ.IsSupported
            ? Avx512DQ.Range(accumulator, value, 0b1010)
            : Vector512.Min(accumulator.AsUInt32(), value.AsUInt32() & Vector512.Create(0x7FFF_FFFFu)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MinMagnitude256(Vector256<float> accumulator, Vector256<float> value) =>
        Avx512DQ.VL.IsSupported
            ? Avx512DQ.VL.Range(accumulator, value, 0b1010)
            : Vector256.Min(accumulator.AsUInt32(), value.AsUInt32() & Vector256.Create(0x7FFF_FFFFu)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MinMagnitude128(Vector128<float> accumulator, Vector128<float> value) =>
        Avx512DQ.VL.IsSupported
            ? Avx512DQ.VL.Range(accumulator, value, 0b1010)
            : Vector128.Min(accumulator.AsUInt32(), value.AsUInt32() & Vector128.Create(0x7FFF_FFFFu)).AsSingle();

    // The larger magnitude: vrangeps with imm 0b1011 (maximum of the absolute values, sign cleared), or the unsigned
    // maximum of the bits with the signs cleared.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MaxMagnitude512(Vector512<float> left, Vector512<float> right) =>
        Avx512DQ.IsSupported
            ? Avx512DQ.Range(left, right, 0b1011)
            : Vector512.Max(left.AsUInt32() & Vector512.Create(0x7FFF_FFFFu), right.AsUInt32() & Vector512.Create(0x7FFF_FFFFu)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MaxMagnitude256(Vector256<float> left, Vector256<float> right) =>
        Avx512DQ.VL.IsSupported
            ? Avx512DQ.VL.Range(left, right, 0b1011)
            : Vector256.Max(left.AsUInt32() & Vector256.Create(0x7FFF_FFFFu), right.AsUInt32() & Vector256.Create(0x7FFF_FFFFu)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MaxMagnitude128(Vector128<float> left, Vector128<float> right) =>
        Avx512DQ.VL.IsSupported
            ? Avx512DQ.VL.Range(left, right, 0b1011)
            : Vector128.Max(left.AsUInt32() & Vector128.Create(0x7FFF_FFFFu), right.AsUInt32() & Vector128.Create(0x7FFF_FFFFu)).AsSingle();

    // The larger magnitude with the first operand's sign: vrangeps with imm 0b0011 (maximum of the absolute values,
    // sign of the first source), or the unsigned maximum of the magnitude bits with the sign put back.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MagnitudeAtLeast512(Vector512<float> value, Vector512<float> magnitude) =>
        Avx512DQ.IsSupported
            ? Avx512DQ.Range(value, magnitude, 0b0011)
            : Vector512.ConditionalSelect(Vector512.Create(0x8000_0000u), value.AsUInt32(), Vector512.Max(value.AsUInt32() & Vector512.Create(0x7FFF_FFFFu), magnitude.AsUInt32())).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MagnitudeAtLeast256(Vector256<float> value, Vector256<float> magnitude) =>
        Avx512DQ.VL.IsSupported
            ? Avx512DQ.VL.Range(value, magnitude, 0b0011)
            : Vector256.ConditionalSelect(Vector256.Create(0x8000_0000u), value.AsUInt32(), Vector256.Max(value.AsUInt32() & Vector256.Create(0x7FFF_FFFFu), magnitude.AsUInt32())).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MagnitudeAtLeast128(Vector128<float> value, Vector128<float> magnitude) =>
        Avx512DQ.VL.IsSupported
            ? Avx512DQ.VL.Range(value, magnitude, 0b0011)
            : Vector128.ConditionalSelect(Vector128.Create(0x8000_0000u), value.AsUInt32(), Vector128.Max(value.AsUInt32() & Vector128.Create(0x7FFF_FFFFu), magnitude.AsUInt32())).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Four(ref ushort source) =>
        Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref source))).AsUInt16();
}
