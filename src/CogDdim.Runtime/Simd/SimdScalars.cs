using System.Numerics;
using CogDdim.Numerics;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Simd;

/// <summary>
/// The per-step scalars rounded once, on the scalar side, to what each element op of the reference uses
/// (<see cref="TorchArithmetic"/>): a float32/float64 element meets the scalar converted to its dtype; a
/// float16/bfloat16 element meets it through float32, first rounded to the element's dtype under the 'cast' policy,
/// or not under 'opmath'.
/// </summary>
internal static class SimdScalars
{
    public static StepScalars<float> ForFloatLanes<TTable, TSample, TModel>(in StepCoefficients<TTable> c, SemanticsProfile profile)
        where TTable : IFloatingPointIeee754<TTable>
        where TSample : INumberBase<TSample>
        where TModel : INumberBase<TModel> =>
        new(
            FloatOperand<TTable, TSample>(c.SqrtAlphaProd, ScalarForm.ScalarTimesTensor, profile),
            FloatOperand<TTable, TModel>(c.SqrtBetaProd, ScalarForm.ScalarTimesTensor, profile),
            FloatOperand<TTable, TModel>(c.SqrtAlphaProd, ScalarForm.TensorDivScalar, profile),
            FloatOperand<TTable, TSample>(c.At, ScalarForm.ScalarTimesTensor, profile),
            FloatOperand<TTable, TModel>(c.Bt, ScalarForm.ScalarTimesTensor, profile));

    public static StepScalars<double> ForDoubleLanes<TTable>(in StepCoefficients<TTable> c)
        where TTable : IFloatingPointIeee754<TTable> =>
        new(double.CreateTruncating(c.SqrtAlphaProd), double.CreateTruncating(c.SqrtBetaProd), double.CreateTruncating(c.SqrtAlphaProd),
            double.CreateTruncating(c.At), double.CreateTruncating(c.Bt));

    /// <summary>The float32 operand with which a scalar of the table meets an element of type <typeparamref name="T"/>.</summary>
    public static float FloatOperand<TTable, T>(TTable scalar, ScalarForm form, SemanticsProfile profile)
        where TTable : INumberBase<TTable>
        where T : INumberBase<T>
    {
        if (TorchArithmetic.IsReduced<T>() && profile.PolicyFor(DTypes.Of<T>()!.Value, form) == ScalarPolicy.Opmath)
        {
            return float.CreateTruncating(scalar);
        }

        return float.CreateTruncating(TorchArithmetic.Convert<TTable, T>(scalar));
    }

    /// <summary>
    /// How a call's fast recipes may run for elements of <typeparamref name="T"/> with these scalars: the factors every
    /// element is multiplied by and the divisors it is divided by (the caller lists only those its formula uses: with
    /// zero-SNR rescaling the first step's sqrt(alpha) is 0, which only epsilon prediction divides by).
    /// </summary>
    public static FastPaths PathsFor<T>(ReadOnlySpan<float> factors, ReadOnlySpan<float> divisors) =>
        new(AllowFast<T>(factors, divisors), FiniteLimit<T>(factors, divisors), SplitPays(factors));

    /// <summary>
    /// The bound on input magnitudes under which the pure float16 finite recipes (<see cref="HalfFiniteArithmetic{TL, TVec, TC}"/>)
    /// may run, as the float bits of the scaled form (value · 2^-112, in which the kernels load and bound them): every intermediate of the step's and add_noise's
    /// formulas (two levels of products and sums, at most one quotient) stays below the input bound times
    /// (1 + Σ|factor|)^2 / min(1, |divisor|), with 1 % for the roundings; that must stay below float16's 65504, so that
    /// nothing reaches ∞. 0 (every register takes the exact recipes) when a scalar is not finite or a divisor is zero,
    /// and for any other element type (only float16 has these recipes).
    /// </summary>
    public static uint FiniteLimit<T>(ReadOnlySpan<float> factors, ReadOnlySpan<float> divisors)
    {
        if (typeof(T) != typeof(Half))
        {
            return 0;
        }

        var sum = 1.0;
        foreach (var f in factors)
        {
            if (!float.IsFinite(f))
            {
                return 0;
            }

            sum += Math.Abs(f);
        }

        var smallestDivisor = 1.0;
        foreach (var d in divisors)
        {
            if (!float.IsFinite(d) || d == 0)
            {
                return 0;
            }

            smallestDivisor = Math.Min(smallestDivisor, Math.Abs(d));
        }

        var growth = sum * sum / smallestDivisor * 1.01;
        return BitConverter.SingleToUInt32Bits((float)(65504.0 / growth * HalfBits.TwoPowMinus112));
    }

    /// <summary>
    /// Whether the pure float16 kernels should try the split recipes first (<see cref="HalfSplitArithmetic{TL, TVec, TC}"/>:
    /// two ops fewer per product, but a group of four registers with a subnormal or zero product is computed again with
    /// the finite recipes). With inputs of unit scale, a product c · x is subnormal for |x| below 2^-14 / |c|, so a
    /// group of 64 elements flags with odds of about 0.003 / |c|: the split pays while every factor is at least 2^-5
    /// (measured on the 5b step, one thread: at b_t = 0.036 the split-first loop takes 0.66 ms against the finite
    /// loop's 0.74, at b_t = 0.019 0.74 against 0.70; at the first zero-SNR step, sqrt(alpha) = 0, every group flags
    /// and the split-first loop would take about 1.2 ms against 0.74).
    /// Only the speed depends on it.
    /// </summary>
    public static bool SplitPays(ReadOnlySpan<float> factors)
    {
        foreach (var f in factors)
        {
            if (!(Math.Abs(f) >= SplitFactorFloor))
            {
                return false;
            }
        }

        return true;
    }

    private const float SplitFactorFloor = 1f / 32;

    /// <summary>Whether the fast float16/bfloat16 recipes may run: always for float16 (its recipes flag every lane
    /// outside their domain), for bfloat16 when the scalars are bounded.</summary>
    public static bool AllowFast<T>(ReadOnlySpan<float> factors, ReadOnlySpan<float> divisors) =>
        typeof(T) != typeof(BFloat16) || ReducedScalars.BFloat16ScalarsAreBounded(factors, divisors);
}

/// <summary>What <see cref="SimdScalars.PathsFor{T}"/> decided for one call, carried by its job.</summary>
/// <param name="Allowed">Whether the fast float16/bfloat16 recipes may run (bfloat16 needs bounded scalars).</param>
/// <param name="FiniteLimit">The pure float16 recipes' input bound, in the scaled form, as lane bits.</param>
/// <param name="SplitFirst">Whether pure float16 tries the split recipes before the finite ones.</param>
internal readonly record struct FastPaths(bool Allowed, uint FiniteLimit, bool SplitFirst);
