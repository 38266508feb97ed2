using System.Runtime.CompilerServices;

namespace CogDdim.Simd;

/// <summary>
/// The DPM step's scalars as the element loops use them, each rounded for the dtype it meets (as
/// <see cref="SimdScalars"/> rounds DDIM's): <c>Sample</c> ones multiply the sample or the noise (the sample's
/// dtype), <c>Model</c> ones pred_original_sample or the old one (the model output's dtype).
/// </summary>
internal readonly record struct DpmScalars<T>(T Mult1Sample, T Mult2Model, T Mult3Model, T Mult4Model, T MultNoiseSample)
    where T : unmanaged;

/// <summary>The pointers and scalars of one DPM step.</summary>
internal unsafe struct DpmJob<TScalar>
    where TScalar : unmanaged
{
    public void* Sample;
    public void* ModelOutput;
    public void* Old;
    public void* Noise;
    public void* PrevSample;
    public void* PredOriginalSample;
    public StepScalars<TScalar> Original;
    public DpmScalars<TScalar> Dpm;
}

/// <summary>First or second order, as a type, so that each loop is compiled without the branch.</summary>
internal interface IDpmOrder
{
    static abstract bool SecondOrder { get; }
}

internal readonly struct DpmFirstOrder : IDpmOrder
{
    public static bool SecondOrder => false;
}

internal readonly struct DpmSecondOrder : IDpmOrder
{
    public static bool SecondOrder => true;
}

/// <summary>The DPM step's element formula over any lanes: the same ops, in the same order, as <c>DpmStepFormula</c>.</summary>
internal static class DpmFormula
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec PrevSample<TA, TVec, TO>(TVec sample, TVec original, TVec old, TVec noise, TVec m1, TVec m2, TVec m3, TVec m4, TVec mn, ref TVec flags)
        where TA : IStepArithmetic<TVec, TVec>
        where TVec : struct
        where TO : IDpmOrder
    {
        var denoised = TO.SecondOrder ? TA.SubtractModel(TA.MultiplyModel(m3, original, ref flags), TA.MultiplyModel(m4, old, ref flags), ref flags) : original;
        var carried = TA.MultiplySample(m1, sample, ref flags);
        var predicted = TA.MultiplyModel(m2, denoised, ref flags);
        var noiseTerm = TA.MultiplySample(mn, noise, ref flags);
        return TA.AddModel(TA.SubtractModel(carried, predicted, ref flags), noiseTerm, ref flags);
    }
}

/// <summary>
/// The DPM step over lanes of <typeparamref name="TC"/> (double lanes for float64, float lanes for float32, float16 and
/// bfloat16 elements), run by the one width cascade of <see cref="Driver{TK, TC}"/>. Every rounding is the exact one
/// (the fast float16/bfloat16 recipes of the DDIM step are not used here).
/// </summary>
internal readonly unsafe struct DpmStepKernel<TSample, TModel, TP, TO, TC> : IKernel<TC>
    where TSample : unmanaged
    where TModel : unmanaged
    where TP : IPrediction
    where TO : IDpmOrder
    where TC : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<TC>
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Loop<TL, TVec>(void* job, int i, int end)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        var j = (DpmJob<TC>*)job;
        ref var s = ref Unsafe.AsRef<TSample>(j->Sample);
        ref var m = ref Unsafe.AsRef<TModel>(j->ModelOutput);
        ref var old = ref TO.SecondOrder ? ref Unsafe.AsRef<TModel>(j->Old) : ref m;
        ref var e = ref Unsafe.AsRef<TSample>(j->Noise);
        ref var prev = ref Unsafe.AsRef<TModel>(j->PrevSample);
        ref var x0 = ref Unsafe.AsRef<TModel>(j->PredOriginalSample);
        var o = j->Original;
        var d = j->Dpm;
        var k = new StepVectors<TVec>(TL.Broadcast(o.SqrtAlphaSample), TL.Broadcast(o.SqrtBetaModel), TL.Broadcast(o.SqrtAlphaModelDivisor), default, default);
        var m1 = TL.Broadcast(d.Mult1Sample);
        var m2 = TL.Broadcast(d.Mult2Model);
        var m3 = TL.Broadcast(d.Mult3Model);
        var m4 = TL.Broadcast(d.Mult4Model);
        var mn = TL.Broadcast(d.MultNoiseSample);
        for (; i <= end - TL.Count; i += TL.Count)
        {
            TVec unused = default;
            var sampleLanes = Elements.Load<TL, TVec, TC, TSample>(ref Unsafe.Add(ref s, i));
            var modelLanes = Elements.Load<TL, TVec, TC, TModel>(ref Unsafe.Add(ref m, i));
            var noiseLanes = Elements.Load<TL, TVec, TC, TSample>(ref Unsafe.Add(ref e, i));
            var oldLanes = TO.SecondOrder ? Elements.Load<TL, TVec, TC, TModel>(ref Unsafe.Add(ref old, i)) : default;
            var original = TP.OriginalSample<ExactArithmetic<TL, TVec, TC, TSample, TModel>, TVec, TVec>(sampleLanes, modelLanes, k, ref unused);
            var previous = DpmFormula.PrevSample<ExactArithmetic<TL, TVec, TC, TSample, TModel>, TVec, TO>(sampleLanes, original, oldLanes, noiseLanes, m1, m2, m3, m4, mn, ref unused);
            Elements.Store<TL, TVec, TC, TModel>(previous, ref Unsafe.Add(ref prev, i));
            Elements.Store<TL, TVec, TC, TModel>(original, ref Unsafe.Add(ref x0, i));
        }

        return i;
    }
}
