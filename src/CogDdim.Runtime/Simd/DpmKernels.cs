using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    public static TVec PrevSample<TA, TVec, TO>(TVec sample, TVec original, TVec old, TVec noise, TVec m1, TVec m2, TVec m3, TVec m4, TVec mn)
        where TA : IStepArithmetic<TVec>
        where TVec : struct
        where TO : IDpmOrder
    {
        var denoised = TO.SecondOrder ? TA.SubtractModel(TA.MultiplyModel(m3, original), TA.MultiplyModel(m4, old)) : original;
        var carried = TA.MultiplySample(m1, sample);
        var predicted = TA.MultiplyModel(m2, denoised);
        var noiseTerm = TA.MultiplySample(mn, noise);
        return TA.AddModel(TA.SubtractModel(carried, predicted), noiseTerm);
    }
}

/// <summary>One pass of the DPM step over float lanes (float32, float16, bfloat16 elements).</summary>
internal static unsafe class FloatDpmStep<TSample, TModel, TP, TO>
    where TSample : unmanaged
    where TModel : unmanaged
    where TP : IPrediction
    where TO : IDpmOrder
{
    public static void Chunk(void* job, int start, int end)
    {
        var j = (DpmJob<float>*)job;
        ref var s = ref Unsafe.AsRef<TSample>((TSample*)j->Sample + start);
        ref var m = ref Unsafe.AsRef<TModel>((TModel*)j->ModelOutput + start);
        ref var old = ref TO.SecondOrder ? ref Unsafe.AsRef<TModel>((TModel*)j->Old + start) : ref m;
        ref var e = ref Unsafe.AsRef<TSample>((TSample*)j->Noise + start);
        ref var prev = ref Unsafe.AsRef<TModel>((TModel*)j->PrevSample + start);
        ref var x0 = ref Unsafe.AsRef<TModel>((TModel*)j->PredOriginalSample + start);
        var n = end - start;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = Loop<FloatLanes512, Vector512<float>>(ref s, ref m, ref old, ref e, ref prev, ref x0, i, n, j->Original, j->Dpm);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            i = Loop<FloatLanes256, Vector256<float>>(ref s, ref m, ref old, ref e, ref prev, ref x0, i, n, j->Original, j->Dpm);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            i = Loop<FloatLanes128, Vector128<float>>(ref s, ref m, ref old, ref e, ref prev, ref x0, i, n, j->Original, j->Dpm);
        }

        Loop<ScalarFloatLanes, float>(ref s, ref m, ref old, ref e, ref prev, ref x0, i, n, j->Original, j->Dpm);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Loop<TL, TVec>(ref TSample s, ref TModel m, ref TModel old, ref TSample e, ref TModel prev, ref TModel x0, int i, int n, in StepScalars<float> o, in DpmScalars<float> d)
        where TL : IFloatLanes<TVec>
        where TVec : struct
    {
        var k = new StepVectors<TVec>(TL.Broadcast(o.SqrtAlphaSample), TL.Broadcast(o.SqrtBetaModel), TL.Broadcast(o.SqrtAlphaModelDivisor), default, default);
        var m1 = TL.Broadcast(d.Mult1Sample);
        var m2 = TL.Broadcast(d.Mult2Model);
        var m3 = TL.Broadcast(d.Mult3Model);
        var m4 = TL.Broadcast(d.Mult4Model);
        var mn = TL.Broadcast(d.MultNoiseSample);
        for (; i <= n - TL.Count; i += TL.Count)
        {
            var sampleLanes = Elements.Load<TL, TVec, TSample>(ref Unsafe.Add(ref s, i));
            var modelLanes = Elements.Load<TL, TVec, TModel>(ref Unsafe.Add(ref m, i));
            var noiseLanes = Elements.Load<TL, TVec, TSample>(ref Unsafe.Add(ref e, i));
            var oldLanes = TO.SecondOrder ? Elements.Load<TL, TVec, TModel>(ref Unsafe.Add(ref old, i)) : default;
            var original = TP.OriginalSample<FloatArithmetic<TL, TVec, TSample, TModel>, TVec>(sampleLanes, modelLanes, k);
            var previous = DpmFormula.PrevSample<FloatArithmetic<TL, TVec, TSample, TModel>, TVec, TO>(sampleLanes, original, oldLanes, noiseLanes, m1, m2, m3, m4, mn);
            Elements.Store<TL, TVec, TModel>(previous, ref Unsafe.Add(ref prev, i));
            Elements.Store<TL, TVec, TModel>(original, ref Unsafe.Add(ref x0, i));
        }

        return i;
    }
}

