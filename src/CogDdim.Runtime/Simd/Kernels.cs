using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CogDdim.Simd;

/// <summary>
/// An element loop of one kernel shape over lanes of <typeparamref name="TC"/>: it runs whole registers from
/// <c>i</c> while they fit before <c>end</c> and returns where it stopped. The job is the kernel's own struct, on the
/// caller's stack (the caller blocks until every chunk is done).
/// </summary>
internal unsafe interface IKernel<TC>
    where TC : unmanaged, IBinaryFloatingPointIeee754<TC>
{
    static abstract int Loop<TL, TVec>(void* job, int i, int end)
        where TL : ILanes<TVec, TC>
        where TVec : struct;
}

/// <summary>
/// The one width cascade: the widest accelerated width runs first, each narrower one picks up what is left, the
/// scalar lanes finish the tail, so every element goes through the same formula. <see cref="Chunk"/> is the body
/// <see cref="ParallelChunks"/> runs on each part.
/// </summary>
internal static unsafe class Driver<TK, TC>
    where TK : IKernel<TC>
    where TC : unmanaged, IBinaryFloatingPointIeee754<TC>
{
    public static void Chunk(void* job, int start, int end)
    {
        var i = start;
        if (Lanes512<TC>.IsHardwareAccelerated)
        {
            i = TK.Loop<Lanes512<TC>, Vector512<TC>>(job, i, end);
        }

        if (Lanes256<TC>.IsHardwareAccelerated)
        {
            i = TK.Loop<Lanes256<TC>, Vector256<TC>>(job, i, end);
        }

        if (Lanes128<TC>.IsHardwareAccelerated)
        {
            i = TK.Loop<Lanes128<TC>, Vector128<TC>>(job, i, end);
        }

        TK.Loop<ScalarLanes<TC>, TC>(job, i, end);
    }

    /// <summary>The chunk body as a function pointer for <see cref="ParallelChunks.Run"/>.</summary>
    public static delegate*<void*, int, int, void> Body => &Chunk;
}

/// <summary>The pointers and scalars of one step.</summary>
internal unsafe struct StepJob<TC>
    where TC : unmanaged
{
    public void* Sample;
    public void* ModelOutput;
    public void* PrevSample;
    public void* PredOriginalSample;
    public StepScalars<TC> Scalars;

    /// <summary>Whether the fast float16/bfloat16 recipes may run (bfloat16 needs bounded scalars).</summary>
    public bool Fast;

    /// <summary>The split recipes' input bound, as lane bits (SimdScalars.SplitLimit).</summary>
    public uint SplitLimit;
}

/// <summary>The pointers and scalars of one add_noise/get_velocity batch item.</summary>
internal unsafe struct NoiseJob<TC>
    where TC : unmanaged
{
    public void* Input;
    public void* Noise;
    public void* Output;
    public TC SqrtAlpha;
    public TC SqrtOneMinusAlpha;
    public bool Fast;
    public uint SplitLimit;
}

/// <summary>The pointers of one cast.</summary>
internal unsafe struct CastJob
{
    public void* Source;
    public void* Destination;
}

/// <summary>What the fast recipes of a dtype pairing flag against (see <see cref="Reduced{TL, TVec}"/>).</summary>
internal static class Flags
{
    public static uint LimitFor<TSample, TModel>() =>
        typeof(TSample) == typeof(Half) || typeof(TModel) == typeof(Half) ? HalfBits.HalfFlagLimit : HalfBits.BFloat16FlagLimit;
}

