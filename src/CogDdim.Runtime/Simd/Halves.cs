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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Four(ref ushort source) =>
        Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref source))).AsUInt16();
}
