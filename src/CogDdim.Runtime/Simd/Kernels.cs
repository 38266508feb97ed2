using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using CogDdim.Numerics;

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

/// <summary>
/// The pointers and scalars of one element kernel run: a step (sample and model output in; prev_sample and
/// pred_original_sample out, in the model output's dtype) or an add_noise/get_velocity batch item (samples and noise
/// in, one output; sqrt(alpha) and sqrt(1 - alpha) in the first two scalars).
/// </summary>
internal unsafe struct ElementJob<TC>
    where TC : unmanaged
{
    public void* First;
    public void* Second;
    public void* Output;

    /// <summary>pred_original_sample; unused by the formulas without a second output.</summary>
    public void* SecondOutput;

    public StepScalars<TC> Scalars;

    /// <summary>Which fast recipes may run (<see cref="SimdScalars.PathsFor{T}"/>).</summary>
    public FastPaths Paths;
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
/// The element loop of <typeparamref name="TF"/> (step, add_noise or get_velocity): <typeparamref name="TFirst"/> and
/// <typeparamref name="TSecond"/> in, the outputs in <typeparamref name="TSecond"/>'s dtype. Pure float16 runs the
/// split or finite recipes four registers at a time on bounded inputs (<see cref="HalfQuads"/>); other
/// float16/bfloat16 pairings compute with the checked recipes first (bfloat16 samples four registers at a time) and
/// again with the exact ones only where a flag went up; float and double need no rounding.
/// </summary>
internal readonly unsafe struct ElementKernel<TF, TFirst, TSecond, TC> : IKernel<TC>
    where TF : IElementFormula
    where TC : unmanaged, IBinaryFloatingPointIeee754<TC>
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Loop<TL, TVec>(void* job, int i, int end)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        var j = (ElementJob<TC>*)job;
        var k = Broadcast<TL, TVec>(j->Scalars);
        var fast = (Elements.IsReduced<TFirst>() || Elements.IsReduced<TSecond>()) && j->Paths.Allowed;
        if (fast && HalfGroups.Apply<TL, TVec, TC, TFirst, TSecond>())
        {
            return HalfQuads<TL, TVec>(j, i, end, k);
        }

        if (fast && CheckedGroups.Apply<TL, TVec, TC, TFirst>())
        {
            i = CheckedQuads<TL, TVec>(j, i, end, k);
        }

        ref var first = ref Unsafe.AsRef<TFirst>(j->First);
        ref var second = ref Unsafe.AsRef<TSecond>(j->Second);
        ref var output = ref Unsafe.AsRef<TSecond>(j->Output);
        ref var secondOutput = ref Unsafe.AsRef<TSecond>(j->SecondOutput);
        var limit = Flags.LimitFor<TFirst, TSecond>();
        for (; i <= end - TL.Count; i += TL.Count)
        {
            if (fast)
            {
                TVec flags = default;
                var firstLanes = Elements.LoadChecked<TL, TVec, TC, TFirst>(ref Unsafe.Add(ref first, i), ref flags);
                var secondLanes = Elements.LoadChecked<TL, TVec, TC, TSecond>(ref Unsafe.Add(ref second, i), ref flags);
                var result = TF.Compute<CheckedArithmetic<TL, TVec, TC, TFirst, TSecond>, TVec, TVec>(firstLanes, secondLanes, k, ref flags, out var secondResult);
                if (!TL.Flagged(flags, limit))
                {
                    Elements.StoreRounded<TL, TVec, TC, TSecond>(result, ref Unsafe.Add(ref output, i));
                    if (TF.HasSecondOutput)
                    {
                        Elements.StoreRounded<TL, TVec, TC, TSecond>(secondResult, ref Unsafe.Add(ref secondOutput, i));
                    }

                    continue;
                }
            }

            Register<ExactArithmetic<TL, TVec, TC, TFirst, TSecond>, TL, TVec>(ref Unsafe.Add(ref first, i), ref Unsafe.Add(ref second, i), ref Unsafe.Add(ref output, i), ref Unsafe.Add(ref secondOutput, i), k);
        }

        return i;
    }

    /// <summary>
    /// The checked recipes four registers at a time (<see cref="Grouped{TA, TVec}"/>). A group where any register's
    /// flags went up is computed again with the exact recipes, out of line, so that the common path holds its
    /// registers (no call can clobber them).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int CheckedQuads<TL, TVec>(ElementJob<TC>* j, int i, int end, in StepVectors<TVec> k)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        ref var first = ref Unsafe.AsRef<TFirst>(j->First);
        ref var second = ref Unsafe.AsRef<TSecond>(j->Second);
        ref var output = ref Unsafe.AsRef<TSecond>(j->Output);
        ref var secondOutput = ref Unsafe.AsRef<TSecond>(j->SecondOutput);
        var limit = Flags.LimitFor<TFirst, TSecond>();
        var n = TL.Count;
        for (; i <= end - 4 * n; i += 4 * n)
        {
            TVec fa = default, fb = default, fc = default, fd = default;
            var a = new Quad<TVec>(
                Elements.LoadChecked<TL, TVec, TC, TFirst>(ref Unsafe.Add(ref first, i), ref fa),
                Elements.LoadChecked<TL, TVec, TC, TFirst>(ref Unsafe.Add(ref first, i + n), ref fb),
                Elements.LoadChecked<TL, TVec, TC, TFirst>(ref Unsafe.Add(ref first, i + 2 * n), ref fc),
                Elements.LoadChecked<TL, TVec, TC, TFirst>(ref Unsafe.Add(ref first, i + 3 * n), ref fd));
            var b = new Quad<TVec>(
                Elements.LoadChecked<TL, TVec, TC, TSecond>(ref Unsafe.Add(ref second, i), ref fa),
                Elements.LoadChecked<TL, TVec, TC, TSecond>(ref Unsafe.Add(ref second, i + n), ref fb),
                Elements.LoadChecked<TL, TVec, TC, TSecond>(ref Unsafe.Add(ref second, i + 2 * n), ref fc),
                Elements.LoadChecked<TL, TVec, TC, TSecond>(ref Unsafe.Add(ref second, i + 3 * n), ref fd));
            var flags = new Quad<TVec>(fa, fb, fc, fd);
            var result = TF.Compute<Grouped<CheckedArithmetic<TL, TVec, TC, TFirst, TSecond>, TVec>, Quad<TVec>, TVec>(a, b, k, ref flags, out var secondResult);
            if (TL.Flagged(flags.A, limit) | TL.Flagged(flags.B, limit) | TL.Flagged(flags.C, limit) | TL.Flagged(flags.D, limit))
            {
                ExactRegisters<TL, TVec>(j, i, i + 4 * n, k);
                continue;
            }

            StoreRounded<TL, TVec>(result, ref Unsafe.Add(ref output, i));
            if (TF.HasSecondOutput)
            {
                StoreRounded<TL, TVec>(secondResult, ref Unsafe.Add(ref secondOutput, i));
            }
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRounded<TL, TVec>(in Quad<TVec> value, ref TSecond destination)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        Elements.StoreRounded<TL, TVec, TC, TSecond>(value.A, ref destination);
        Elements.StoreRounded<TL, TVec, TC, TSecond>(value.B, ref Unsafe.Add(ref destination, TL.Count));
        Elements.StoreRounded<TL, TVec, TC, TSecond>(value.C, ref Unsafe.Add(ref destination, 2 * TL.Count));
        Elements.StoreRounded<TL, TVec, TC, TSecond>(value.D, ref Unsafe.Add(ref destination, 3 * TL.Count));
    }

    /// <summary>The registers from <paramref name="i"/> to <paramref name="end"/> with the exact recipes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ExactRegisters<TL, TVec>(ElementJob<TC>* j, int i, int end, in StepVectors<TVec> k)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        for (; i < end; i += TL.Count)
        {
            Register<ExactArithmetic<TL, TVec, TC, TFirst, TSecond>, TL, TVec>(j, i, k);
        }
    }

    /// <summary>The register at <paramref name="i"/> with <typeparamref name="TA"/>, through the exact loads and stores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Register<TA, TL, TVec>(ElementJob<TC>* j, int i, in StepVectors<TVec> k)
        where TA : IStepArithmetic<TVec, TVec>
        where TL : ILanes<TVec, TC>
        where TVec : struct =>
        Register<TA, TL, TVec>(
            ref Unsafe.Add(ref Unsafe.AsRef<TFirst>(j->First), i),
            ref Unsafe.Add(ref Unsafe.AsRef<TSecond>(j->Second), i),
            ref Unsafe.Add(ref Unsafe.AsRef<TSecond>(j->Output), i),
            ref Unsafe.Add(ref Unsafe.AsRef<TSecond>(j->SecondOutput), i),
            k);

    /// <summary>One register with <typeparamref name="TA"/>, through the exact loads and stores (the pointers already
    /// at the register, so that the float and double loops keep them in registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Register<TA, TL, TVec>(ref TFirst first, ref TSecond second, ref TSecond output, ref TSecond secondOutput, in StepVectors<TVec> k)
        where TA : IStepArithmetic<TVec, TVec>
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        TVec unused = default;
        var firstLanes = Elements.Load<TL, TVec, TC, TFirst>(ref first);
        var secondLanes = Elements.Load<TL, TVec, TC, TSecond>(ref second);
        var result = TF.Compute<TA, TVec, TVec>(firstLanes, secondLanes, k, ref unused, out var secondResult);
        Elements.Store<TL, TVec, TC, TSecond>(result, ref output);
        if (TF.HasSecondOutput)
        {
            Elements.Store<TL, TVec, TC, TSecond>(secondResult, ref secondOutput);
        }
    }

    /// <summary>
    /// Pure float16, four registers per iteration (<see cref="Grouped{TA, TVec}"/>): the inputs loaded in the scaled form
    /// (a shift and a mask) and bounded with one maximum over all eight registers; a group with an unbounded input
    /// (∞, NaN, a magnitude near 65504) goes through <see cref="FiniteRegisters"/>. With <see cref="FastPaths.SplitFirst"/>
    /// a bounded group runs the split recipes (<see cref="HalfSplitArithmetic{TL, TVec, TC}"/>, on the scaled form) and,
    /// where a product came out subnormal or zero, the finite ones for that group (<see cref="FiniteQuads"/>); without
    /// it, the finite ones at once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HalfQuads<TL, TVec>(ElementJob<TC>* j, int i, int end, in StepVectors<TVec> k)
        where TL : ILanes<TVec, TC>
        where TVec : struct =>
        j->Paths.SplitFirst ? SplitQuads<TL, TVec>(j, i, end, k) : FiniteQuads<TL, TVec>(j, i, end, k);

    /// <summary>The finite recipes on every bounded group (see <see cref="HalfQuads"/>); out of line, so that the split
    /// loop calls it for a group it flagged without giving up its registers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int FiniteQuads<TL, TVec>(ElementJob<TC>* j, int i, int end, in StepVectors<TVec> k)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        var inputLimit = j->Paths.FiniteLimit;
        var up = TL.Broadcast(TC.CreateTruncating(HalfBits.TwoPow112));
        var down = TL.Broadcast(TC.CreateTruncating(HalfBits.TwoPowMinus112));
        var n = TL.Count;
        for (; i <= end - 4 * n; i += 4 * n)
        {
            var a = LoadScaled<TL, TVec>(ref Bits(j->First, i));
            var b = LoadScaled<TL, TVec>(ref Bits(j->Second, i));
            if (!Bounded<TL, TVec>(a, b, inputLimit))
            {
                FiniteRegisters<TL, TVec>(j, i, i + 4 * n, k);
                continue;
            }

            // The values (times 2^112, exact for finite inputs), and the results back to the scaled form (times 2^-112,
            // exact for float16 values) for the pair stores.
            Quad<TVec> unused = default;
            var result = TF.Compute<Grouped<HalfFiniteArithmetic<TL, TVec, TC>, TVec>, Quad<TVec>, TVec>(Rescale<TL, TVec>(a, up), Rescale<TL, TVec>(b, up), k, ref unused, out var secondResult);
            StoreScaled<TL, TVec>(Rescale<TL, TVec>(result, down), ref Bits(j->Output, i));
            if (TF.HasSecondOutput)
            {
                StoreScaled<TL, TVec>(Rescale<TL, TVec>(secondResult, down), ref Bits(j->SecondOutput, i));
            }
        }

        return FiniteRegisters<TL, TVec>(j, i, end, k);
    }

    /// <summary>The split recipes first, the finite ones for a group they flag (see <see cref="HalfQuads"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SplitQuads<TL, TVec>(ElementJob<TC>* j, int i, int end, in StepVectors<TVec> k)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        var inputLimit = j->Paths.FiniteLimit;
        var n = TL.Count;
        var infinity = TL.Broadcast(TC.PositiveInfinity);
        for (; i <= end - 4 * n; i += 4 * n)
        {
            var a = LoadScaled<TL, TVec>(ref Bits(j->First, i));
            var b = LoadScaled<TL, TVec>(ref Bits(j->Second, i));
            var bounded = Bounded<TL, TVec>(a, b, inputLimit);
            var smallest = new Quad<TVec>(infinity, infinity, infinity, infinity);
            var result = TF.Compute<Grouped<HalfSplitArithmetic<TL, TVec, TC>, TVec>, Quad<TVec>, TVec>(a, b, k, ref smallest, out var secondResult);
            var least = TL.MinMagnitude(TL.MinMagnitude(smallest.A, smallest.B), TL.MinMagnitude(smallest.C, smallest.D));
            if (!bounded)
            {
                FiniteRegisters<TL, TVec>(j, i, i + 4 * n, k);
                continue;
            }

            if (TL.Below(least, HalfBits.SmallestNormalSingle))
            {
                FiniteQuads<TL, TVec>(j, i, i + 4 * n, k);
                continue;
            }

            StoreScaled<TL, TVec>(result, ref Bits(j->Output, i));
            if (TF.HasSecondOutput)
            {
                StoreScaled<TL, TVec>(secondResult, ref Bits(j->SecondOutput, i));
            }
        }

        return FiniteRegisters<TL, TVec>(j, i, end, k);
    }

    /// <summary>Whether every magnitude of the two inputs' four registers (in the scaled form) stays below the
    /// recipes' bound.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Bounded<TL, TVec>(Quad<TVec> a, Quad<TVec> b, uint inputLimit)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        var bound = TL.MaxMagnitude(
            TL.MaxMagnitude(TL.MaxMagnitude(a.A, b.A), TL.MaxMagnitude(a.B, b.B)),
            TL.MaxMagnitude(TL.MaxMagnitude(a.C, b.C), TL.MaxMagnitude(a.D, b.D)));
        return !TL.Flagged(bound, inputLimit);
    }

    /// <summary>
    /// Pure float16, one register at a time: the finite recipes where the register's inputs are bounded, else the exact
    /// ones. Kept out of line so that the group loop keeps its registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int FiniteRegisters<TL, TVec>(ElementJob<TC>* j, int i, int end, in StepVectors<TVec> k)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        var inputLimit = j->Paths.FiniteLimit;
        for (; i <= end - TL.Count; i += TL.Count)
        {
            var bounded = !TL.Flagged(TL.MaxMagnitude(TL.LoadHalfScaled(ref Bits(j->First, i)), TL.LoadHalfScaled(ref Bits(j->Second, i))), inputLimit);
            if (bounded)
            {
                Register<HalfFiniteArithmetic<TL, TVec, TC>, TL, TVec>(j, i, k);
            }
            else
            {
                Register<ExactArithmetic<TL, TVec, TC, TFirst, TSecond>, TL, TVec>(j, i, k);
            }
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Quad<TVec> Rescale<TL, TVec>(Quad<TVec> value, TVec factor)
        where TL : ILanes<TVec, TC>
        where TVec : struct =>
        new(TL.Multiply(value.A, factor), TL.Multiply(value.B, factor), TL.Multiply(value.C, factor), TL.Multiply(value.D, factor));

    /// <summary>The float16 bits at element <paramref name="i"/> of one of the job's arrays.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ushort Bits(void* array, int i) => ref Unsafe.Add(ref Unsafe.AsRef<ushort>(array), i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Quad<TVec> LoadScaled<TL, TVec>(ref ushort source)
        where TL : ILanes<TVec, TC>
        where TVec : struct =>
        new(TL.LoadHalfScaled(ref source),
            TL.LoadHalfScaled(ref Unsafe.Add(ref source, TL.Count)),
            TL.LoadHalfScaled(ref Unsafe.Add(ref source, 2 * TL.Count)),
            TL.LoadHalfScaled(ref Unsafe.Add(ref source, 3 * TL.Count)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScaled<TL, TVec>(in Quad<TVec> value, ref ushort destination)
        where TL : ILanes<TVec, TC>
        where TVec : struct
    {
        TL.StoreHalfScaledPair(value.A, value.B, ref destination);
        TL.StoreHalfScaledPair(value.C, value.D, ref Unsafe.Add(ref destination, 2 * TL.Count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static StepVectors<TVec> Broadcast<TL, TVec>(in StepScalars<TC> s)
        where TL : ILanes<TVec, TC>
        where TVec : struct =>
        new(TL.Broadcast(s.SqrtAlphaSample), TL.Broadcast(s.SqrtBetaModel), TL.Broadcast(s.SqrtAlphaModelDivisor), TL.Broadcast(s.AtSample), TL.Broadcast(s.BtModel));
}

/// <summary>Which kernels take the pure float16 recipes four registers at a time (<see cref="HalfSplitArithmetic{TL, TVec, TC}"/>, <see cref="HalfFiniteArithmetic{TL, TVec, TC}"/>).</summary>
internal static class HalfGroups
{
    /// <summary>Pure float16 (both inputs float16) in float vector lanes. bfloat16 keeps its integer rounding (five
    /// integer ops, no worse than a float recipe), float16 with float32 model outputs its checked recipes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Apply<TL, TVec, TC, TFirst, TSecond>()
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged =>
        typeof(TC) == typeof(float) && typeof(TFirst) == typeof(Half) && typeof(TSecond) == typeof(Half) && TL.Count > 1;
}

/// <summary>Which kernels run the checked recipes four registers at a time.</summary>
internal static class CheckedGroups
{
    /// <summary>bfloat16 samples (pure bfloat16, and bfloat16 with float32 model outputs) in vector lanes. Measured on the
    /// 5b step: pure bfloat16 ~20% faster than one register at a time; float16 samples with float32 model outputs were
    /// ~1.5× slower in groups (0.70 against 0.47 ms on one thread, with 0.6% of the groups flagged; the cause was not
    /// found), so they stay one register at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Apply<TL, TVec, TC, TFirst>()
        where TL : ILanes<TVec, TC>
        where TVec : struct
        where TC : unmanaged =>
        typeof(TFirst) == typeof(BFloat16) && TL.Count > 1;
}

/// <summary>
/// A cast between float and float16/bfloat16 (<c>tensor.to(dtype)</c>): float → float16 runs four registers at a time
/// with the finite rounding where they are below 65520 in magnitude (<see cref="HalfQuads"/>), else the fast rounding
/// per register with the exact recipe where it flags; the other directions are exact recipes of a few instructions.
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
        if (typeof(TFrom) == typeof(float) && typeof(TTo) == typeof(Half) && TL.Count > 1)
        {
            i = HalfQuads<TL, TVec>(ref Unsafe.As<TFrom, float>(ref source), ref Unsafe.As<TTo, ushort>(ref destination), i, end);
        }

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

    /// <summary>
    /// float → float16, four registers per iteration: where every magnitude is below 65520 (one <c>vrangeps</c> bound
    /// per group; ∞ and NaN fail it), <see cref="ILanes{TVec, T}.RoundToHalfFinite"/> (five ops, subnormals included),
    /// then the scaled form (times 2^-112, exact for float16 values) and the pair stores. A group that fails the bound
    /// takes the exact recipe.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HalfQuads<TL, TVec>(ref float source, ref ushort destination, int i, int end)
        where TL : ILanes<TVec, float>
        where TVec : struct
    {
        var n = TL.Count;
        var down = TL.Broadcast(HalfBits.TwoPowMinus112);
        for (; i <= end - 4 * n; i += 4 * n)
        {
            ref var from = ref Unsafe.Add(ref source, i);
            var a = TL.Load(ref from);
            var b = TL.Load(ref Unsafe.Add(ref from, n));
            var c = TL.Load(ref Unsafe.Add(ref from, 2 * n));
            var d = TL.Load(ref Unsafe.Add(ref from, 3 * n));
            if (TL.Flagged(TL.MaxMagnitude(TL.MaxMagnitude(a, b), TL.MaxMagnitude(c, d)), HalfBits.RoundsToInfinityAsSingle))
            {
                ExactHalves<TL, TVec>(ref from, ref Unsafe.Add(ref destination, i), 4);
                continue;
            }

            ref var to = ref Unsafe.Add(ref destination, i);
            TL.StoreHalfScaledPair(TL.Multiply(TL.RoundToHalfFinite(a), down), TL.Multiply(TL.RoundToHalfFinite(b), down), ref to);
            TL.StoreHalfScaledPair(TL.Multiply(TL.RoundToHalfFinite(c), down), TL.Multiply(TL.RoundToHalfFinite(d), down), ref Unsafe.Add(ref to, 2 * n));
        }

        return i;
    }

    /// <summary><paramref name="registers"/> registers through the exact float → float16 recipe, out of line.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ExactHalves<TL, TVec>(ref float from, ref ushort to, int registers)
        where TL : ILanes<TVec, float>
        where TVec : struct
    {
        for (var r = 0; r < registers; r++)
        {
            TL.StoreHalf(TL.Load(ref Unsafe.Add(ref from, r * TL.Count)), ref Unsafe.Add(ref to, r * TL.Count));
        }
    }
}