/// <summary>
/// <c>step</c>: sample and model output in, prev_sample and pred_original_sample out (model output's dtype). With a
/// float16/bfloat16 element, each register is computed with the fast recipes first and again with the exact ones
/// only where a flag went up.
/// </summary>
internal readonly unsafe struct StepKernel<TSample, TModel, TP, TC> : IKernel<TC>
    where TP : IPrediction
    where TC : unmanaged, IBinaryFloatingPointIeee754<TC>
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Loop<TL, TVec>(void* job, int i, int end)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        var j = (StepJob<TC>*)job;
        ref var s = ref Unsafe.AsRef<TSample>(j->Sample);
        ref var m = ref Unsafe.AsRef<TModel>(j->ModelOutput);
        ref var prev = ref Unsafe.AsRef<TModel>(j->PrevSample);
        ref var x0 = ref Unsafe.AsRef<TModel>(j->PredOriginalSample);
        var scalars = j->Scalars;
        var k = new StepVectors<TVec>(
            TL.Broadcast(scalars.SqrtAlphaSample), TL.Broadcast(scalars.SqrtBetaModel), TL.Broadcast(scalars.SqrtAlphaModelDivisor),
            TL.Broadcast(scalars.AtSample), TL.Broadcast(scalars.BtModel));
        var fast = (Elements.IsReduced<TSample>() || Elements.IsReduced<TModel>()) && j->Fast;
        if (Split.Applies<TL, TVec, TC, TSample, TModel>() && fast)
        {
            return SplitLoop<TL, TVec>(j, i, end, k);
        }

        var limit = Flags.LimitFor<TSample, TModel>();
        for (; i <= end - TL.Count; i += TL.Count)
        {
            ref var si = ref Unsafe.Add(ref s, i);
            ref var mi = ref Unsafe.Add(ref m, i);
            TVec flags = default;
            if (fast)
            {
                var sampleLanes = Elements.LoadChecked<TL, TVec, TC, TSample>(ref si, ref flags);
                var modelLanes = Elements.LoadChecked<TL, TVec, TC, TModel>(ref mi, ref flags);
                var original = TP.OriginalSample<CheckedArithmetic<TL, TVec, TC, TSample, TModel>, TVec>(sampleLanes, modelLanes, k, ref flags);
                var previous = StepFormula.PrevSample<CheckedArithmetic<TL, TVec, TC, TSample, TModel>, TVec>(sampleLanes, original, k, ref flags);
                if (!TL.Flagged(flags, limit))
                {
                    Elements.StoreRounded<TL, TVec, TC, TModel>(previous, ref Unsafe.Add(ref prev, i));
                    Elements.StoreRounded<TL, TVec, TC, TModel>(original, ref Unsafe.Add(ref x0, i));
                    continue;
                }
            }

            Exact<TL, TVec>(ref si, ref mi, ref Unsafe.Add(ref prev, i), ref Unsafe.Add(ref x0, i), k);
        }

        return i;
    }

    /// <summary>Pure float16/bfloat16: the split recipes (<see cref="SplitArithmetic{TL, TVec, TC, T}"/>), and per register the
    /// float16 finite recipes or the exact ones where they flag.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SplitLoop<TL, TVec>(StepJob<TC>* j, int i, int end, in StepVectors<TVec> k)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        ref var s = ref Unsafe.AsRef<TSample>(j->Sample);
        ref var m = ref Unsafe.AsRef<TModel>(j->ModelOutput);
        ref var prev = ref Unsafe.AsRef<TModel>(j->PrevSample);
        ref var x0 = ref Unsafe.AsRef<TModel>(j->PredOriginalSample);
        var inputLimit = j->SplitLimit;
        var infinity = TL.Broadcast(TC.PositiveInfinity);
        for (; i <= end - TL.Count; i += TL.Count)
        {
            ref var si = ref Unsafe.Add(ref s, i);
            ref var mi = ref Unsafe.Add(ref m, i);
            var sampleLanes = Split.Load<TL, TVec, TC, TSample>(ref si);
            var modelLanes = Split.Load<TL, TVec, TC, TModel>(ref mi);
            var inputs = TL.MaxMagnitudeBits(TL.MaxMagnitudeBits(default, sampleLanes), modelLanes);
            var smallest = infinity;
            var original = TP.OriginalSample<SplitArithmetic<TL, TVec, TC, TModel>, TVec>(sampleLanes, modelLanes, k, ref smallest);
            var previous = StepFormula.PrevSample<SplitArithmetic<TL, TVec, TC, TModel>, TVec>(sampleLanes, original, k, ref smallest);
            var bounded = !TL.Flagged(inputs, inputLimit);
            if (bounded && !TL.Below(smallest, HalfBits.SmallestNormalSingle))
            {
                Split.Store<TL, TVec, TC, TModel>(previous, ref Unsafe.Add(ref prev, i));
                Split.Store<TL, TVec, TC, TModel>(original, ref Unsafe.Add(ref x0, i));
                continue;
            }

            Fallback<TL, TVec>(ref si, ref mi, ref Unsafe.Add(ref prev, i), ref Unsafe.Add(ref x0, i), k, finite: bounded && typeof(TModel) == typeof(Half));
        }

        return i;
    }

    /// <summary>One register again: with the float16 finite recipes when its inputs are bounded, else the exact ones.
    /// Kept out of line so that the split loop keeps its registers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Fallback<TL, TVec>(ref TSample s, ref TModel m, ref TModel prev, ref TModel x0, in StepVectors<TVec> k, bool finite)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        if (!finite)
        {
            Exact<TL, TVec>(ref s, ref m, ref prev, ref x0, k);
            return;
        }

        TVec unused = default;
        var sampleLanes = Elements.Load<TL, TVec, TC, TSample>(ref s);
        var modelLanes = Elements.Load<TL, TVec, TC, TModel>(ref m);
        var original = TP.OriginalSample<HalfFiniteArithmetic<TL, TVec, TC>, TVec>(sampleLanes, modelLanes, k, ref unused);
        var previous = StepFormula.PrevSample<HalfFiniteArithmetic<TL, TVec, TC>, TVec>(sampleLanes, original, k, ref unused);
        Elements.Store<TL, TVec, TC, TModel>(previous, ref prev);
        Elements.Store<TL, TVec, TC, TModel>(original, ref x0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exact<TL, TVec>(ref TSample s, ref TModel m, ref TModel prev, ref TModel x0, in StepVectors<TVec> k)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        TVec unused = default;
        var sampleLanes = Elements.Load<TL, TVec, TC, TSample>(ref s);
        var modelLanes = Elements.Load<TL, TVec, TC, TModel>(ref m);
        var original = TP.OriginalSample<ExactArithmetic<TL, TVec, TC, TSample, TModel>, TVec>(sampleLanes, modelLanes, k, ref unused);
        var previous = StepFormula.PrevSample<ExactArithmetic<TL, TVec, TC, TSample, TModel>, TVec>(sampleLanes, original, k, ref unused);
        Elements.Store<TL, TVec, TC, TModel>(previous, ref prev);
        Elements.Store<TL, TVec, TC, TModel>(original, ref x0);
    }
}