/// <summary>One pass of the DPM step with float64 sample and model output.</summary>
internal static unsafe class DoubleDpmStep<TP, TO>
    where TP : IPrediction
    where TO : IDpmOrder
{
    public static void Chunk(void* job, int start, int end)
    {
        var j = (DpmJob<double>*)job;
        ref var s = ref Unsafe.AsRef<double>((double*)j->Sample + start);
        ref var m = ref Unsafe.AsRef<double>((double*)j->ModelOutput + start);
        ref var old = ref TO.SecondOrder ? ref Unsafe.AsRef<double>((double*)j->Old + start) : ref m;
        ref var e = ref Unsafe.AsRef<double>((double*)j->Noise + start);
        ref var prev = ref Unsafe.AsRef<double>((double*)j->PrevSample + start);
        ref var x0 = ref Unsafe.AsRef<double>((double*)j->PredOriginalSample + start);
        var n = end - start;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = Loop<DoubleLanes512, Vector512<double>>(ref s, ref m, ref old, ref e, ref prev, ref x0, i, n, j->Original, j->Dpm);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            i = Loop<DoubleLanes256, Vector256<double>>(ref s, ref m, ref old, ref e, ref prev, ref x0, i, n, j->Original, j->Dpm);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            i = Loop<DoubleLanes128, Vector128<double>>(ref s, ref m, ref old, ref e, ref prev, ref x0, i, n, j->Original, j->Dpm);
        }

        Loop<ScalarDoubleLanes, double>(ref s, ref m, ref old, ref e, ref prev, ref x0, i, n, j->Original, j->Dpm);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Loop<TL, TVec>(ref double s, ref double m, ref double old, ref double e, ref double prev, ref double x0, int i, int n, in StepScalars<double> o, in DpmScalars<double> d)
        where TL : IDoubleLanes<TVec>
        where TVec : struct
    {
        var k = new StepVectors<TVec>(TL.Broadcast(o.SqrtAlphaSample), TL.Broadcast(o.SqrtBetaModel), TL.Broadcast(o.SqrtAlphaModelDivisor), default, default);
        var m1 = TL.Broadcast(d.Mult1Sample);
        var m2 = TL.Broadcast(d.Mult2Model);
        var m3 = TL.Broadcast(d.Mult3Model);
        var m4 = TL.Broadcast(d.Mult4Model);
        var mn = TL.Broadcast(d.MultNoiseSample);
        for (; i <= n - TL.Count; i += TL.Count)
        {
            var sampleLanes = TL.Load(ref Unsafe.Add(ref s, i));
            var modelLanes = TL.Load(ref Unsafe.Add(ref m, i));
            var noiseLanes = TL.Load(ref Unsafe.Add(ref e, i));
            var oldLanes = TO.SecondOrder ? TL.Load(ref Unsafe.Add(ref old, i)) : default;
            var original = TP.OriginalSample<DoubleArithmetic<TL, TVec>, TVec>(sampleLanes, modelLanes, k);
            TL.Store(DpmFormula.PrevSample<DoubleArithmetic<TL, TVec>, TVec, TO>(sampleLanes, original, oldLanes, noiseLanes, m1, m2, m3, m4, mn), ref Unsafe.Add(ref prev, i));
            TL.Store(original, ref Unsafe.Add(ref x0, i));
        }

        return i;
    }
}
