using CogDdim.Tensors;

namespace CogDdim.Backends;

/// <summary>The argument checks every backend makes before it computes, with the same messages.</summary>
public static class HostTensorChecks
{
    /// <summary>
    /// Checks <c>step</c>'s inputs: both floating point and of the same shape; throws <see cref="ArgumentException"/>
    /// (diffusers' <c>ValueError</c> class) otherwise.
    /// </summary>
    /// <param name="modelOutput">diffusers' <c>model_output</c>.</param>
    /// <param name="sample">diffusers' <c>sample</c>.</param>
    public static void StepInputs(HostTensor modelOutput, HostTensor sample)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        FloatingPoint(sample, nameof(sample));
        FloatingPoint(modelOutput, "model_output");
        if (!modelOutput.SameShape(sample))
        {
            throw new ArgumentException(
                $"model_output has shape {modelOutput.ShapeText} but sample has shape {sample.ShapeText}; they must match", nameof(modelOutput));
        }
    }

    /// <summary>Checks add_noise/get_velocity inputs and returns one timestep per batch item (or one for all).</summary>
    public static long[] NoiseInputs(HostTensor input, HostTensor noise, HostTensor timesteps, string inputName)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(timesteps);
        FloatingPoint(input, inputName);
        FloatingPoint(noise, nameof(noise));
        if (noise.DType != input.DType)
        {
            throw new ArgumentException($"noise is {noise.DType.Name()} but {inputName} is {input.DType.Name()}; they must match", nameof(noise));
        }

        if (!noise.SameShape(input))
        {
            throw new ArgumentException($"noise has shape {noise.ShapeText} but {inputName} has shape {input.ShapeText}; they must match", nameof(noise));
        }

        if (timesteps.DType != DType.Int64)
        {
            throw new ArgumentException($"timesteps must be int64, not {timesteps.DType.Name()}", nameof(timesteps));
        }

        var count = timesteps.Length;
        var batch = input.Rank == 0 ? 1 : input.Shape[0];
        if (count != 1 && (input.Rank == 0 || count != batch))
        {
            throw new ArgumentException(
                $"{count} timesteps for {inputName} of shape {input.ShapeText}: give one per batch item ({batch}) or one for all", nameof(timesteps));
        }

        return timesteps.As<long>();
    }

    private static void FloatingPoint(HostTensor tensor, string name)
    {
        if (!tensor.DType.IsFloatingPoint())
        {
            throw new ArgumentException($"{name} is {tensor.DType.Name()}; a floating-point dtype is required", name);
        }
    }
}