/// <summary><c>add_noise</c> / <c>get_velocity</c> (<typeparamref name="TOp"/>): two inputs in, one output, one dtype.</summary>
internal readonly unsafe struct NoiseKernel<T, TOp, TC> : IKernel<TC>
    where TOp : INoiseOp
    where TC : unmanaged, IBinaryFloatingPointIeee754<TC>
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Loop<TL, TVec>(void* job, int i, int end)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        var j = (NoiseJob<TC>*)job;
        ref var x = ref Unsafe.AsRef<T>(j->Input);
        ref var e = ref Unsafe.AsRef<T>(j->Noise);
        ref var y = ref Unsafe.AsRef<T>(j->Output);
        var a = TL.Broadcast(j->SqrtAlpha);
        var b = TL.Broadcast(j->SqrtOneMinusAlpha);
        var fast = Elements.IsReduced<T>() && j->Fast;
        if (Split.Applies<TL, TVec, TC, T, T>() && fast)
        {
            return SplitLoop<TL, TVec>(j, i, end, a, b);
        }

        var limit = Flags.LimitFor<T, T>();
        for (; i <= end - TL.Count; i += TL.Count)
        {
            TVec flags = default;
            if (fast)
            {
                var inputLanes = Elements.LoadChecked<TL, TVec, TC, T>(ref Unsafe.Add(ref x, i), ref flags);
                var noiseLanes = Elements.LoadChecked<TL, TVec, TC, T>(ref Unsafe.Add(ref e, i), ref flags);
                var result = TOp.Combine<CheckedArithmetic<TL, TVec, TC, T, T>, TVec>(inputLanes, noiseLanes, a, b, ref flags);
                if (!TL.Flagged(flags, limit))
                {
                    Elements.StoreRounded<TL, TVec, TC, T>(result, ref Unsafe.Add(ref y, i));
                    continue;
                }
            }

            Exact<TL, TVec>(ref Unsafe.Add(ref x, i), ref Unsafe.Add(ref e, i), ref Unsafe.Add(ref y, i), a, b);
        }

        return i;
    }

    /// <summary>Pure float16/bfloat16: as <c>StepKernel.SplitLoop</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SplitLoop<TL, TVec>(NoiseJob<TC>* j, int i, int end, TVec a, TVec b)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        ref var x = ref Unsafe.AsRef<T>(j->Input);
        ref var e = ref Unsafe.AsRef<T>(j->Noise);
        ref var y = ref Unsafe.AsRef<T>(j->Output);
        var inputLimit = j->SplitLimit;
        var infinity = TL.Broadcast(TC.PositiveInfinity);
        for (; i <= end - TL.Count; i += TL.Count)
        {
            ref var xi = ref Unsafe.Add(ref x, i);
            ref var ei = ref Unsafe.Add(ref e, i);
            var inputLanes = Split.Load<TL, TVec, TC, T>(ref xi);
            var noiseLanes = Split.Load<TL, TVec, TC, T>(ref ei);
            var inputs = TL.MaxMagnitudeBits(TL.MaxMagnitudeBits(default, inputLanes), noiseLanes);
            var smallest = infinity;
            var result = TOp.Combine<SplitArithmetic<TL, TVec, TC, T>, TVec>(inputLanes, noiseLanes, a, b, ref smallest);
            var bounded = !TL.Flagged(inputs, inputLimit);
            if (bounded && !TL.Below(smallest, HalfBits.SmallestNormalSingle))
            {
                Split.Store<TL, TVec, TC, T>(result, ref Unsafe.Add(ref y, i));
                continue;
            }

            Fallback<TL, TVec>(ref xi, ref ei, ref Unsafe.Add(ref y, i), a, b, finite: bounded && typeof(T) == typeof(Half));
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Fallback<TL, TVec>(ref T x, ref T e, ref T y, TVec a, TVec b, bool finite)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        if (!finite)
        {
            Exact<TL, TVec>(ref x, ref e, ref y, a, b);
            return;
        }

        TVec unused = default;
        var input = Elements.Load<TL, TVec, TC, T>(ref x);
        var noise = Elements.Load<TL, TVec, TC, T>(ref e);
        Elements.Store<TL, TVec, TC, T>(TOp.Combine<HalfFiniteArithmetic<TL, TVec, TC>, TVec>(input, noise, a, b, ref unused), ref y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exact<TL, TVec>(ref T x, ref T e, ref T y, TVec a, TVec b)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        TVec unused = default;
        var input = Elements.Load<TL, TVec, TC, T>(ref x);
        var noise = Elements.Load<TL, TVec, TC, T>(ref e);
        Elements.Store<TL, TVec, TC, T>(TOp.Combine<ExactArithmetic<TL, TVec, TC, T, T>, TVec>(input, noise, a, b, ref unused), ref y);
    }
}

