using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace CogDdim;

/// <summary>
/// <see cref="ISpanScheduler"/> over <see cref="ReadOnlyTensorSpan{T}"/> and <see cref="TensorSpan{T}"/>
/// (System.Numerics.Tensors): the same calls, with the shapes checked. The step is elementwise, so a dense tensor of
/// any rank is one span; a strided view (not <see cref="TensorSpan{T}.IsDense"/>) is refused rather than copied.
/// </summary>
public static class TensorSpanSchedulerExtensions
{
    /// <summary><see cref="ISpanScheduler.Step{TSample, TModel}"/> on tensors of one shape.</summary>
    public static void Step<TSample, TModel>(this ISpanScheduler scheduler, in ReadOnlyTensorSpan<TModel> modelOutput, long timestep, in ReadOnlyTensorSpan<TSample> sample, in TensorSpan<TModel> prevSample, in TensorSpan<TModel> predOriginalSample)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        var lengths = sample.Lengths;
        SameShape(lengths, modelOutput.Lengths, "model_output");
        SameShape(lengths, prevSample.Lengths, "prev_sample");
        SameShape(lengths, predOriginalSample.Lengths, "pred_original_sample");
        scheduler.Step(Dense(modelOutput, "model_output"), timestep, Dense(sample, "sample"), Dense(prevSample, "prev_sample"), Dense(predOriginalSample, "pred_original_sample"));
    }

    /// <summary>
    /// <see cref="ISpanScheduler.AddNoise{T}"/> on tensors of one shape: one timestep per item of the first dimension,
    /// or one for all.
    /// </summary>
    public static void AddNoise<T>(this ISpanScheduler scheduler, in ReadOnlyTensorSpan<T> originalSamples, in ReadOnlyTensorSpan<T> noise, ReadOnlySpan<long> timesteps, in TensorSpan<T> noisySamples)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        NoiseShapes(originalSamples.Lengths, noise.Lengths, noisySamples.Lengths, timesteps.Length, "original_samples", "noisy_samples");
        scheduler.AddNoise(Dense(originalSamples, "original_samples"), Dense(noise, "noise"), timesteps, Dense(noisySamples, "noisy_samples"));
    }

    /// <summary><see cref="ISpanScheduler.GetVelocity{T}"/> on tensors of one shape, split as in <see cref="AddNoise{T}"/>.</summary>
    public static void GetVelocity<T>(this ISpanScheduler scheduler, in ReadOnlyTensorSpan<T> sample, in ReadOnlyTensorSpan<T> noise, ReadOnlySpan<long> timesteps, in TensorSpan<T> velocity)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        NoiseShapes(sample.Lengths, noise.Lengths, velocity.Lengths, timesteps.Length, "sample", "velocity");
        scheduler.GetVelocity(Dense(sample, "sample"), Dense(noise, "noise"), timesteps, Dense(velocity, "velocity"));
    }

    private static void NoiseShapes(ReadOnlySpan<nint> input, ReadOnlySpan<nint> noise, ReadOnlySpan<nint> output, int timesteps, string inputName, string outputName)
    {
        SameShape(input, noise, "noise", inputName);
        SameShape(input, output, outputName, inputName);
        var batch = input.Length == 0 ? 1 : input[0];
        if (timesteps != 1 && timesteps != batch)
        {
            throw new ArgumentException(
                $"{timesteps} timesteps for {inputName} of shape {Shape(input)}: give one per item of the first dimension ({batch}) or one for all", "timesteps");
        }
    }

    private static void SameShape(ReadOnlySpan<nint> expected, ReadOnlySpan<nint> actual, string name, string reference = "sample")
    {
        if (!expected.SequenceEqual(actual))
        {
            throw new ArgumentException($"{name} has shape {Shape(actual)} but {reference} has shape {Shape(expected)}; they must match", name);
        }
    }

    private static ReadOnlySpan<T> Dense<T>(in ReadOnlyTensorSpan<T> tensor, string name)
    {
        if (!tensor.IsDense)
        {
            throw new ArgumentException($"{name} is a strided view of shape {Shape(tensor.Lengths)}; the scheduler reads dense tensors only (copy it first)", name);
        }

        return MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), checked((int)tensor.FlattenedLength));
    }

    private static Span<T> Dense<T>(in TensorSpan<T> tensor, string name)
    {
        if (!tensor.IsDense)
        {
            throw new ArgumentException($"{name} is a strided view of shape {Shape(tensor.Lengths)}; the scheduler writes dense tensors only", name);
        }

        return MemoryMarshal.CreateSpan(ref tensor.GetPinnableReference(), checked((int)tensor.FlattenedLength));
    }

    private static string Shape(ReadOnlySpan<nint> lengths)
    {
        var parts = new string[lengths.Length];
        for (var i = 0; i < lengths.Length; i++)
        {
            parts[i] = lengths[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(", ", parts) + "]";
    }
}
