using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CogDdim.Simd;

/// <summary>One pass of <c>step</c> with float64 sample and model output.</summary>
internal static unsafe class DoubleStep<TP>
    where TP : IPrediction
{
    public static void Chunk(void* job, int start, int end)
    {
        var j = (StepJob<double>*)job;
        var length = end - start;
        Run(
            new ReadOnlySpan<double>((double*)j->Sample + start, length),
            new ReadOnlySpan<double>((double*)j->ModelOutput + start, length),
            new Span<double>((double*)j->PrevSample + start, length),
            new Span<double>((double*)j->PredOriginalSample + start, length),
            j->Scalars);
    }

    public static void Run(ReadOnlySpan<double> sample, ReadOnlySpan<double> modelOutput, Span<double> prevSample, Span<double> predOriginalSample, in StepScalars<double> scalars)
    {
        ref var s = ref MemoryMarshal.GetReference(sample);
        ref var m = ref MemoryMarshal.GetReference(modelOutput);
        ref var prev = ref MemoryMarshal.GetReference(prevSample);
        ref var x0 = ref MemoryMarshal.GetReference(predOriginalSample);
        var n = sample.Length;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = Loop<DoubleLanes512, Vector512<double>>(ref s, ref m, ref prev, ref x0, i, n, scalars);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            i = Loop<DoubleLanes256, Vector256<double>>(ref s, ref m, ref prev, ref x0, i, n, scalars);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            i = Loop<DoubleLanes128, Vector128<double>>(ref s, ref m, ref prev, ref x0, i, n, scalars);
        }

        Loop<ScalarDoubleLanes, double>(ref s, ref m, ref prev, ref x0, i, n, scalars);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Loop<TL, TVec>(ref double s, ref double m, ref double prev, ref double x0, int i, int n, in StepScalars<double> scalars)
        where TL : IDoubleLanes<TVec>
        where TVec : struct
    {
        var k = new StepVectors<TVec>(
            TL.Broadcast(scalars.SqrtAlphaSample), TL.Broadcast(scalars.SqrtBetaModel), TL.Broadcast(scalars.SqrtAlphaModelDivisor),
            TL.Broadcast(scalars.AtSample), TL.Broadcast(scalars.BtModel));
        for (; i <= n - TL.Count; i += TL.Count)
        {
            var sampleLanes = TL.Load(ref Unsafe.Add(ref s, i));
            var modelLanes = TL.Load(ref Unsafe.Add(ref m, i));
            var original = TP.OriginalSample<DoubleArithmetic<TL, TVec>, TVec>(sampleLanes, modelLanes, k);
            TL.Store(StepFormula.PrevSample<DoubleArithmetic<TL, TVec>, TVec>(sampleLanes, original, k), ref Unsafe.Add(ref prev, i));
            TL.Store(original, ref Unsafe.Add(ref x0, i));
        }

        return i;
    }
}

/// <summary>One pass of add_noise/get_velocity over float64 elements.</summary>
internal static unsafe class DoubleNoise<TOp>
    where TOp : INoiseOp
{
    public static void Chunk(void* job, int start, int end)
    {
        var j = (NoiseJob<double>*)job;
        var length = end - start;
        Run(
            new ReadOnlySpan<double>((double*)j->Input + start, length),
            new ReadOnlySpan<double>((double*)j->Noise + start, length),
            new Span<double>((double*)j->Output + start, length),
            j->SqrtAlpha,
            j->SqrtOneMinusAlpha);
    }

    public static void Run(ReadOnlySpan<double> input, ReadOnlySpan<double> noise, Span<double> output, double sqrtAlpha, double sqrtOneMinusAlpha)
    {
        ref var x = ref MemoryMarshal.GetReference(input);
        ref var e = ref MemoryMarshal.GetReference(noise);
        ref var y = ref MemoryMarshal.GetReference(output);
        var n = input.Length;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = Loop<DoubleLanes512, Vector512<double>>(ref x, ref e, ref y, i, n, sqrtAlpha, sqrtOneMinusAlpha);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            i = Loop<DoubleLanes256, Vector256<double>>(ref x, ref e, ref y, i, n, sqrtAlpha, sqrtOneMinusAlpha);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            i = Loop<DoubleLanes128, Vector128<double>>(ref x, ref e, ref y, i, n, sqrtAlpha, sqrtOneMinusAlpha);
        }

        Loop<ScalarDoubleLanes, double>(ref x, ref e, ref y, i, n, sqrtAlpha, sqrtOneMinusAlpha);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Loop<TL, TVec>(ref double x, ref double e, ref double y, int i, int n, double sqrtAlpha, double sqrtOneMinusAlpha)
        where TL : IDoubleLanes<TVec>
        where TVec : struct
    {
        var a = TL.Broadcast(sqrtAlpha);
        var b = TL.Broadcast(sqrtOneMinusAlpha);
        for (; i <= n - TL.Count; i += TL.Count)
        {
            var input = TL.Load(ref Unsafe.Add(ref x, i));
            var noise = TL.Load(ref Unsafe.Add(ref e, i));
            TL.Store(TOp.Combine<DoubleArithmetic<TL, TVec>, TVec>(input, noise, a, b), ref Unsafe.Add(ref y, i));
        }

        return i;
    }
}
