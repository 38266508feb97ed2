using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CogDdim.Simd;

/// <summary>The pointers and scalars of one step, for the chunk bodies (the caller blocks until every chunk is done).</summary>
internal unsafe struct StepJob<TScalar>
    where TScalar : unmanaged
{
    public void* Sample;
    public void* ModelOutput;
    public void* PrevSample;
    public void* PredOriginalSample;
    public StepScalars<TScalar> Scalars;
}

/// <summary>The pointers and scalars of one add_noise/get_velocity batch item.</summary>
internal unsafe struct NoiseJob<TScalar>
    where TScalar : unmanaged
{
    public void* Input;
    public void* Noise;
    public void* Output;
    public TScalar SqrtAlpha;
    public TScalar SqrtOneMinusAlpha;
}

/// <summary>
/// One pass of <c>step</c> over float lanes: float32 elements, or float16/bfloat16 widened to float and rounded back
/// after every op. The widest accelerated width runs first, each narrower one picks up what is left, the scalar
/// lanes finish the tail, so every element goes through the same formula.
/// </summary>
internal static unsafe class FloatStep<TSample, TModel, TP>
    where TSample : unmanaged
    where TModel : unmanaged
    where TP : IPrediction
{
    /// <summary>A chunk body for <see cref="ParallelChunks"/>.</summary>
    public static void Chunk(void* job, int start, int end)
    {
        var j = (StepJob<float>*)job;
        var length = end - start;
        Run(
            new ReadOnlySpan<TSample>((TSample*)j->Sample + start, length),
            new ReadOnlySpan<TModel>((TModel*)j->ModelOutput + start, length),
            new Span<TModel>((TModel*)j->PrevSample + start, length),
            new Span<TModel>((TModel*)j->PredOriginalSample + start, length),
            j->Scalars);
    }

    public static void Run(ReadOnlySpan<TSample> sample, ReadOnlySpan<TModel> modelOutput, Span<TModel> prevSample, Span<TModel> predOriginalSample, in StepScalars<float> scalars)
    {
        ref var s = ref MemoryMarshal.GetReference(sample);
        ref var m = ref MemoryMarshal.GetReference(modelOutput);
        ref var prev = ref MemoryMarshal.GetReference(prevSample);
        ref var x0 = ref MemoryMarshal.GetReference(predOriginalSample);
        var n = sample.Length;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = Loop<FloatLanes512, Vector512<float>>(ref s, ref m, ref prev, ref x0, i, n, scalars);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            i = Loop<FloatLanes256, Vector256<float>>(ref s, ref m, ref prev, ref x0, i, n, scalars);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            i = Loop<FloatLanes128, Vector128<float>>(ref s, ref m, ref prev, ref x0, i, n, scalars);
        }

        Loop<ScalarFloatLanes, float>(ref s, ref m, ref prev, ref x0, i, n, scalars);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Loop<TL, TVec>(ref TSample s, ref TModel m, ref TModel prev, ref TModel x0, int i, int n, in StepScalars<float> scalars)
        where TL : IFloatLanes<TVec>
        where TVec : struct
    {
        var k = new StepVectors<TVec>(
            TL.Broadcast(scalars.SqrtAlphaSample), TL.Broadcast(scalars.SqrtBetaModel), TL.Broadcast(scalars.SqrtAlphaModelDivisor),
            TL.Broadcast(scalars.AtSample), TL.Broadcast(scalars.BtModel));
        for (; i <= n - TL.Count; i += TL.Count)
        {
            var sampleLanes = Elements.Load<TL, TVec, TSample>(ref Unsafe.Add(ref s, i));
            var modelLanes = Elements.Load<TL, TVec, TModel>(ref Unsafe.Add(ref m, i));
            var original = TP.OriginalSample<FloatArithmetic<TL, TVec, TSample, TModel>, TVec>(sampleLanes, modelLanes, k);
            var previous = StepFormula.PrevSample<FloatArithmetic<TL, TVec, TSample, TModel>, TVec>(sampleLanes, original, k);
            Elements.Store<TL, TVec, TModel>(previous, ref Unsafe.Add(ref prev, i));
            Elements.Store<TL, TVec, TModel>(original, ref Unsafe.Add(ref x0, i));
        }

        return i;
    }
}

/// <summary>One pass of add_noise/get_velocity over float lanes (float32, float16, bfloat16 elements).</summary>
internal static unsafe class FloatNoise<T, TOp>
    where T : unmanaged
    where TOp : INoiseOp
{
    public static void Chunk(void* job, int start, int end)
    {
        var j = (NoiseJob<float>*)job;
        var length = end - start;
        Run(
            new ReadOnlySpan<T>((T*)j->Input + start, length),
            new ReadOnlySpan<T>((T*)j->Noise + start, length),
            new Span<T>((T*)j->Output + start, length),
            j->SqrtAlpha,
            j->SqrtOneMinusAlpha);
    }

    public static void Run(ReadOnlySpan<T> input, ReadOnlySpan<T> noise, Span<T> output, float sqrtAlpha, float sqrtOneMinusAlpha)
    {
        ref var x = ref MemoryMarshal.GetReference(input);
        ref var e = ref MemoryMarshal.GetReference(noise);
        ref var y = ref MemoryMarshal.GetReference(output);
        var n = input.Length;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = Loop<FloatLanes512, Vector512<float>>(ref x, ref e, ref y, i, n, sqrtAlpha, sqrtOneMinusAlpha);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            i = Loop<FloatLanes256, Vector256<float>>(ref x, ref e, ref y, i, n, sqrtAlpha, sqrtOneMinusAlpha);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            i = Loop<FloatLanes128, Vector128<float>>(ref x, ref e, ref y, i, n, sqrtAlpha, sqrtOneMinusAlpha);
        }

        Loop<ScalarFloatLanes, float>(ref x, ref e, ref y, i, n, sqrtAlpha, sqrtOneMinusAlpha);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Loop<TL, TVec>(ref T x, ref T e, ref T y, int i, int n, float sqrtAlpha, float sqrtOneMinusAlpha)
        where TL : IFloatLanes<TVec>
        where TVec : struct
    {
        var a = TL.Broadcast(sqrtAlpha);
        var b = TL.Broadcast(sqrtOneMinusAlpha);
        for (; i <= n - TL.Count; i += TL.Count)
        {
            var input = Elements.Load<TL, TVec, T>(ref Unsafe.Add(ref x, i));
            var noise = Elements.Load<TL, TVec, T>(ref Unsafe.Add(ref e, i));
            Elements.Store<TL, TVec, T>(TOp.Combine<FloatArithmetic<TL, TVec, T, T>, TVec>(input, noise, a, b), ref Unsafe.Add(ref y, i));
        }

        return i;
    }
}
