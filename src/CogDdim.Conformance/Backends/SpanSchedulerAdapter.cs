using System.Numerics;
using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Scheduling;
using CogDdim.Tensors;

namespace CogDdim.Backends;

/// <summary>
/// Adapts a span-based scheduler to host tensors of any dtype: the checks, the dtype dispatch and the result
/// tensors live here once; a backend supplies only its three span loops. Schedule, timesteps and step scalars come
/// from the <see cref="DdimSchedule{TTable}"/> the loops read their coefficients from.
/// </summary>
public abstract class SpanSchedulerAdapter<TTable> : IScheduler
    where TTable : unmanaged, IFloatingPointIeee754<TTable>
{
    /// <summary>Wraps a schedule; copies its tables into <see cref="Tables"/>.</summary>
    /// <param name="scheduler">The schedule the span loops read their coefficients from.</param>
    protected SpanSchedulerAdapter(DdimSchedule<TTable> scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        Scheduler = scheduler;
        Tables = new ScheduleTables(
            HostTensor.Create((TTable[])scheduler.Betas.Clone(), scheduler.Betas.Length),
            HostTensor.Create((TTable[])scheduler.Alphas.Clone(), scheduler.Alphas.Length),
            HostTensor.Create((TTable[])scheduler.AlphasCumprod.Clone(), scheduler.AlphasCumprod.Length),
            scheduler.FinalAlphaCumprodDType == DType.Float32
                ? HostTensor.Create([float.CreateTruncating(scheduler.FinalAlphaCumprod)])
                : HostTensor.Create([scheduler.FinalAlphaCumprod]));
    }

    /// <summary>The schedule: tables, timesteps and per-step coefficients.</summary>
    public DdimSchedule<TTable> Scheduler { get; }

    /// <inheritdoc/>
    public SchedulerConfig Config => Scheduler.Config;

    /// <inheritdoc/>
    public int Order => Scheduler.Order;

    /// <inheritdoc/>
    public double InitNoiseSigma => Scheduler.InitNoiseSigma;

    /// <inheritdoc/>
    public int Length => Scheduler.Length;

    /// <inheritdoc/>
    public int? NumInferenceSteps => Scheduler.NumInferenceSteps;

    /// <inheritdoc/>
    public IReadOnlyList<long> Timesteps => Scheduler.Timesteps;

    /// <inheritdoc/>
    public ScheduleTables Tables { get; }

    /// <inheritdoc/>
    public void SetTimesteps(int numInferenceSteps)
    {
        ThrowIfDisposed();
        Scheduler.SetTimesteps(numInferenceSteps);
    }

    /// <inheritdoc/>
    public StepResult Step(HostTensor modelOutput, long timestep, HostTensor sample)
    {
        ThrowIfDisposed();
        HostTensorChecks.StepInputs(modelOutput, sample);
        var prev = HostTensor.Zeros(modelOutput.DType, sample.ShapeArray());
        var x0 = HostTensor.Zeros(modelOutput.DType, sample.ShapeArray());
        switch ((sample.DType, modelOutput.DType))
        {
            case (DType.Float64, DType.Float64): Run<double, double>(); break;
            case (DType.Float32, DType.Float32): Run<float, float>(); break;
            case (DType.Float16, DType.Float16): Run<Half, Half>(); break;
            case (DType.BFloat16, DType.BFloat16): Run<BFloat16, BFloat16>(); break;
            case (DType.Float16, DType.Float32): Run<Half, float>(); break;
            case (DType.BFloat16, DType.Float32): Run<BFloat16, float>(); break;
            case (DType.Float32, DType.Float64): Run<float, double>(); break;
            case (DType.Float16, DType.Float64): Run<Half, double>(); break;
            case (DType.BFloat16, DType.Float64): Run<BFloat16, double>(); break;
            default:
                throw new NotSupportedException(
                    $"a {sample.DType.Name()} sample with a {modelOutput.DType.Name()} model output is not supported: the model output's dtype must be the sample's or a wider one");
        }

        return new StepResult(prev, x0);

        void Run<TSample, TModel>()
            where TSample : unmanaged, IFloatingPointIeee754<TSample>
            where TModel : unmanaged, IFloatingPointIeee754<TModel> =>
            StepSpans<TSample, TModel>(modelOutput.Span<TModel>(), timestep, sample.Span<TSample>(), prev.As<TModel>(), x0.As<TModel>());
    }

    /// <inheritdoc/>
    public HostTensor AddNoise(HostTensor originalSamples, HostTensor noise, HostTensor timesteps) =>
        Noise(originalSamples, noise, timesteps, "original_samples", velocity: false);

    /// <inheritdoc/>
    public HostTensor GetVelocity(HostTensor sample, HostTensor noise, HostTensor timesteps) =>
        Noise(sample, noise, timesteps, "sample", velocity: true);

    /// <inheritdoc/>
    public HostTensor ScaleModelInput(HostTensor sample, long? timestep = null)
    {
        ThrowIfDisposed();
        return sample;
    }

    /// <summary>The rule of every <see cref="IScheduler"/>: idempotent, and every call after it throws <see cref="ObjectDisposedException"/>.</summary>
    public virtual void Dispose()
    {
        _disposed = true;
        GC.SuppressFinalize(this);
    }

    private bool _disposed;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary><c>step</c> over spans; results in the model output's dtype.</summary>
    protected abstract void StepSpans<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, Span<TModel> prevSample, Span<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>;

    /// <summary><c>add_noise</c> over spans, one timestep per batch item (or one for all); result in the input's dtype.</summary>
    /// <param name="originalSamples">diffusers' <c>original_samples</c>.</param>
    /// <param name="noise">The noise, as long as <paramref name="originalSamples"/>.</param>
    /// <param name="timesteps">The checked timesteps: one per batch item, or one for all.</param>
    /// <param name="noisySamples">Receives <c>noisy_samples</c>.</param>
    protected abstract void AddNoiseSpans<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary><c>get_velocity</c> over spans, one timestep per batch item (or one for all); result in the input's dtype.</summary>
    /// <param name="sample">diffusers' <c>sample</c>.</param>
    /// <param name="noise">The noise, as long as <paramref name="sample"/>.</param>
    /// <param name="timesteps">The checked timesteps: one per batch item, or one for all.</param>
    /// <param name="velocity">Receives <c>velocity</c>.</param>
    protected abstract void GetVelocitySpans<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity)
        where T : unmanaged, IFloatingPointIeee754<T>;

    private HostTensor Noise(HostTensor input, HostTensor noise, HostTensor timesteps, string inputName, bool velocity)
    {
        ThrowIfDisposed();
        var indices = HostTensorChecks.NoiseInputs(input, noise, timesteps, inputName);
        var result = HostTensor.Zeros(input.DType, input.ShapeArray());
        switch (input.DType)
        {
            case DType.Float64: Run<double>(); break;
            case DType.Float32: Run<float>(); break;
            case DType.Float16: Run<Half>(); break;
            case DType.BFloat16: Run<BFloat16>(); break;
        }

        return result;

        void Run<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (velocity)
            {
                GetVelocitySpans<T>(input.Span<T>(), noise.Span<T>(), indices, result.As<T>());
            }
            else
            {
                AddNoiseSpans<T>(input.Span<T>(), noise.Span<T>(), indices, result.As<T>());
            }
        }
    }
}
