using System.Numerics;
using CogDdim.Numerics;
using CogDdim.Tensors;

namespace CogDdim.Backends;

/// <summary>
/// Adapts any <see cref="DpmSpanSchedulerBase{TTable}"/> (the reference loops, the simd loops) to host tensors of
/// any dtype: the checks, the dtype dispatch and the tables live here once.
/// </summary>
public sealed class DpmSpanSchedulerAdapter<TTable>(DpmSpanSchedulerBase<TTable> scheduler) : SpanSchedulerAdapter<TTable>(scheduler.Schedule), IDpmScheduler
    where TTable : unmanaged, IFloatingPointIeee754<TTable>
{
    /// <summary>The DPM span scheduler the host tensors are handed to.</summary>
    public DpmSpanSchedulerBase<TTable> Dpm { get; } = scheduler;

    /// <inheritdoc/>
    public StepResult DpmStep(HostTensor modelOutput, HostTensor? oldPredOriginalSample, long timestep, long? timestepBack, HostTensor sample, HostTensor noise)
    {
        DpmHostChecks.StepInputs(modelOutput, oldPredOriginalSample, sample, noise);
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
            Dpm.Step<TSample, TModel>(modelOutput.Span<TModel>(), oldPredOriginalSample is null ? default : oldPredOriginalSample.Span<TModel>(),
                timestep, timestepBack, sample.Span<TSample>(), noise.Span<TSample>(), prev.As<TModel>(), x0.As<TModel>());
    }

    /// <inheritdoc/>
    protected override void StepSpans<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, Span<TModel> prevSample, Span<TModel> predOriginalSample) =>
        throw DpmHostChecks.NoDdimStep();

    /// <inheritdoc/>
    protected override void AddNoiseSpans<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples) =>
        Dpm.AddNoise(originalSamples, noise, timesteps, noisySamples);

    /// <inheritdoc/>
    protected override void GetVelocitySpans<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity) =>
        Dpm.GetVelocity(sample, noise, timesteps, velocity);
}

/// <summary>The DPM step's host-tensor checks, with one wording for every backend.</summary>
public static class DpmHostChecks
{
    /// <summary>The DPM step's argument checks over host tensors (shapes, dtypes, the old pred_original_sample and the noise), with diffusers' wording.</summary>
    public static void StepInputs(HostTensor modelOutput, HostTensor? oldPredOriginalSample, HostTensor sample, HostTensor noise)
    {
        HostTensorChecks.StepInputs(modelOutput, sample);
        ArgumentNullException.ThrowIfNull(noise);
        if (noise.DType != sample.DType || !noise.SameShape(sample))
        {
            throw new ArgumentException($"noise is {noise} but sample is {sample}: randn_tensor draws in the sample's shape and dtype", nameof(noise));
        }

        if (oldPredOriginalSample is { } old)
        {
            var promoted = DTypes.Promote(sample.DType, modelOutput.DType);
            if (old.DType != promoted || !old.SameShape(sample))
            {
                throw new NotSupportedException(
                    $"old_pred_original_sample is {old}; expected {promoted.Name()}{sample.ShapeText}, the dtype and shape a previous step's pred_original_sample has");
            }
        }
    }

    /// <summary>DDIM's <c>step(model_output, timestep, sample)</c> on a DPM scheduler.</summary>
    public static NotSupportedException NoDdimStep() =>
        new("CogVideoXDPMScheduler.step takes (model_output, old_pred_original_sample, timestep, timestep_back, sample, …): use DpmStep");
}
