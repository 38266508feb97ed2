using System.Numerics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using CogDdim.Numerics;

namespace CogDdim.Simd;

/// <summary>
/// One register of <typeparamref name="T"/> lanes (<c>Vector128/256/512&lt;T&gt;</c>, from the width template
/// <c>VectorLanes.cs.template</c>, or one scalar for the tail). Each arithmetic op is one IEEE operation per lane: no
/// fused multiply-add, no reassociation, so every lane rounds as the scalar reference does. Float lanes also carry
/// float16 and bfloat16 elements: widened exactly, rounded and narrowed with ties to even.
/// </summary>
internal interface ILanes<TVec, T>
    where TVec : struct
    where T : unmanaged
{
    /// <summary>Elements per register.</summary>
    static abstract int Count { get; }

    /// <summary>Whether the JIT accelerates this width in this process.</summary>
    static abstract bool IsHardwareAccelerated { get; }

    static abstract TVec Broadcast(T value);

    static abstract TVec Load(ref T source);

    static abstract void Store(TVec value, ref T destination);

    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Subtract(TVec left, TVec right);

    static abstract TVec Multiply(TVec left, TVec right);

    static abstract TVec Divide(TVec left, TVec right);

    /// <summary>Loads <see cref="Count"/> float16 bit patterns, widened exactly as <c>(float)Half</c>.</summary>
    static abstract TVec LoadHalf(ref ushort source);

    /// <summary>Stores the lanes rounded as <c>(Half)float</c> (ties to even, subnormals, overflow to ∞, NaN payloads).</summary>
    static abstract void StoreHalf(TVec value, ref ushort destination);

    /// <summary><c>(float)(Half)x</c> per lane: one rounding to float16, kept in a float lane.</summary>
    static abstract TVec RoundToHalf(TVec value);

    static abstract TVec LoadBFloat16(ref ushort source);

    /// <summary>Stores the lanes rounded as <c>(BFloat16)float</c>.</summary>
    static abstract void StoreBFloat16(TVec value, ref ushort destination);

    /// <summary><c>(float)(BFloat16)x</c> per lane.</summary>
    static abstract TVec RoundToBFloat16(TVec value);

    // The fast recipes: exact on their domain, and they raise flags (see Reduced) for every lane outside it, so that
    // the caller recomputes that register with the exact recipes. The scalar tail runs the exact ones.

    /// <summary><see cref="LoadHalf"/>; flags ∞, NaN and subnormals (<see cref="HalfBits.HalfFlagLimit"/>).</summary>
    static abstract TVec LoadHalfChecked(ref ushort source, ref TVec flags);

    /// <summary><see cref="RoundToHalf"/> for results that are normal float16; flags every other lane.</summary>
    static abstract TVec RoundToHalfChecked(TVec value, ref TVec flags);

    /// <summary><see cref="StoreHalf"/> of lanes that already hold normal float16 values (from the checked recipes).</summary>
    static abstract void StoreHalfRounded(TVec value, ref ushort destination);

    /// <summary><see cref="LoadBFloat16"/>; flags magnitudes from 2^64 on, ∞ and NaN (<see cref="HalfBits.BFloat16FlagLimit"/>).</summary>
    static abstract TVec LoadBFloat16Checked(ref ushort source, ref TVec flags);

    /// <summary><see cref="RoundToBFloat16"/> for lanes that are not NaN.</summary>
    static abstract TVec RoundToBFloat16Finite(TVec value);

    /// <summary><see cref="StoreBFloat16"/> of lanes that already hold bfloat16 values.</summary>
    static abstract void StoreBFloat16Rounded(TVec value, ref ushort destination);

    /// <summary>Whether any lane of <paramref name="flags"/> (as an unsigned integer) reaches <paramref name="limit"/>.</summary>
    static abstract bool Flagged(TVec flags, uint limit);

    // The split recipes of the pure float16/bfloat16 kernels (see ReducedSplit in StepMath.cs).

    /// <summary>Whether any lane (as an unsigned integer) is below <paramref name="limit"/>.</summary>
    static abstract bool Below(TVec magnitudes, uint limit);

    /// <summary>The larger magnitude per lane of two non-NaN lanes, as a non-negative value.</summary>
    static abstract TVec MaxMagnitude(TVec left, TVec right);

    /// <summary>The smaller magnitude per lane of two non-NaN lanes, as a non-negative value.</summary>
    static abstract TVec MinMagnitude(TVec accumulator, TVec value);

    /// <summary>float16 bits → a float lane holding the value times 2^-112 (the "scaled" form: exact for every finite
    /// float16, subnormals included; ∞ and NaN land on 2^-96 and up).</summary>
    static abstract TVec LoadHalfScaled(ref ushort source);

    /// <summary>Float16 values in the scaled form, two registers → their bits, <paramref name="low"/>'s lanes first
    /// (2 × <see cref="Count"/> patterns; AVX-512 packs them with one <c>vpermt2w</c>).</summary>
    static abstract void StoreHalfScaledPair(TVec low, TVec high, ref ushort destination);

    /// <summary><c>(float)(Half)x</c> for every finite x below 65520 in magnitude (normal and subnormal results).</summary>
    static abstract TVec RoundToHalfFinite(TVec value);
}

