using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Precision;

/// <summary>One trajectory of the study, advanced one step at a time in lockstep with the others.</summary>
public abstract class Trajectory
{
    public abstract IReadOnlyList<long> Timesteps { get; }

    /// <summary>A DPM study's noise draw for the next step (the same array for every trajectory); null for DDIM.</summary>
    public double[]? StepNoise { get; set; }

    /// <summary>Runs the stand-in model and one scheduler step at <paramref name="timestep"/>, and feeds the result back.</summary>
    public abstract void Step(long timestep);
}

/// <summary>The oracle: diffusers' step run by the reference backend with every value in double-double.</summary>
public sealed partial class OracleTrajectory : Trajectory
{
    private readonly StandInModel _model;
    private readonly IReadOnlyList<Range> _chunks;
    private readonly int _parallelism;
    private readonly DoubleDouble[] _modelOutput;
    private readonly DoubleDouble[] _prevSample;
    private readonly DoubleDouble[] _predOriginal;

    /// <summary>
    /// The schedule's inputs are the config's double values, as diffusers passes them to torch (so <c>beta_start ** 0.5</c>
    /// is Python's double); from there every operation is double-double. The semantics profile does not matter:
    /// double-double has no torch dtype, so no scalar policy or linspace kernel applies.
    /// </summary>
    private DoubleDouble[]? _old;
    private DoubleDouble[]? _x0Next;
    private long? _lastTimestep;

    public OracleTrajectory(SchedulerConfig config, int steps, double[] startingLatents, ulong seed, int parallelism)
    {
        Scheduler = new ReferenceScheduler<DoubleDouble>(config, SemanticsProfile.Torch2Cpu);
        Scheduler.SetTimesteps(steps);
        _model = new StandInModel(config.PredictionType, Scheduler.AlphasCumprod, Scheduler.Timesteps, startingLatents.Length, seed);
        Latents = startingLatents.Select(v => (DoubleDouble)v).ToArray();
        _modelOutput = new DoubleDouble[Latents.Length];
        _prevSample = new DoubleDouble[Latents.Length];
        _predOriginal = new DoubleDouble[Latents.Length];
        _parallelism = parallelism;
        _chunks = Chunks.Of(Latents.Length);
    }

    public ReferenceScheduler<DoubleDouble> Scheduler { get; }

    public StandInModel Model => _model;

    public DoubleDouble[] Latents { get; }

    public override IReadOnlyList<long> Timesteps => Scheduler.Timesteps;

    public override void Step(long timestep)
    {
        var (p, q) = _model.At(timestep);
        var content = _model.Content;
        if (StepNoise is { } noise)
        {
            DpmStep(timestep, p, q, content, noise);
            return;
        }

        Chunks.Run(_chunks, _parallelism, (_, range) =>
        {
            for (var i = range.Start; i < range.End; i++)
            {
                _modelOutput[i] = (p * Latents[i]) + (q * content[i]);
            }

            var length = range.End - range.Start;
            Scheduler.Step<DoubleDouble>(
                _modelOutput.AsSpan(range.Start, length), timestep, Latents.AsSpan(range.Start, length),
                _prevSample.AsSpan(range.Start, length), _predOriginal.AsSpan(range.Start, length));
            _prevSample.AsSpan(range.Start, length).CopyTo(Latents.AsSpan(range.Start, length));
        });
    }
}

/// <summary>The oracle's CogVideoXDPMScheduler step: <see cref="OracleDpm"/>'s exact scalars, diffusers' element formula.</summary>
public sealed partial class OracleTrajectory
{
    private void DpmStep(long timestep, DoubleDouble p, DoubleDouble q, double[] content, double[] noise)
    {
        var c = OracleDpm.Coefficients(Scheduler.Schedule, timestep, _lastTimestep);
        var second = _old is not null && c.PrevTimestep >= 0;
        var old = _old;
        var x0 = _x0Next ??= new DoubleDouble[Latents.Length];
        var prediction = Scheduler.Config.PredictionType;
        var profile = Scheduler.Profile;
        Chunks.Run(_chunks, _parallelism, (_, range) =>
        {
            for (var i = range.Start; i < range.End; i++)
            {
                var output = (p * Latents[i]) + (q * content[i]);
                (Latents[i], x0[i]) = DpmStepFormula.Element(prediction, c, second, profile, Latents[i], output, second ? old![i] : default, (DoubleDouble)noise[i]);
            }
        });

        _x0Next = _old;
        _old = x0;
        _lastTimestep = timestep;
    }
}

/// <summary>A trajectory in torch's dtypes under one variant, through the reference backend.</summary>
public abstract class VariantTrajectory : Trajectory
{
    public abstract Variant Variant { get; }

    /// <summary>This trajectory's latents against the oracle's, in ULPs of the latent dtype.</summary>
    public abstract StepErrors MeasureAgainst(ErrorMeter meter, int step, long timestep, DoubleDouble[] oracle);

    /// <summary>This trajectory's latents against another variant's of the same dtypes (the other is the reference).</summary>
    public abstract StepErrors MeasureAgainst(ErrorMeter meter, int step, long timestep, VariantTrajectory other);

