using System.Runtime.CompilerServices;
using CogDdim.Numerics;

namespace CogDdim.Simd;

/// <summary>
/// The arithmetic of one register of lanes (<c>Vector128/256/512</c>, or a single scalar for the tail). Each op is one
/// IEEE operation per lane: no fused multiply-add, no reassociation, so every lane rounds as the scalar reference does.
/// </summary>
internal interface ILanes<TVec>
    where TVec : struct
{
    /// <summary>Elements per register.</summary>
    static abstract int Count { get; }

    static abstract TVec Add(TVec left, TVec right);

    static abstract TVec Subtract(TVec left, TVec right);

    static abstract TVec Multiply(TVec left, TVec right);

    static abstract TVec Divide(TVec left, TVec right);
}

/// <summary>float lanes, which also carry float16 and bfloat16 elements (widened exactly, narrowed with ties to even).</summary>
internal interface IFloatLanes<TVec> : ILanes<TVec>
    where TVec : struct
{
    static abstract TVec Broadcast(float value);

    static abstract TVec LoadSingle(ref float source);

    static abstract void StoreSingle(TVec value, ref float destination);

    /// <summary>Loads <see cref="ILanes{TVec}.Count"/> float16 bit patterns, widened exactly as <c>(float)Half</c>.</summary>
    static abstract TVec LoadHalf(ref ushort source);

    /// <summary>Stores the lanes rounded as <c>(Half)float</c> (ties to even, subnormals, overflow to ∞, NaN payloads).</summary>
    static abstract void StoreHalf(TVec value, ref ushort destination);

    static abstract TVec LoadBFloat16(ref ushort source);

    /// <summary>Stores the lanes rounded as <c>(BFloat16)float</c>.</summary>
    static abstract void StoreBFloat16(TVec value, ref ushort destination);

    /// <summary><c>(float)(Half)x</c> per lane: one rounding to float16, kept in a float lane.</summary>
    static abstract TVec RoundToHalf(TVec value);

    /// <summary><c>(float)(BFloat16)x</c> per lane.</summary>
    static abstract TVec RoundToBFloat16(TVec value);
}

/// <summary>double lanes.</summary>
internal interface IDoubleLanes<TVec> : ILanes<TVec>
    where TVec : struct
{
    static abstract TVec Broadcast(double value);

    static abstract TVec Load(ref double source);

    static abstract void Store(TVec value, ref double destination);
}

/// <summary>One float: the scalar tail, and the definition every vector width must agree with.</summary>
internal readonly struct ScalarFloatLanes : IFloatLanes<float>
{
    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float left, float right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float left, float right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float left, float right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Divide(float left, float right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadSingle(ref float source) => source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreSingle(float value, ref float destination) => destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadHalf(ref ushort source) => (float)BitConverter.UInt16BitsToHalf(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreHalf(float value, ref ushort destination) => destination = BitConverter.HalfToUInt16Bits((Half)value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadBFloat16(ref ushort source) => (float)BFloat16.FromBits(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBFloat16(float value, ref ushort destination) => destination = ((BFloat16)value).ToBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundToHalf(float value) => (float)(Half)value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundToBFloat16(float value) => (float)(BFloat16)value;
}

/// <summary>One double: the scalar tail of the float64 path.</summary>
internal readonly struct ScalarDoubleLanes : IDoubleLanes<double>
{
    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Add(double left, double right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Subtract(double left, double right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Multiply(double left, double right) => left * right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Divide(double left, double right) => left / right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Broadcast(double value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Load(ref double source) => source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(double value, ref double destination) => destination = value;
}

/// <summary>Loads, stores and roundings chosen by element type; the JIT folds the type tests away.</summary>
internal static class Elements
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Load<TL, TVec, T>(ref T source)
        where TL : IFloatLanes<TVec>
        where TVec : struct
    {
        if (typeof(T) == typeof(float))
        {
            return TL.LoadSingle(ref Unsafe.As<T, float>(ref source));
        }

        if (typeof(T) == typeof(Half))
        {
            return TL.LoadHalf(ref Unsafe.As<T, ushort>(ref source));
        }

        if (typeof(T) == typeof(BFloat16))
        {
            return TL.LoadBFloat16(ref Unsafe.As<T, ushort>(ref source));
        }

        throw new NotSupportedException($"{typeof(T).Name} is not a float-lane element type");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TL, TVec, T>(TVec value, ref T destination)
        where TL : IFloatLanes<TVec>
        where TVec : struct
    {
        if (typeof(T) == typeof(float))
        {
            TL.StoreSingle(value, ref Unsafe.As<T, float>(ref destination));
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
            throw new NotSupportedException($"{typeof(T).Name} is not a float-lane element type");
        }
    }

    /// <summary>Rounds a float lane to the precision of <typeparamref name="T"/> (a no-op for float).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Round<TL, TVec, T>(TVec value)
        where TL : IFloatLanes<TVec>
        where TVec : struct
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
}