/// <summary>The integer view of a vector register of float lanes, for the float16/bfloat16 recipes in <see cref="Reduced{TL, TVec}"/>.</summary>
internal interface IBitLanes<TVec>
    where TVec : struct
{
    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Subtract(TVec left, TVec right);

    static abstract TVec Multiply(TVec left, TVec right);

    static abstract TVec Abs(TVec value);

    /// <summary>Every lane holds the 32-bit pattern <paramref name="value"/>.</summary>
    static abstract TVec Bits(uint value);

    static abstract TVec And(TVec left, TVec right);

    static abstract TVec Or(TVec left, TVec right);

    static abstract TVec Select(TVec mask, TVec whenTrue, TVec whenFalse);

    static abstract TVec ShiftLeft(TVec value, [ConstantExpected] int count);

    static abstract TVec ShiftRight(TVec value, [ConstantExpected] int count);

    static abstract TVec IntAdd(TVec left, TVec right);

    static abstract TVec IntSubtract(TVec left, TVec right);

    static abstract TVec UIntMax(TVec left, TVec right);

    static abstract TVec IntGreaterThan(TVec left, TVec right);

    static abstract TVec IntGreaterThanOrEqual(TVec left, TVec right);

    static abstract TVec IntLessThan(TVec left, TVec right);

    static abstract bool UIntGreaterThanOrEqualAny(TVec left, TVec right);

    /// <summary>One 16-bit pattern per lane, zero-extended.</summary>
    static abstract TVec LoadUInt16(ref ushort source);

    /// <summary>One 16-bit pattern per lane, sign-extended.</summary>
    static abstract TVec LoadInt16(ref ushort source);

    /// <summary>The low 16 bits of each lane.</summary>
    static abstract void StoreUInt16(TVec bits, ref ushort destination);

    /// <summary>The high 16 bits of each lane of two registers, <paramref name="low"/>'s lanes first.</summary>
    static abstract void StoreHighUInt16Pair(TVec low, TVec high, ref ushort destination);

    /// <summary>Per lane, <paramref name="value"/> with its magnitude raised to at least <paramref name="magnitude"/>
    /// (a positive float) and its sign kept; neither is NaN.</summary>
    static abstract TVec MagnitudeAtLeast(TVec value, TVec magnitude);
}

