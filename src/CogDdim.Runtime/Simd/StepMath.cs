using System.Numerics;
using System.Runtime.CompilerServices;

namespace CogDdim.Simd;

/// <summary>
/// The per-step scalars as the element loops use them, each already rounded the way the reference rounds it for the
/// dtype it meets (see <see cref="SimdScalars"/>). <c>Sample</c> scalars multiply the sample in the sample's dtype,
/// <c>Model</c> scalars meet the model output (or pred_original_sample) in the model output's dtype.
/// </summary>
internal readonly record struct StepScalars<T>(T SqrtAlphaSample, T SqrtBetaModel, T SqrtAlphaModelDivisor, T AtSample, T BtModel)
    where T : unmanaged;

/// <summary>The step scalars broadcast into registers once per loop.</summary>
internal readonly struct StepVectors<TVec>(TVec sqrtAlphaSample, TVec sqrtBetaModel, TVec sqrtAlphaModelDivisor, TVec atSample, TVec btModel)
    where TVec : struct
{
    public readonly TVec SqrtAlphaSample = sqrtAlphaSample;
    public readonly TVec SqrtBetaModel = sqrtBetaModel;
    public readonly TVec SqrtAlphaModelDivisor = sqrtAlphaModelDivisor;
    public readonly TVec AtSample = atSample;
    public readonly TVec BtModel = btModel;
}

/// <summary>
/// Tensor ops as torch rounds them: a product with the sample is rounded to the sample's dtype, everything else to
/// the model output's dtype. In float lanes a float16/bfloat16 result is rounded right after its op, exactly as
/// <c>Half * Half</c> (computed in float, rounded once) does in the reference. <c>flags</c> collects the fast
/// recipes' out-of-domain lanes (see <see cref="Reduced{TL, TVec}"/>); the exact arithmetic leaves it alone.
/// </summary>
internal interface IStepArithmetic<TVec>
    where TVec : struct
{
    static abstract TVec MultiplySample(TVec scalar, TVec sample, ref TVec flags);

    static abstract TVec MultiplyModel(TVec scalar, TVec value, ref TVec flags);

    static abstract TVec SubtractModel(TVec left, TVec right, ref TVec flags);

    static abstract TVec AddModel(TVec left, TVec right, ref TVec flags);

    static abstract TVec DivideModel(TVec value, TVec scalar, ref TVec flags);
}