    /// <summary>The variant's trajectory with the schedule table in the dtype diffusers uses for this config.</summary>
    public static VariantTrajectory Create(Variant variant, SchedulerConfig config, int steps, double[] startingLatents, StandInModel model, int parallelism) =>
        config.HasFloat64Table
            ? CreateWithTable<double>(variant, config, steps, startingLatents, model, parallelism)
            : CreateWithTable<float>(variant, config, steps, startingLatents, model, parallelism);

    private static VariantTrajectory CreateWithTable<TTable>(Variant variant, SchedulerConfig config, int steps, double[] latents, StandInModel model, int parallelism)
        where TTable : unmanaged, IFloatingPointIeee754<TTable> =>
        (variant.Dtype, variant.Mode) switch
        {
            (DType.Float64, _) => new VariantTrajectory<TTable, double, double>(variant, config, steps, latents, model, parallelism),
            (DType.Float32, _) => new VariantTrajectory<TTable, float, float>(variant, config, steps, latents, model, parallelism),
            (DType.Float16, PipelineMode.Pure) => new VariantTrajectory<TTable, Half, Half>(variant, config, steps, latents, model, parallelism),
            (DType.Float16, PipelineMode.Pipeline) => new VariantTrajectory<TTable, Half, float>(variant, config, steps, latents, model, parallelism),
            (DType.BFloat16, PipelineMode.Pure) => new VariantTrajectory<TTable, BFloat16, BFloat16>(variant, config, steps, latents, model, parallelism),
            (DType.BFloat16, PipelineMode.Pipeline) => new VariantTrajectory<TTable, BFloat16, float>(variant, config, steps, latents, model, parallelism),
            _ => throw new ArgumentException($"no trajectory for {variant.Name}", nameof(variant)),
        };
}

