using System.Numerics;
using CogDdim.Semantics;

namespace CogDdim.Scheduling;

/// <summary>
/// torch's CPU <c>linspace(start, end, n)</c>, in each of the rounding behaviours torch builds have. float64 and
/// float32 run <see cref="TableMath"/> (the implementation the source generator compiles too); the generic formulas
/// serve wider oracle types.
/// </summary>
public static class Linspace
{
    /// <summary><c>torch.linspace(start, end, n)</c> in <typeparamref name="T"/>, rounded as <paramref name="rounding"/> says.</summary>
    /// <param name="start">The first value.</param>
    /// <param name="end">The last value (for <paramref name="n"/> ≥ 2).</param>
    /// <param name="n">How many values; 0 gives an empty array, 1 gives <c>[start]</c>.</param>
    /// <param name="rounding">The torch build's rounding.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    public static T[] Compute<T>(T start, T end, int n, LinspaceRounding rounding)
        where T : IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (typeof(T) == typeof(double))
        {
            return (T[])(object)TableMath.Linspace(double.CreateTruncating(start), double.CreateTruncating(end), n, rounding);
        }

        if (typeof(T) == typeof(float))
        {
            return (T[])(object)TableMath.Linspace(float.CreateTruncating(start), float.CreateTruncating(end), n, rounding);
        }

        var result = new T[n];
        if (n == 0)
        {
            return result;
        }

        if (n == 1)
        {
            result[0] = start;
            return result;
        }

        var step = (end - start) / T.CreateTruncating(n - 1);
        switch (rounding)
        {
            case LinspaceRounding.Fused:
                for (var i = 0; i < n; i++)
                {
                    result[i] = Fused(start, end, step, i, n);
                }

                break;
            case LinspaceRounding.Unfused:
                for (var i = 0; i < n; i++)
                {
                    result[i] = i < n / 2
                        ? start + (step * T.CreateTruncating(i))
                        : end - (step * T.CreateTruncating(n - 1 - i));
                }

                break;
            case LinspaceRounding.Vectorized256:
                Vectorized256(start, end, step, result);
                break;
            default:
                throw new NotSupportedException($"linspace rounding '{SemanticsProfile.LinspaceName(rounding)}' cannot be emulated");
        }

        return result;
    }

    /// <summary>One rounding: <c>fma(step, i, start)</c> below the halfway index, <c>fma(-step, n-1-i, end)</c> from it.</summary>
    public static T Fused<T>(T start, T end, T step, int i, int n)
        where T : IFloatingPointIeee754<T> =>
        i < n / 2
            ? T.FusedMultiplyAdd(step, T.CreateTruncating(i), start)
            : T.FusedMultiplyAdd(-step, T.CreateTruncating(n - 1 - i), end);

    /// <summary>
    /// torch 1.13's AVX2 kernel: 256-bit blocks (4 doubles, 8 floats), two per loop iteration. Each block starts at
    /// the fused value of its first index; lane j is <c>base + j * step</c> with two roundings; the last
    /// n mod (2 × lanes) elements take the fused scalar formula.
    /// </summary>
    private static void Vectorized256<T>(T start, T end, T step, T[] result)
        where T : IFloatingPointIeee754<T>
    {
        var n = result.Length;
        var lanes = typeof(T) == typeof(double) ? 4 : typeof(T) == typeof(float) ? 8
            : throw new NotSupportedException($"vectorized linspace has no lane count for {typeof(T).Name}");
        var vectorEnd = n - (n % (2 * lanes));
        for (var i0 = 0; i0 < vectorEnd; i0 += lanes)
        {
            var blockBase = Fused(start, end, step, i0, n);
            for (var j = 0; j < lanes; j++)
            {
                result[i0 + j] = blockBase + (T.CreateTruncating(j) * step);
            }
        }

        for (var i = vectorEnd; i < n; i++)
        {
            result[i] = Fused(start, end, step, i, n);
        }
    }
}
