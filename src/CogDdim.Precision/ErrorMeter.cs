using System.Numerics;
using System.Runtime.CompilerServices;
using CogDdim.Numerics;
using CogDdim.Tensors;

namespace CogDdim.Precision;

/// <summary>The errors of one step of one trajectory against a reference trajectory.</summary>
/// <param name="MaxUlp">the largest element error, in ULPs of the dtype at the reference value</param>
/// <param name="P99Ulp">the 99th percentile of the element errors in ULPs (nearest rank)</param>
/// <param name="MedianUlp">the median element error in ULPs</param>
/// <param name="MeanUlp">the mean element error in ULPs</param>
/// <param name="RelativeL2">‖x − ref‖₂ / ‖ref‖₂</param>
/// <remarks>
/// Element errors are in ULPs at each element's own value, so the few elements near zero (whose ULP is tiny) dominate
/// the max and the p99; the median and the relative L2 say how the bulk of the tensor fares.
/// </remarks>
public readonly record struct StepErrors(int Step, long Timestep, double MaxUlp, double P99Ulp, double MedianUlp, double MeanUlp, double RelativeL2);

/// <summary>Measures a tensor against a reference, element by element, in ULPs of a dtype and in relative L2.</summary>
public sealed class ErrorMeter(int count, int parallelism)
{
    private readonly float[] _ulps = new float[count];

    public int Count => count;

    /// <summary>
    /// The spacing of <paramref name="dtype"/>'s values at <paramref name="reference"/>: 2^(e − p + 1) for a value in
    /// binade 2^e with p significand bits, and the subnormal spacing below the normal range.
    /// </summary>
    public static double UlpAt(DType dtype, double reference)
    {
        var (precision, minExponent) = dtype switch
        {
            DType.Float64 => (53, -1022),
            DType.Float32 => (24, -126),
            DType.Float16 => (11, -14),
            DType.BFloat16 => (8, -126),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "ULPs are defined for floating dtypes only"),
        };
        var exponent = reference == 0 || !double.IsFinite(reference) ? minExponent : Math.Max(Math.ILogB(reference), minExponent);
        return Math.ScaleB(1.0, exponent - (precision - 1));
    }

    /// <summary>
    /// Every element of <paramref name="values"/> against <paramref name="reference"/> (exact differences in
    /// double-double), in ULPs of <paramref name="dtype"/>: at the reference value against the oracle, and as the
    /// fixtures count them (the number of representable values in between) when both sides have the dtype.
    /// </summary>
    public StepErrors Measure<TValue, TRef>(int step, long timestep, TValue[] values, TRef[] reference, DType dtype)
        where TValue : INumberBase<TValue>
        where TRef : INumberBase<TRef>
    {
        if (values.Length != count || reference.Length != count)
        {
            throw new ArgumentException($"measuring {values.Length} values against {reference.Length} reference values with a meter for {count}");
        }

        var chunks = Chunks.Of(count);
        var partials = new (double Max, double Sum, double SquaredError, double SquaredReference)[chunks.Count];
        Chunks.Run(chunks, parallelism, (chunk, range) =>
        {
            var partial = (Max: 0.0, Sum: 0.0, SquaredError: 0.0, SquaredReference: 0.0);
            for (var i = range.Start; i < range.End; i++)
            {
                var r = ToDoubleDouble(reference[i]);
                var difference = (ToDoubleDouble(values[i]) - r).Hi;
                // A NaN (an overflowed run) counts as infinitely wrong, so that it sorts and shows.
                var ulps = double.IsNaN(difference) ? double.PositiveInfinity
                    : typeof(TValue) == typeof(TRef) ? OrdinalDistance(values[i], Unsafe.As<TRef, TValue>(ref reference[i]))
                    : Math.Abs(difference) / UlpAt(dtype, r.Hi);
                _ulps[i] = (float)ulps;
                partial.Max = Math.Max(partial.Max, ulps);
                partial.Sum += ulps;
                partial.SquaredError += difference * difference;
                partial.SquaredReference += r.Hi * r.Hi;
            }

            partials[chunk] = partial;
        });

        var max = partials.Max(p => p.Max);
        var sum = partials.Sum(p => p.Sum);
        var squaredError = partials.Sum(p => p.SquaredError);
        var squaredReference = partials.Sum(p => p.SquaredReference);
        var p99 = Percentile.NearestRank(_ulps, 0.99);
        var median = Percentile.NearestRank(_ulps, 0.5);
        var relative = squaredReference > 0 ? Math.Sqrt(squaredError / squaredReference) : Math.Sqrt(squaredError);
        return new StepErrors(step, timestep, max, p99, median, sum / count, relative);
    }

    /// <summary>The ordinal ULP distance of <see cref="Ulp"/>: how many values of the dtype lie between a and b.</summary>
    public static double OrdinalDistance<T>(T a, T b)
    {
        if (typeof(T) == typeof(double)) return Ulp.Distance(Unsafe.As<T, double>(ref a), Unsafe.As<T, double>(ref b));
        if (typeof(T) == typeof(float)) return Ulp.Distance(Unsafe.As<T, float>(ref a), Unsafe.As<T, float>(ref b));
        if (typeof(T) == typeof(Half)) return Ulp.Distance(Unsafe.As<T, Half>(ref a), Unsafe.As<T, Half>(ref b));
        if (typeof(T) == typeof(BFloat16)) return Ulp.Distance(Unsafe.As<T, BFloat16>(ref a), Unsafe.As<T, BFloat16>(ref b));
        throw new NotSupportedException($"no ordinal ULP distance for {typeof(T).Name}");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static DoubleDouble ToDoubleDouble<T>(T value)
        where T : INumberBase<T> =>
        typeof(T) == typeof(DoubleDouble) ? Unsafe.As<T, DoubleDouble>(ref value) : double.CreateTruncating(value);
}
