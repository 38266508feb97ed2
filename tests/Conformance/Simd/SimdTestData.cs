using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CogDdim.Numerics;

namespace CogDdim.Conformance.Simd;

internal static class SimdTestData
{
    /// <summary>
    /// Values that reach every rounding path: random bit patterns (NaN payloads, subnormals, ∞), the named special
    /// values, and ordinary values of a few magnitudes.
    /// </summary>
    public static T[] Values<T>(Random random, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        T[] specials =
        [
            T.NaN, -T.NaN, T.PositiveInfinity, T.NegativeInfinity, T.Zero, T.NegativeZero, T.Epsilon, -T.Epsilon,
            T.BitDecrement(T.PositiveInfinity), T.BitIncrement(T.NegativeInfinity), LargestSubnormal<T>(), -LargestSubnormal<T>(), T.One, -T.One,
        ];
        for (var i = 0; i < length; i++)
        {
            values[i] = random.Next(8) switch
            {
                0 => RandomBits<T>(random),
                1 => specials[random.Next(specials.Length)],
                2 => T.CreateTruncating(Gaussian(random) * 1e-3),
                3 => T.CreateTruncating(Gaussian(random) * 300),
                _ => T.CreateTruncating(Gaussian(random)),
            };
        }

        return values;
    }

    /// <summary>
    /// Finite values as latents and model outputs have them (standard normal), with a share of them a thousand times
    /// smaller, where products come out subnormal in float16, and a few in the hundreds: whole registers of these
    /// pass the pure float16 kernels' input bound, so their fast and finite recipes run (<see cref="Values"/> puts a
    /// NaN or ∞ in almost every register, which sends it to the exact one).
    /// </summary>
    public static T[] Ordinary<T>(Random random, int length, double smallShare)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (var i = 0; i < length; i++)
        {
            var scale = random.NextDouble() < smallShare ? 1e-3 : random.Next(64) == 0 ? 300 : 1;
            values[i] = T.CreateTruncating(Gaussian(random) * scale);
        }

        return values;
    }

    public static string Bits<T>(T value)
        where T : unmanaged =>
        Unsafe.SizeOf<T>() switch
        {
            2 => $"0x{Unsafe.BitCast<T, ushort>(value):X4}",
            4 => $"0x{Unsafe.BitCast<T, uint>(value):X8}",
            _ => $"0x{Unsafe.BitCast<T, ulong>(value):X16}",
        };

    /// <summary>
    /// Null when every element has the same bits or both are NaN (the fixture format's rule: a NaN's payload is not
    /// specified, x86 keeps the first operand's and the JIT may swap the operands of a commutative op), else the
    /// first difference.
    /// </summary>
    public static string? FirstDifference<T>(string name, ReadOnlySpan<T> expected, ReadOnlySpan<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (MemoryMarshal.AsBytes(expected).SequenceEqual(MemoryMarshal.AsBytes(actual)))
        {
            return null;
        }

        for (var i = 0; i < expected.Length; i++)
        {
            var bothNaN = T.IsNaN(expected[i]) && T.IsNaN(actual[i]);
            if (!bothNaN && !Bits(expected[i]).Equals(Bits(actual[i]), StringComparison.Ordinal))
            {
                return $"{name}[{i}] of {expected.Length}: reference {Bits(expected[i])} ({expected[i]}), simd {Bits(actual[i])} ({actual[i]})";
            }
        }

        return expected.Length == actual.Length ? null : $"{name}: lengths differ";
    }

    private static T RandomBits<T>(Random random)
        where T : unmanaged
    {
        Span<byte> bytes = stackalloc byte[8];
        random.NextBytes(bytes);
        return MemoryMarshal.Read<T>(bytes);
    }

    private static T LargestSubnormal<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        T.BitDecrement(typeof(T) == typeof(BFloat16) ? T.CreateTruncating(1.1754944e-38f) : T.CreateTruncating(NormalMin<T>()));

    private static double NormalMin<T>() =>
        typeof(T) == typeof(Half) ? 6.103515625e-05 : typeof(T) == typeof(float) ? 1.1754943508222875e-38 : 2.2250738585072014e-308;

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
