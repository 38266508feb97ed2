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
/// <typeparamref name="TVec"/> is what the ops compute on (one register, or a <see cref="Quad{TVec}"/> of them),
/// <typeparamref name="TScalar"/> one broadcast per-step scalar.
/// </summary>
internal interface IStepArithmetic<TVec, TScalar>
    where TVec : struct
    where TScalar : struct
{
    static abstract TVec MultiplySample(TScalar scalar, TVec sample, ref TVec flags);

    static abstract TVec MultiplyModel(TScalar scalar, TVec value, ref TVec flags);

    static abstract TVec SubtractModel(TVec left, TVec right, ref TVec flags);

    static abstract TVec AddModel(TVec left, TVec right, ref TVec flags);

    static abstract TVec DivideModel(TVec value, TScalar scalar, ref TVec flags);
}

/// <summary>Lanes of <typeparamref name="TC"/> carrying <typeparamref name="TSample"/> and <typeparamref name="TModel"/>
/// elements, every rounding exact (float and double elements need none).</summary>
internal readonly struct ExactArithmetic<TL, TVec, TC, TSample, TModel> : IStepArithmetic<TVec, TVec>
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
internal readonly struct CheckedArithmetic<TL, TVec, TC, TSample, TModel> : IStepArithmetic<TVec, TVec>
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
/// The split recipes of the pure float16 kernels (sample and model output both float16): each op in float, then
/// Veltkamp's split (<c>g = x * 8193; g + (x - g)</c>: three float ops that round x to 11 significant bits, ties to
/// even). The lanes hold the scaled form (value · 2^-112, <see cref="ILanes{TVec, T}.LoadHalfScaled"/>), so that a
/// float16 subnormal is a float subnormal and a load or store is a shift and a mask. The split is exact while no result
/// is subnormal in float16 and nothing comes near overflow: the kernel bounds the inputs (so that no intermediate can
/// reach 65520), and each product and quotient puts its magnitude into <c>flags</c>, a running minimum that must stay
/// at or above 2^-126 (in the scaled form, float16's 2^-14). Sums need no flag: a difference below that threshold is
/// exact and the split leaves it alone, and a sum of two products that are not zero is not -0. A group of registers
/// where a flag went up is computed again with <see cref="HalfFiniteArithmetic{TL, TVec, TC}"/>. (bfloat16 keeps its
/// integer rounding, see <see cref="HalfGroups"/>.)
/// </summary>
internal readonly struct HalfSplitArithmetic<TL, TVec, TC> : IStepArithmetic<TVec, TVec>
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
        var high = TL.Multiply(value, TL.Broadcast(TC.CreateTruncating(HalfBits.HalfSplitter)));
        return TL.Add(high, TL.Subtract(value, high));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Flag(TVec value, ref TVec flags)
    {
        flags = TL.MinMagnitude(flags, value);
        return value;
    }
}

/// <summary>Four registers that one loop iteration computes side by side (see <see cref="Grouped{TA, TVec}"/>).</summary>
internal struct Quad<TVec>(TVec a, TVec b, TVec c, TVec d)
    where TVec : struct
{
    public TVec A = a;
    public TVec B = b;
    public TVec C = c;
    public TVec D = d;
}