/// <summary>
/// Latents of <typeparamref name="TLatent"/>, model output and <c>prev_sample</c> of <typeparamref name="TModel"/>
/// (the same type in pure mode, float32 in pipeline mode, where <c>prev_sample</c> is cast back every step).
/// </summary>
public sealed class VariantTrajectory<TTable, TLatent, TModel> : VariantTrajectory
    where TTable : unmanaged, IFloatingPointIeee754<TTable>
    where TLatent : unmanaged, IFloatingPointIeee754<TLatent>
    where TModel : unmanaged, IFloatingPointIeee754<TModel>
{
    private ReferenceDpmScheduler<TTable>? _dpm;
    private TModel[]? _old;
    private TLatent[]? _noise;
    private long? _lastTimestep;

    private readonly Variant _variant;
    private readonly StandInModel _model;
    private readonly IReadOnlyList<Range> _chunks;
    private readonly int _parallelism;
    private readonly TModel[] _modelOutput;
    private readonly TModel[] _prevSample;
    private readonly TModel[] _predOriginal;

    public VariantTrajectory(Variant variant, SchedulerConfig config, int steps, double[] startingLatents, StandInModel model, int parallelism)
    {
        _variant = variant;
        _model = model;
        Scheduler = new ReferenceScheduler<TTable>(config, variant.Profile);
        Scheduler.SetTimesteps(steps);
        Latents = startingLatents.Select(TLatent.CreateTruncating).ToArray();
        _modelOutput = new TModel[Latents.Length];
        _prevSample = new TModel[Latents.Length];
        _predOriginal = new TModel[Latents.Length];
        _parallelism = parallelism;
        _chunks = Chunks.Of(Latents.Length);
    }

    public override Variant Variant => _variant;

    public ReferenceScheduler<TTable> Scheduler { get; }

    public TLatent[] Latents { get; }

    public override IReadOnlyList<long> Timesteps => Scheduler.Timesteps;

    public override void Step(long timestep)
    {
        var (pDd, qDd) = _model.At(timestep);
        var (p, q) = ((double)pDd, (double)qDd);
        var content = _model.Content;
        var profile = _variant.Profile;
        var fused = _variant.Order == OpOrder.Fused && StepNoise is null ? FusedCoefficients(Scheduler.Coefficients(timestep)) : default;
        var stepNoise = StepNoise;
        var dpm = stepNoise is null ? null : _dpm ??= new ReferenceDpmScheduler<TTable>(Scheduler.Schedule);
        var old = _old;
        var back = old is null ? null : _lastTimestep;
        var noiseLatent = stepNoise is null ? null : _noise ??= new TLatent[Latents.Length];
        var x0Next = stepNoise is null ? _predOriginal : (old == _predOriginal ? _predOriginalOther ??= new TModel[Latents.Length] : _predOriginal);
        Chunks.Run(_chunks, _parallelism, (_, range) =>
        {
            for (var i = range.Start; i < range.End; i++)
            {
                // The model computes in double; its output is rounded once to the model dtype, as torch's .to() does.
                var output = (p * double.CreateTruncating(Latents[i])) + (q * content[i]);
                _modelOutput[i] = TorchArithmetic.Convert<double, TModel>(output);
            }

            var length = range.End - range.Start;
            var latents = Latents.AsSpan(range.Start, length);
            var modelOutput = _modelOutput.AsSpan(range.Start, length);
            var prevSample = _prevSample.AsSpan(range.Start, length);
            if (dpm is not null)
            {
                for (var i = 0; i < length; i++)
                {
                    noiseLatent![range.Start + i] = TLatent.CreateTruncating(stepNoise![range.Start + i]); // bfloat16 values: exact
                }

                dpm.Step<TLatent, TModel>(modelOutput, old is null ? default : old.AsSpan(range.Start, length), timestep, back, latents,
                    noiseLatent.AsSpan(range.Start, length), prevSample, x0Next.AsSpan(range.Start, length));
            }
            else if (_variant.Order == OpOrder.Diffusers)
            {
                Scheduler.Step<TLatent, TModel>(modelOutput, timestep, latents, prevSample, _predOriginal.AsSpan(range.Start, length));
            }
            else
            {
                FusedStep(fused, modelOutput, latents, prevSample, profile);
            }

            CastBack(prevSample, latents);
        });

        if (dpm is not null)
        {
            // the pipeline's loop: the next step gets this pred_original_sample (as returned) and this timestep
            _old = x0Next;
            _lastTimestep = timestep;
        }
    }

    /// <summary>A span of <typeparamref name="TFrom"/> seen as <typeparamref name="TTo"/> (the same type, tested by the caller).</summary>
    private static Span<TTo> As<TFrom, TTo>(Span<TFrom> span) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<TFrom, TTo>(ref MemoryMarshal.GetReference(span)), span.Length);

    /// <summary>
    /// <c>latents = prev_sample.to(latents.dtype)</c>: <see cref="LatentCast"/> for float32 → bfloat16/float16 (exact,
    /// vectorized; one thread, as this runs inside a chunk), the scalar conversion for every other pairing.
    /// </summary>
    private static void CastBack(Span<TModel> prevSample, Span<TLatent> latents)
    {
        if (typeof(TModel) == typeof(float) && typeof(TLatent) == typeof(BFloat16))
        {
            LatentCast.ToBFloat16(As<TModel, float>(prevSample), As<TLatent, BFloat16>(latents), maxThreads: 1);
        }
        else if (typeof(TModel) == typeof(float) && typeof(TLatent) == typeof(Half))
        {
            LatentCast.ToHalf(As<TModel, float>(prevSample), As<TLatent, Half>(latents), maxThreads: 1);
        }
        else
        {
            for (var i = 0; i < latents.Length; i++)
            {
                latents[i] = TorchArithmetic.Convert<TModel, TLatent>(prevSample[i]);
            }
        }
    }

    private TModel[]? _predOriginalOther;

    /// <summary>
    /// <c>x0 = xs·sample + xm·model_output</c> for each prediction type, so <c>prev = a_t·sample + b_t·x0</c> becomes
    /// <c>(a_t + b_t·xs)·sample + (b_t·xm)·model_output</c>; the folding is done in the table's dtype.
    /// </summary>
    public (TTable C1, TTable C2) FusedCoefficients(StepCoefficients<TTable> c) => Scheduler.Config.PredictionType switch
    {
        PredictionType.Epsilon => (c.At + (c.Bt / c.SqrtAlphaProd), -(c.Bt * c.SqrtBetaProd / c.SqrtAlphaProd)),
        PredictionType.Sample => (c.At, c.Bt),
        PredictionType.VPrediction => (c.At + (c.Bt * c.SqrtAlphaProd), -(c.Bt * c.SqrtBetaProd)),
        var other => throw new ArgumentException($"prediction_type given as {other} must be one of `epsilon`, `sample`, or `v_prediction`"),
    };

    /// <summary><c>c1 * sample + c2 * model_output</c>, each product and the sum rounded as torch rounds them.</summary>
    private static void FusedStep((TTable C1, TTable C2) c, ReadOnlySpan<TModel> modelOutput, ReadOnlySpan<TLatent> sample, Span<TModel> prevSample, SemanticsProfile profile)
    {
        for (var i = 0; i < sample.Length; i++)
        {
            var carried = TorchArithmetic.ScalarTimesTensor(c.C1, sample[i], profile);
            var predicted = TorchArithmetic.ScalarTimesTensor(c.C2, modelOutput[i], profile);
            prevSample[i] = TorchArithmetic.Widen<TLatent, TModel>(carried) + predicted;
        }
    }

    public override StepErrors MeasureAgainst(ErrorMeter meter, int step, long timestep, DoubleDouble[] oracle) =>
        meter.Measure(step, timestep, Latents, oracle, _variant.Dtype);

    public override StepErrors MeasureAgainst(ErrorMeter meter, int step, long timestep, VariantTrajectory other) =>
        other is VariantTrajectory<TTable, TLatent, TModel> same
            ? meter.Measure(step, timestep, Latents, same.Latents, _variant.Dtype)
            : throw new ArgumentException($"{_variant.Name} and {other.Variant.Name} hold different dtypes and cannot be compared", nameof(other));
}