/// <summary>Lanes of <typeparamref name="TC"/> carrying <typeparamref name="TSample"/> and <typeparamref name="TModel"/>
/// elements, every rounding exact (float and double elements need none).</summary>
internal readonly struct ExactArithmetic<TL, TVec, TC, TSample, TModel> : IStepArithmetic<TVec>
    where TL : ILanes<TVec, TC>
    where TVec : struct
    where TC : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplySample(TVec scalar, TVec sample, ref TVec flags) => Elements.Round<TL, TVec, TC, TSample>(TL.Multiply(scalar, sample));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplyModel(TVec scalar, TVec value, ref TVec flags) => Elements.Round<TL, TVec, TC, TModel>(TL.Multiply(scalar, value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec SubtractModel(TVec left, TVec right, ref TVec flags) => Elements.Round<TL, TVec, TC, TModel>(TL.Subtract(left, right));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec AddModel(TVec left, TVec right, ref TVec flags) => Elements.Round<TL, TVec, TC, TModel>(TL.Add(left, right));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec DivideModel(TVec value, TVec scalar, ref TVec flags) => Elements.Round<TL, TVec, TC, TModel>(TL.Divide(value, scalar));
}

/// <summary>The same ops with the fast float16/bfloat16 roundings, which raise <c>flags</c> outside their domain.</summary>
internal readonly struct CheckedArithmetic<TL, TVec, TC, TSample, TModel> : IStepArithmetic<TVec>
    where TL : ILanes<TVec, TC>
    where TVec : struct
    where TC : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplySample(TVec scalar, TVec sample, ref TVec flags) => Elements.RoundChecked<TL, TVec, TC, TSample>(TL.Multiply(scalar, sample), ref flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplyModel(TVec scalar, TVec value, ref TVec flags) => Elements.RoundChecked<TL, TVec, TC, TModel>(TL.Multiply(scalar, value), ref flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec SubtractModel(TVec left, TVec right, ref TVec flags) => Elements.RoundChecked<TL, TVec, TC, TModel>(TL.Subtract(left, right), ref flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec AddModel(TVec left, TVec right, ref TVec flags) => Elements.RoundChecked<TL, TVec, TC, TModel>(TL.Add(left, right), ref flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec DivideModel(TVec value, TVec scalar, ref TVec flags) => Elements.RoundChecked<TL, TVec, TC, TModel>(TL.Divide(value, scalar), ref flags);
}

/// <summary>
/// The split recipes of the pure float16/bfloat16 kernels (sample and model output of one reduced dtype,
/// <typeparamref name="T"/>): each op in float, then Veltkamp's split (<c>g = x * C; g + (x - g)</c>, C = 2^13 + 1 for
/// float16, 2^16 + 1 for bfloat16: three float ops that round to 11 or 8 significant bits, ties to even). float16 lanes
/// hold the scaled form (value · 2^-112, <see cref="ILanes{TVec, T}.LoadHalfScaled"/>), so that a float16 subnormal is a
/// float subnormal and a load or store is a shift and a mask; bfloat16 lanes hold the value. The split is exact while
/// no result is subnormal in <typeparamref name="T"/> and nothing comes near overflow: the kernel bounds the inputs
/// (so that no intermediate can reach 65520, or 2^100 for bfloat16), and each product and quotient puts its magnitude
/// into <c>flags</c>, a running minimum that must stay at or above 2^-126 (in the scaled form, float16's 2^-14). Sums
/// need no flag: a difference below that threshold is exact and the split leaves it alone, and a sum of two products
/// that are not zero is not -0.
/// </summary>
internal readonly struct SplitArithmetic<TL, TVec, TC, T> : IStepArithmetic<TVec>
    where TL : ILanes<TVec, TC>
    where TVec : struct
    where TC : unmanaged, IBinaryFloatingPointIeee754<TC>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplySample(TVec scalar, TVec sample, ref TVec flags) => Flag(Split(TL.Multiply(scalar, sample)), ref flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplyModel(TVec scalar, TVec value, ref TVec flags) => Flag(Split(TL.Multiply(scalar, value)), ref flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec SubtractModel(TVec left, TVec right, ref TVec flags) => Split(TL.Subtract(left, right));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec AddModel(TVec left, TVec right, ref TVec flags) => Split(TL.Add(left, right));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec DivideModel(TVec value, TVec scalar, ref TVec flags) => Flag(Split(TL.Divide(value, scalar)), ref flags);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Split(TVec value)
    {
        var splitter = TL.Broadcast(TC.CreateTruncating(typeof(T) == typeof(Half) ? HalfBits.HalfSplitter : HalfBits.BFloat16Splitter));
        var high = TL.Multiply(value, splitter);
        return TL.Add(high, TL.Subtract(value, high));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Flag(TVec value, ref TVec flags)
    {
        flags = TL.MinMagnitude(flags, value);
        return value;
    }
}

/// <summary>
/// The pure float16 kernels' second recipe, for a register whose split recipes flagged a subnormal (or zero) product:
/// values as they are (not scaled), each op rounded with <see cref="ILanes{TVec, T}.RoundToHalfFinite"/>, exact for
/// every finite result below 65520 (the kernel has bounded the inputs).
/// </summary>
internal readonly struct HalfFiniteArithmetic<TL, TVec, TC> : IStepArithmetic<TVec>
    where TL : ILanes<TVec, TC>
    where TVec : struct
    where TC : unmanaged
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplySample(TVec scalar, TVec sample, ref TVec flags) => TL.RoundToHalfFinite(TL.Multiply(scalar, sample));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec MultiplyModel(TVec scalar, TVec value, ref TVec flags) => TL.RoundToHalfFinite(TL.Multiply(scalar, value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec SubtractModel(TVec left, TVec right, ref TVec flags) => TL.RoundToHalfFinite(TL.Subtract(left, right));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec AddModel(TVec left, TVec right, ref TVec flags) => TL.RoundToHalfFinite(TL.Add(left, right));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec DivideModel(TVec value, TVec scalar, ref TVec flags) => TL.RoundToHalfFinite(TL.Divide(value, scalar));
}

/// <summary>How pred_original_sample comes from the sample and the model output (diffusers' prediction_type).</summary>
internal interface IPrediction
{
    static abstract TVec OriginalSample<TA, TVec>(TVec sample, TVec modelOutput, in StepVectors<TVec> k, ref TVec flags)
        where TA : IStepArithmetic<TVec>
        where TVec : struct;
}

/// <summary><c>(sample - sqrt(1 - a) * model_output) / sqrt(a)</c>.</summary>
internal readonly struct EpsilonPrediction : IPrediction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec OriginalSample<TA, TVec>(TVec sample, TVec modelOutput, in StepVectors<TVec> k, ref TVec flags)
        where TA : IStepArithmetic<TVec>
        where TVec : struct =>
        TA.DivideModel(TA.SubtractModel(sample, TA.MultiplyModel(k.SqrtBetaModel, modelOutput, ref flags), ref flags), k.SqrtAlphaModelDivisor, ref flags);
}

/// <summary><c>model_output</c>.</summary>
internal readonly struct SamplePrediction : IPrediction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec OriginalSample<TA, TVec>(TVec sample, TVec modelOutput, in StepVectors<TVec> k, ref TVec flags)
        where TA : IStepArithmetic<TVec>
        where TVec : struct => modelOutput;
}

/// <summary><c>sqrt(a) * sample - sqrt(1 - a) * model_output</c>.</summary>
internal readonly struct VPrediction : IPrediction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec OriginalSample<TA, TVec>(TVec sample, TVec modelOutput, in StepVectors<TVec> k, ref TVec flags)
        where TA : IStepArithmetic<TVec>
        where TVec : struct =>
        TA.SubtractModel(TA.MultiplySample(k.SqrtAlphaSample, sample, ref flags), TA.MultiplyModel(k.SqrtBetaModel, modelOutput, ref flags), ref flags);
}

internal static class StepFormula
{
    /// <summary>prev_sample = <c>a_t * sample + b_t * pred_original_sample</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec PrevSample<TA, TVec>(TVec sample, TVec originalSample, in StepVectors<TVec> k, ref TVec flags)
        where TA : IStepArithmetic<TVec>
        where TVec : struct =>
        TA.AddModel(TA.MultiplySample(k.AtSample, sample, ref flags), TA.MultiplyModel(k.BtModel, originalSample, ref flags), ref flags);
}

/// <summary>add_noise and get_velocity: two products in the samples' dtype, then a sum or a difference.</summary>
internal interface INoiseOp
{
    static abstract TVec Combine<TA, TVec>(TVec input, TVec noise, TVec sqrtAlpha, TVec sqrtOneMinusAlpha, ref TVec flags)
        where TA : IStepArithmetic<TVec>
        where TVec : struct;
}

/// <summary><c>sqrt(a) * original_samples + sqrt(1 - a) * noise</c>.</summary>
internal readonly struct AddNoiseOp : INoiseOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Combine<TA, TVec>(TVec input, TVec noise, TVec sqrtAlpha, TVec sqrtOneMinusAlpha, ref TVec flags)
        where TA : IStepArithmetic<TVec>
        where TVec : struct =>
        TA.AddModel(TA.MultiplyModel(sqrtAlpha, input, ref flags), TA.MultiplyModel(sqrtOneMinusAlpha, noise, ref flags), ref flags);
}

/// <summary><c>sqrt(a) * noise - sqrt(1 - a) * sample</c>.</summary>
internal readonly struct VelocityOp : INoiseOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Combine<TA, TVec>(TVec input, TVec noise, TVec sqrtAlpha, TVec sqrtOneMinusAlpha, ref TVec flags)
        where TA : IStepArithmetic<TVec>
        where TVec : struct =>
        TA.SubtractModel(TA.MultiplyModel(sqrtAlpha, noise, ref flags), TA.MultiplyModel(sqrtOneMinusAlpha, input, ref flags), ref flags);
}