/// <summary>
/// <typeparamref name="TA"/>'s ops on four registers at once, register by register. The float16/bfloat16 recipes are
/// chains of dependent ops (a float16 step is about 35 deep), and one register at a time leaves most of the core idle
/// waiting on latencies; four independent chains written next to each other keep its pipes busy. Nothing changes in
/// what a lane computes: each register goes through <typeparamref name="TA"/> exactly as it would alone.
/// </summary>
internal readonly struct Grouped<TA, TVec> : IStepArithmetic<Quad<TVec>, TVec>
    where TA : IStepArithmetic<TVec, TVec>
    where TVec : struct
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Quad<TVec> MultiplySample(TVec scalar, Quad<TVec> sample, ref Quad<TVec> flags) => new(
        TA.MultiplySample(scalar, sample.A, ref flags.A),
        TA.MultiplySample(scalar, sample.B, ref flags.B),
        TA.MultiplySample(scalar, sample.C, ref flags.C),
        TA.MultiplySample(scalar, sample.D, ref flags.D));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Quad<TVec> MultiplyModel(TVec scalar, Quad<TVec> value, ref Quad<TVec> flags) => new(
        TA.MultiplyModel(scalar, value.A, ref flags.A),
        TA.MultiplyModel(scalar, value.B, ref flags.B),
        TA.MultiplyModel(scalar, value.C, ref flags.C),
        TA.MultiplyModel(scalar, value.D, ref flags.D));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Quad<TVec> SubtractModel(Quad<TVec> left, Quad<TVec> right, ref Quad<TVec> flags) => new(
        TA.SubtractModel(left.A, right.A, ref flags.A),
        TA.SubtractModel(left.B, right.B, ref flags.B),
        TA.SubtractModel(left.C, right.C, ref flags.C),
        TA.SubtractModel(left.D, right.D, ref flags.D));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Quad<TVec> AddModel(Quad<TVec> left, Quad<TVec> right, ref Quad<TVec> flags) => new(
        TA.AddModel(left.A, right.A, ref flags.A),
        TA.AddModel(left.B, right.B, ref flags.B),
        TA.AddModel(left.C, right.C, ref flags.C),
        TA.AddModel(left.D, right.D, ref flags.D));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Quad<TVec> DivideModel(Quad<TVec> value, TVec scalar, ref Quad<TVec> flags) => new(
        TA.DivideModel(value.A, scalar, ref flags.A),
        TA.DivideModel(value.B, scalar, ref flags.B),
        TA.DivideModel(value.C, scalar, ref flags.C),
        TA.DivideModel(value.D, scalar, ref flags.D));
}

/// <summary>
/// The pure float16 kernels' recipes (sample and model output both float16): each op in float, then
/// <see cref="ILanes{TVec, T}.RoundToHalfFinite"/> (five float ops, exact for every finite result below 65520 in
/// magnitude, subnormals and signed zeros included), on the values themselves. The kernel bounds the inputs so that no
/// intermediate can reach 65520 (<see cref="SimdScalars.FiniteLimit{T}(System.ReadOnlySpan{float}, System.ReadOnlySpan{float})"/>),
/// so nothing needs a flag. It is the kernels' recipe where the split recipes (<see cref="HalfSplitArithmetic{TL, TVec, TC}"/>)
/// would flag often (a step scalar near zero) and for a group of registers where they flagged. (The values, not the
/// scaled form the kernel loads and stores: a product or quotient in the scaled form would be rounded twice where it
/// is subnormal, once at float's 2^-149 and once at float16's spacing.)
/// </summary>
internal readonly struct HalfFiniteArithmetic<TL, TVec, TC> : IStepArithmetic<TVec, TVec>
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
    static abstract TVec OriginalSample<TA, TVec, TScalar>(TVec sample, TVec modelOutput, in StepVectors<TScalar> k, ref TVec flags)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct;
}

/// <summary><c>(sample - sqrt(1 - a) * model_output) / sqrt(a)</c>.</summary>
internal readonly struct EpsilonPrediction : IPrediction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec OriginalSample<TA, TVec, TScalar>(TVec sample, TVec modelOutput, in StepVectors<TScalar> k, ref TVec flags)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct =>
        TA.DivideModel(TA.SubtractModel(sample, TA.MultiplyModel(k.SqrtBetaModel, modelOutput, ref flags), ref flags), k.SqrtAlphaModelDivisor, ref flags);
}

/// <summary><c>model_output</c>.</summary>
internal readonly struct SamplePrediction : IPrediction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec OriginalSample<TA, TVec, TScalar>(TVec sample, TVec modelOutput, in StepVectors<TScalar> k, ref TVec flags)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct => modelOutput;
}

/// <summary><c>sqrt(a) * sample - sqrt(1 - a) * model_output</c>.</summary>
internal readonly struct VPrediction : IPrediction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec OriginalSample<TA, TVec, TScalar>(TVec sample, TVec modelOutput, in StepVectors<TScalar> k, ref TVec flags)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct =>
        TA.SubtractModel(TA.MultiplySample(k.SqrtAlphaSample, sample, ref flags), TA.MultiplyModel(k.SqrtBetaModel, modelOutput, ref flags), ref flags);
}