/// <summary>Which kernels take the split recipes, and their loads and stores (float16 in the scaled form).</summary>
internal static class Split
{

    /// <summary>Pure float16 (sample and model output both float16) in float vector lanes. bfloat16 keeps its integer
    /// rounding: measured, the split recipes were no faster for it (its rounding is already five integer ops, and a
    /// zero or subnormal product sends a register to the exact recipes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Applies<TL, TVec, TC, TSample, TModel>()
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged =>
        typeof(TC) == typeof(float) && typeof(TSample) == typeof(Half) && typeof(TModel) == typeof(Half) && TL.Count > 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec Load<TL, TVec, TC, T>(ref T source)
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged =>
        typeof(T) == typeof(Half) ? TL.LoadHalfScaled(ref Unsafe.As<T, ushort>(ref source)) : TL.LoadBFloat16(ref Unsafe.As<T, ushort>(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<TL, TVec, TC, T>(TVec value, ref T destination)
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged
    {
        if (typeof(T) == typeof(Half))
        {
            TL.StoreHalfScaled(value, ref Unsafe.As<T, ushort>(ref destination));
        }
        else
        {
            TL.StoreBFloat16Rounded(value, ref Unsafe.As<T, ushort>(ref destination));
        }
    }
}

/// <summary>
/// A cast between float and float16/bfloat16 (<c>tensor.to(dtype)</c>): float → float16 runs the fast rounding and
/// falls back to the exact recipe per register; the other directions are exact recipes of a few instructions.
/// </summary>
internal readonly unsafe struct CastKernel<TFrom, TTo> : IKernel<float>
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Loop<TL, TVec>(void* job, int i, int end)
        where TL : ILanes<TVec, float>
        where TVec : struct
    {
        var j = (CastJob*)job;
        ref var source = ref Unsafe.AsRef<TFrom>(j->Source);
        ref var destination = ref Unsafe.AsRef<TTo>(j->Destination);
        for (; i <= end - TL.Count; i += TL.Count)
        {
            ref var from = ref Unsafe.Add(ref source, i);
            ref var to = ref Unsafe.Add(ref destination, i);
            if (typeof(TFrom) == typeof(Half) || typeof(TTo) == typeof(Half))
            {
                TVec flags = default;
                var value = Elements.LoadChecked<TL, TVec, float, TFrom>(ref from, ref flags);
                value = Elements.RoundChecked<TL, TVec, float, TTo>(value, ref flags);
                if (!TL.Flagged(flags, HalfBits.HalfFlagLimit))
                {
                    Elements.StoreRounded<TL, TVec, float, TTo>(value, ref to);
                    continue;
                }
            }

            Elements.Store<TL, TVec, float, TTo>(Elements.Load<TL, TVec, float, TFrom>(ref from), ref to);
        }

        return i;
    }
}