/// <summary>One float or double: the scalar tail, and the definition every vector width must agree with.</summary>
internal readonly struct ScalarLanes<T> : ILanes<T, T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public static int Count => 1;

    public static bool IsHardwareAccelerated => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Broadcast(T value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Load(ref T source) => source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T value, ref T destination) => destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Add(T left, T right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Subtract(T left, T right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Multiply(T left, T right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Divide(T left, T right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LoadHalf(ref ushort source) => T.CreateTruncating((float)BitConverter.UInt16BitsToHalf(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreHalf(T value, ref ushort destination) => destination = BitConverter.HalfToUInt16Bits((Half)float.CreateTruncating(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T RoundToHalf(T value) => T.CreateTruncating((float)(Half)float.CreateTruncating(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LoadBFloat16(ref ushort source) => T.CreateTruncating((float)BFloat16.FromBits(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBFloat16(T value, ref ushort destination) => destination = ((BFloat16)float.CreateTruncating(value)).ToBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T RoundToBFloat16(T value) => T.CreateTruncating((float)(BFloat16)float.CreateTruncating(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LoadHalfChecked(ref ushort source, ref T flags) => LoadHalf(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T RoundToHalfChecked(T value, ref T flags) => RoundToHalf(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreHalfRounded(T value, ref ushort destination) => StoreHalf(value, ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LoadBFloat16Checked(ref ushort source, ref T flags) => LoadBFloat16(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T RoundToBFloat16Finite(T value) => RoundToBFloat16(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBFloat16Rounded(T value, ref ushort destination) => StoreBFloat16(value, ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Flagged(T flags, uint limit) => false;

    // The scalar tail never runs the split recipes (their kernels hand the tail to the exact ones); these exist for the
    // interface and follow the same definitions.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Below(T magnitudes, uint limit) => Bits32(magnitudes) < limit;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MaxMagnitude(T left, T right) => T.Max(T.Abs(left), T.Abs(right));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MinMagnitude(T accumulator, T value) => T.Min(T.Abs(accumulator), T.Abs(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LoadHalfScaled(ref ushort source) => T.CreateTruncating((float)BitConverter.UInt16BitsToHalf(source) * HalfBits.TwoPowMinus112);


    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreHalfScaledPair(T low, T high, ref ushort destination)
    {
        StoreHalf(T.CreateTruncating(float.CreateTruncating(low) * HalfBits.TwoPow112), ref destination);
        StoreHalf(T.CreateTruncating(float.CreateTruncating(high) * HalfBits.TwoPow112), ref Unsafe.Add(ref destination, 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T RoundToHalfFinite(T value) => RoundToHalf(value);

    private static uint Bits32(T value) => BitConverter.SingleToUInt32Bits(float.CreateTruncating(value));
}

/// <summary>
/// Loads, stores and roundings chosen by element type for lanes of a computation type
/// (double lanes carry double; float lanes carry float, <see cref="Half"/> and <see cref="BFloat16"/>); the JIT folds
/// the type tests away. The <c>Checked</c>/<c>Rounded</c> forms are the fast recipes (see <see cref="ILanes{TVec, T}"/>).
/// </summary>
internal static class Elements
{
    /// <summary>Whether <typeparamref name="T"/> is float16 or bfloat16.</summary>
    public static bool IsReduced<T>() => typeof(T) == typeof(Half) || typeof(T) == typeof(BFloat16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Load<TL, TVec, TC, T>(ref T source)
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged
    {
        if (typeof(T) == typeof(TC))
        {
            return TL.Load(ref Unsafe.As<T, TC>(ref source));
        }

        if (typeof(T) == typeof(Half))
        {
            return TL.LoadHalf(ref Unsafe.As<T, ushort>(ref source));
        }

        if (typeof(T) == typeof(BFloat16))
        {
            return TL.LoadBFloat16(ref Unsafe.As<T, ushort>(ref source));
        }

        throw new NotSupportedException($"{typeof(T).Name} is not an element type of {typeof(TC).Name} lanes");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec LoadChecked<TL, TVec, TC, T>(ref T source, ref TVec flags)
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged
    {
        if (typeof(T) == typeof(Half))
        {
            return TL.LoadHalfChecked(ref Unsafe.As<T, ushort>(ref source), ref flags);
        }

        if (typeof(T) == typeof(BFloat16))
        {
            return TL.LoadBFloat16Checked(ref Unsafe.As<T, ushort>(ref source), ref flags);
        }

        return Load<TL, TVec, TC, T>(ref source);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TL, TVec, TC, T>(TVec value, ref T destination)
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged
    {
        if (typeof(T) == typeof(TC))
        {
            TL.Store(value, ref Unsafe.As<T, TC>(ref destination));
        }
        else if (typeof(T) == typeof(Half))
        {
            TL.StoreHalf(value, ref Unsafe.As<T, ushort>(ref destination));
        }
        else if (typeof(T) == typeof(BFloat16))
        {
            TL.StoreBFloat16(value, ref Unsafe.As<T, ushort>(ref destination));
        }
        else
        {
            throw new NotSupportedException($"{typeof(T).Name} is not an element type of {typeof(TC).Name} lanes");
        }
    }

    /// <summary>Stores lanes that already hold values of <typeparamref name="T"/> (results of the checked recipes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRounded<TL, TVec, TC, T>(TVec value, ref T destination)
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged
    {
        if (typeof(T) == typeof(Half))
        {
            TL.StoreHalfRounded(value, ref Unsafe.As<T, ushort>(ref destination));
        }
        else if (typeof(T) == typeof(BFloat16))
        {
            TL.StoreBFloat16Rounded(value, ref Unsafe.As<T, ushort>(ref destination));
        }
        else
        {
            Store<TL, TVec, TC, T>(value, ref destination);
        }
    }

    /// <summary>Rounds a lane to the precision of <typeparamref name="T"/> (a no-op for float and double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Round<TL, TVec, TC, T>(TVec value)
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged
    {
        if (typeof(T) == typeof(Half))
        {
            return TL.RoundToHalf(value);
        }

        if (typeof(T) == typeof(BFloat16))
        {
            return TL.RoundToBFloat16(value);
        }

        return value;
    }

    /// <summary>The fast rounding: float16 raises flags outside its domain; bfloat16 needs finite, flag-checked inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec RoundChecked<TL, TVec, TC, T>(TVec value, ref TVec flags)
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged
    {
        if (typeof(T) == typeof(Half))
        {
            return TL.RoundToHalfChecked(value, ref flags);
        }

        if (typeof(T) == typeof(BFloat16))
        {
            return TL.RoundToBFloat16Finite(value);
        }

        return value;
    }
}