internal static class StepFormula
{
    /// <summary>prev_sample = <c>a_t * sample + b_t * pred_original_sample</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec PrevSample<TA, TVec, TScalar>(TVec sample, TVec originalSample, in StepVectors<TScalar> k, ref TVec flags)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct =>
        TA.AddModel(TA.MultiplySample(k.AtSample, sample, ref flags), TA.MultiplyModel(k.BtModel, originalSample, ref flags), ref flags);
}

/// <summary>add_noise and get_velocity: two products in the samples' dtype, then a sum or a difference.</summary>
internal interface INoiseOp
{
    static abstract TVec Combine<TA, TVec, TScalar>(TVec input, TVec noise, TScalar sqrtAlpha, TScalar sqrtOneMinusAlpha, ref TVec flags)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct;
}

/// <summary><c>sqrt(a) * original_samples + sqrt(1 - a) * noise</c>.</summary>
internal readonly struct AddNoiseOp : INoiseOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Combine<TA, TVec, TScalar>(TVec input, TVec noise, TScalar sqrtAlpha, TScalar sqrtOneMinusAlpha, ref TVec flags)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct =>
        TA.AddModel(TA.MultiplyModel(sqrtAlpha, input, ref flags), TA.MultiplyModel(sqrtOneMinusAlpha, noise, ref flags), ref flags);
}

/// <summary><c>sqrt(a) * noise - sqrt(1 - a) * sample</c>.</summary>
internal readonly struct VelocityOp : INoiseOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Combine<TA, TVec, TScalar>(TVec input, TVec noise, TScalar sqrtAlpha, TScalar sqrtOneMinusAlpha, ref TVec flags)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct =>
        TA.SubtractModel(TA.MultiplyModel(sqrtAlpha, noise, ref flags), TA.MultiplyModel(sqrtOneMinusAlpha, input, ref flags), ref flags);
}

/// <summary>
/// What an element kernel computes from its two inputs: <c>step</c> (sample, model output → prev_sample and
/// pred_original_sample) or <c>add_noise</c>/<c>get_velocity</c> (samples, noise → one output), written once for
/// every arithmetic (exact, checked, split, grouped) and every register type.
/// </summary>
internal interface IElementFormula
{
    /// <summary>Whether there is a second output (pred_original_sample).</summary>
    static abstract bool HasSecondOutput { get; }

    static abstract TVec Compute<TA, TVec, TScalar>(TVec first, TVec second, in StepVectors<TScalar> k, ref TVec flags, out TVec secondOutput)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct;
}

/// <summary>The DDIM step: prev_sample, and pred_original_sample as the second output.</summary>
internal readonly struct DdimStepElements<TP> : IElementFormula
    where TP : IPrediction
{
    public static bool HasSecondOutput => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Compute<TA, TVec, TScalar>(TVec first, TVec second, in StepVectors<TScalar> k, ref TVec flags, out TVec secondOutput)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct
    {
        secondOutput = TP.OriginalSample<TA, TVec, TScalar>(first, second, k, ref flags);
        return StepFormula.PrevSample<TA, TVec, TScalar>(first, secondOutput, k, ref flags);
    }
}

/// <summary>add_noise or get_velocity (<typeparamref name="TOp"/>), with sqrt(alpha) and sqrt(1 - alpha) in the first
/// two scalars (<see cref="StepVectors{TVec}.SqrtAlphaSample"/>, <see cref="StepVectors{TVec}.SqrtBetaModel"/>).</summary>
internal readonly struct NoiseElements<TOp> : IElementFormula
    where TOp : INoiseOp
{
    public static bool HasSecondOutput => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Compute<TA, TVec, TScalar>(TVec first, TVec second, in StepVectors<TScalar> k, ref TVec flags, out TVec secondOutput)
        where TA : IStepArithmetic<TVec, TScalar>
        where TVec : struct
        where TScalar : struct
    {
        secondOutput = default;
        return TOp.Combine<TA, TVec, TScalar>(first, second, k.SqrtAlphaSample, k.SqrtBetaModel, ref flags);
    }
}
