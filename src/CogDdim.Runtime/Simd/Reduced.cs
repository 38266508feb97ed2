using System.Runtime.CompilerServices;

namespace CogDdim.Simd;

/// <summary>
/// float16 and bfloat16 in float lanes, written once for every register width (<typeparamref name="TL"/> is one of the
/// template's <c>Lanes128/256/512&lt;float&gt;</c>).
/// <para>The exact recipes (<see cref="LoadHalf"/>, <see cref="StoreHalf"/>, <see cref="RoundToHalf"/>,
/// <see cref="StoreBFloat16"/>, <see cref="RoundToBFloat16"/>) equal .NET's <c>(float)Half</c>, <c>(Half)float</c> and
/// <c>(BFloat16)float</c> bit for bit on every input (constants and cases in <see cref="HalfBits"/>).</para>
/// <para>The fast recipes are exact on a domain and raise flags outside it: a flags register accumulates, per lane,
/// an unsigned maximum that reaches <see cref="HalfBits.HalfFlagLimit"/> (float16) or <see cref="HalfBits.BFloat16FlagLimit"/> (bfloat16)
/// exactly when some input was outside the domain. The kernels compute each register with the fast recipes and, when
/// a flag is up, compute that register again with the exact ones, so the result is always the exact one.</para>
/// <list type="bullet">
/// <item>float16 rounding: Veltkamp's split, <c>g = x * 8193; h = g + (x - g)</c>, rounds x to 11 significant bits with
/// ties to even; for |x| in [2^-14, 65520) that is <c>(float)(Half)x</c> (checked on every such float, both signs).
/// The flag is <c>|x| - 2^-14</c> as unsigned bits: zero, subnormal results, overflow, ∞ and NaN all reach the limit.</item>
/// <item>float16 widening: the bits sign-extended, shifted by 13, the three bits between sign and exponent cleared,
/// times 2^112 (exact); ∞ and NaN land on [65536, 131072) and raise the same flag (so do zero and subnormals).</item>
/// <item>bfloat16 rounding: add 0x7FFF plus the lowest kept bit and truncate; exact for every float but NaN. The kernels
/// use it only where no NaN can arise: inputs below 2^64 in magnitude (flagged at the load) and per-step scalars
/// bounded (<see cref="ReducedScalars.BFloat16ScalarsAreBounded"/>).</item>
/// </list>
/// </summary>
internal static class Reduced<TL, TVec>
    where TL : IBitLanes<TVec>
    where TVec : struct
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec LoadHalf(ref ushort source) => HalfToSingle(TL.LoadUInt16(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreHalf(TVec value, ref ushort destination) => TL.StoreUInt16(SingleToHalf(value), ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec LoadBFloat16(ref ushort source) => TL.ShiftLeft(TL.LoadUInt16(ref source), 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBFloat16(TVec value, ref ushort destination) => TL.StoreUInt16(SingleToBFloat16(value), ref destination);

    /// <summary><c>(float)(Half)x</c> without leaving the float domain.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec RoundToHalf(TVec value)
    {
        // Normal float16 keep 11 significant bits (round the 13 dropped bits to even), from 65520 on it is ∞, below
        // 2^-14 the float adder quantises to 2^-24 itself, a NaN keeps the 10 payload bits float16 has room for, quieted.
        var magnitude = TL.And(value, TL.Bits(HalfBits.SingleMagnitudeMask));
        var keep = TL.Bits(0xFFFF_E000u);
        var lowestKept = TL.And(TL.ShiftRight(magnitude, 13), TL.Bits(1));
        var normal = TL.And(TL.IntAdd(TL.IntAdd(magnitude, TL.Bits(0xFFFu)), lowestKept), keep);
        normal = TL.Select(TL.IntGreaterThanOrEqual(magnitude, TL.Bits(HalfBits.RoundsToInfinityAsSingle)), TL.Bits(HalfBits.SingleInfinity), normal);
        var half = TL.Bits(HalfBits.OneHalfBits);
        var subnormal = TL.Subtract(TL.Add(TL.Abs(value), half), half);
        var result = TL.Select(TL.IntLessThan(magnitude, TL.Bits(HalfBits.SmallestNormalAsSingle)), subnormal, normal);
        var nan = TL.And(TL.Or(magnitude, TL.Bits(HalfBits.SingleQuietBit)), keep);
        result = TL.Select(TL.IntGreaterThan(magnitude, TL.Bits(HalfBits.SingleInfinity)), nan, result);
        return TL.Or(result, TL.And(value, TL.Bits(0x8000_0000u)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec RoundToBFloat16(TVec value)
    {
        var isNaN = TL.IntGreaterThan(TL.And(value, TL.Bits(HalfBits.SingleMagnitudeMask)), TL.Bits(HalfBits.SingleInfinity));
        var quieted = TL.And(TL.Or(value, TL.Bits(HalfBits.BFloat16QuietBit << 16)), TL.Bits(0xFFFF_0000u));
        return TL.Select(isNaN, quieted, RoundToBFloat16Finite(value));
    }

    /// <summary>float16 → float, fast: see the class remarks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec LoadHalfChecked(ref ushort source, ref TVec flags)
    {
        var shifted = TL.And(TL.ShiftLeft(TL.LoadInt16(ref source), 13), TL.Bits(0x8FFF_E000u));
        var value = TL.Multiply(shifted, TL.Bits(BitConverter.SingleToUInt32Bits(HalfBits.TwoPow112)));
        flags = HalfFlag(value, flags);
        return value;
    }

    /// <summary>(float)(Half)x, fast: see the class remarks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec RoundToHalfChecked(TVec value, ref TVec flags)
    {
        flags = HalfFlag(value, flags);
        var split = TL.Multiply(value, TL.Bits(BitConverter.SingleToUInt32Bits(8193f)));
        return TL.Add(split, TL.Subtract(value, split));
    }

    /// <summary>A normal float16 value in a float lane → its bits: rebias the exponent, move the sign.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreHalfRounded(TVec value, ref ushort destination)
    {
        var magnitude = TL.IntSubtract(TL.ShiftRight(value, 13), TL.Bits(HalfBits.ExponentRebias >> 13));
        TL.StoreUInt16(TL.Select(TL.Bits(HalfBits.SignMask), TL.ShiftRight(value, 16), magnitude), ref destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec LoadBFloat16Checked(ref ushort source, ref TVec flags)
    {
        var value = LoadBFloat16(ref source);
        flags = TL.UIntMax(flags, TL.And(value, TL.Bits(HalfBits.SingleMagnitudeMask)));
        return value;
    }

    /// <summary>bfloat16 rounding of a lane that is not NaN (∞, overflow and subnormals included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec RoundToBFloat16Finite(TVec value)
    {
        var lowestKept = TL.And(TL.ShiftRight(value, 16), TL.Bits(1));
        return TL.And(TL.IntAdd(TL.IntAdd(value, TL.Bits(0x7FFFu)), lowestKept), TL.Bits(0xFFFF_0000u));
    }

    /// <summary>A bfloat16 value in a float lane → its bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBFloat16Rounded(TVec value, ref ushort destination) => TL.StoreUInt16(TL.ShiftRight(value, 16), ref destination);

    /// <summary>float16 bits → the scaled form (value · 2^-112): the bits sign-extended, shifted by 13, the three bits
    /// between sign and exponent cleared. Exact for every pattern (∞/NaN become finite values from 2^-96 up).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec LoadHalfScaled(ref ushort source) => TL.And(TL.ShiftLeft(TL.LoadInt16(ref source), 13), TL.Bits(0x8FFF_E000u));

    /// <summary>The scaled form of a float16 value (normal or subnormal) in two registers → their bits, the first
    /// register's lanes first: each lane's bits shifted up by 3 with the sign kept puts the float16 pattern in the lane's
    /// high half, and one permute packs the high halves of both registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreHalfScaledPair(TVec low, TVec high, ref ushort destination) =>
        TL.StoreHighUInt16Pair(HalfInHighHalf(low), HalfInHighHalf(high), ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec HalfInHighHalf(TVec scaled) => TL.Select(TL.Bits(0x8000_0000u), scaled, TL.ShiftLeft(scaled, 3));

    /// <summary>
    /// <c>(float)(Half)x</c> for finite |x| &lt; 65520, subnormal results included, in five ops: Veltkamp's split
    /// (<c>g = x * 8193; g + (x - g)</c>, which rounds to 11 significant bits, ties to even) with g's magnitude raised
    /// to at least 0.75. Where it is raised (|x| &lt; 0.75 / 8193, about 9.2e-5, which covers every subnormal result
    /// and the bottom of the first normal binade), <c>0.75 + (x - 0.75)</c> rounds x in the adder to the ulp of 0.75,
    /// 2^-24, which is float16's spacing there (ties to even: 0.75 / 2^-24 is even; x - 0.75 stays in 0.75's binade).
    /// x's sign is put back, for a negative x whose result is zero (a sum of ±0.75 gives +0); every other result
    /// already has it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec RoundToHalfFinite(TVec value)
    {
        var split = TL.MagnitudeAtLeast(TL.Multiply(value, TL.Bits(BitConverter.SingleToUInt32Bits(HalfBits.HalfSplitter))), TL.Bits(BitConverter.SingleToUInt32Bits(0.75f)));
        var rounded = TL.Add(split, TL.Subtract(value, split));
        return TL.Select(TL.Bits(0x8000_0000u), value, rounded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec HalfFlag(TVec value, TVec flags) =>
        TL.UIntMax(flags, TL.IntSubtract(TL.And(value, TL.Bits(HalfBits.SingleMagnitudeMask)), TL.Bits(HalfBits.SmallestNormalAsSingle)));

    /// <summary>float bits → float16 bits in the low half of each lane (recipe in <see cref="HalfBits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec SingleToHalf(TVec value)
    {
        var sign = TL.And(TL.ShiftRight(value, 16), TL.Bits(HalfBits.SignMask));
        var magnitude = TL.And(value, TL.Bits(HalfBits.SingleMagnitudeMask));
        var lowestKept = TL.And(TL.ShiftRight(magnitude, 13), TL.Bits(1));
        var normal = TL.ShiftRight(TL.IntAdd(TL.IntAdd(TL.IntSubtract(magnitude, TL.Bits(HalfBits.ExponentRebias)), TL.Bits(0xFFFu)), lowestKept), 13);
        var subnormal = TL.IntSubtract(TL.Add(TL.Abs(value), TL.Bits(HalfBits.OneHalfBits)), TL.Bits(HalfBits.OneHalfBits));
        var nan = TL.Or(TL.Bits(HalfBits.QuietNaN), TL.And(TL.ShiftRight(magnitude, 13), TL.Bits(HalfBits.PayloadMask)));
        var result = TL.Select(TL.IntLessThan(magnitude, TL.Bits(HalfBits.SmallestNormalAsSingle)), subnormal, normal);
        result = TL.Select(TL.IntGreaterThanOrEqual(magnitude, TL.Bits(HalfBits.OverflowAsSingle)), TL.Bits(HalfBits.Infinity), result);
        result = TL.Select(TL.IntGreaterThan(magnitude, TL.Bits(HalfBits.SingleInfinity)), nan, result);
        return TL.Or(result, sign);
    }

    /// <summary>float16 bits in the low half of each lane → float (recipe in <see cref="HalfBits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec HalfToSingle(TVec half)
    {
        var magnitude = TL.And(half, TL.Bits(HalfBits.MagnitudeMask));
        var sign = TL.ShiftLeft(TL.And(half, TL.Bits(HalfBits.SignMask)), 16);
        var shifted = TL.ShiftLeft(magnitude, 13);
        var finite = TL.Multiply(shifted, TL.Bits(BitConverter.SingleToUInt32Bits(HalfBits.TwoPow112)));
        var isNaN = TL.IntGreaterThan(magnitude, TL.Bits(HalfBits.Infinity));
        var special = TL.Or(TL.Or(shifted, TL.Bits(HalfBits.SingleInfinity)), TL.And(isNaN, TL.Bits(HalfBits.SingleQuietBit)));
        var isSpecial = TL.IntGreaterThanOrEqual(magnitude, TL.Bits(HalfBits.Infinity));
        return TL.Or(TL.Select(isSpecial, special, finite), sign);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec SingleToBFloat16(TVec value)
    {
        var isNaN = TL.IntGreaterThan(TL.And(value, TL.Bits(HalfBits.SingleMagnitudeMask)), TL.Bits(HalfBits.SingleInfinity));
        var lowestKept = TL.And(TL.ShiftRight(value, 16), TL.Bits(1));
        var rounded = TL.ShiftRight(TL.IntAdd(TL.IntAdd(value, TL.Bits(0x7FFFu)), lowestKept), 16);
        var quieted = TL.Or(TL.ShiftRight(value, 16), TL.Bits(HalfBits.BFloat16QuietBit));
        return TL.Select(isNaN, quieted, rounded);
    }
}

/// <summary>When the bfloat16 fast recipes may run: every per-step scalar finite and at most 2^16 in magnitude (a
/// divisor at least 2^-16), so that with inputs below 2^32 no intermediate comes near overflow or NaN.</summary>
internal static class ReducedScalars
{
    public static bool BFloat16ScalarsAreBounded(ReadOnlySpan<float> factors, ReadOnlySpan<float> divisors)
    {
        foreach (var f in factors)
        {
            if (!(Math.Abs(f) <= 65536f))
            {
                return false;
            }
        }

        foreach (var d in divisors)
        {
            if (!(Math.Abs(d) >= 1f / 65536f && Math.Abs(d) <= 65536f))
            {
                return false;
            }
        }

        return true;
    }
}
