using CogDdim.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Torch;

/// <summary>Argument checks of the tensor API: each failure is a .NET exception naming the argument and the problem.</summary>
internal static class TorchTensorChecks
{
    public static void StepInputs(Tensor modelOutput, Tensor sample, Device device)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(sample);
        FloatingPoint(sample, nameof(sample));
        FloatingPoint(modelOutput, "model_output");
        OnDevice(sample, nameof(sample), device);
        OnDevice(modelOutput, "model_output", device);
        if (!sample.shape.SequenceEqual(modelOutput.shape))
        {
            throw new ArgumentException(
                $"model_output has shape {ShapeText(modelOutput)} but sample has shape {ShapeText(sample)}; they must match", nameof(modelOutput));
        }

        var sampleType = sample.dtype.ToDType()!.Value;
        var modelType = modelOutput.dtype.ToDType()!.Value;
        if (DTypes.Promote(sampleType, modelType) != modelType)
        {
            throw new ArgumentException(
                $"a {sampleType.Name()} sample with a {modelType.Name()} model_output promotes to {DTypes.Promote(sampleType, modelType).Name()}; " +
                "the model output's dtype must be the sample's or a wider one (the CogVideoX pipeline passes float32 with bfloat16 latents)",
                nameof(modelOutput));
        }
    }

    /// <summary>Checks add_noise/get_velocity inputs; returns the timesteps on the host, one per batch item or one for all.</summary>
    public static long[] NoiseInputs(Tensor input, Tensor noise, Tensor timesteps, string inputName, Device device)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(timesteps);
        FloatingPoint(input, inputName);
        FloatingPoint(noise, nameof(noise));
        OnDevice(input, inputName, device);
        OnDevice(noise, nameof(noise), device);
        if (noise.dtype != input.dtype)
        {
            throw new ArgumentException($"noise is {noise.dtype.Name()} but {inputName} is {input.dtype.Name()}; they must match", nameof(noise));
        }

        if (!noise.shape.SequenceEqual(input.shape))
        {
            throw new ArgumentException($"noise has shape {ShapeText(noise)} but {inputName} has shape {ShapeText(input)}; they must match", nameof(noise));
        }

        if (timesteps.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"timesteps must be int64, not {timesteps.dtype.Name()}", nameof(timesteps));
        }

        var count = timesteps.numel();
        if (count == 0)
        {
            throw new ArgumentException("timesteps is empty; give one timestep per batch item, or one for all", nameof(timesteps));
        }

        var batch = input.dim() == 0 ? 1 : input.shape[0];
        if (count != 1 && (input.dim() == 0 || count != batch))
        {
            throw new ArgumentException(
                $"{count} timesteps for {inputName} of shape {ShapeText(input)}: give one per batch item ({batch}) or one for all", nameof(timesteps));
        }

        using var scope = NewDisposeScope();
        return timesteps.cpu().contiguous().data<long>().ToArray();
    }

    public static string ShapeText(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";

    private static void FloatingPoint(Tensor tensor, string name)
    {
        if (!tensor.dtype.IsSchedulerFloat())
        {
            throw new ArgumentException(
                $"{name} is {tensor.dtype.Name()}; a floating-point dtype is required (float64, float32, float16 or bfloat16)", name);
        }
    }

    private static void OnDevice(Tensor tensor, string name, Device device)
    {
        if (!TorchDevices.Same(tensor.device, device))
        {
            throw new ArgumentException(
                $"{name} is on {TorchDevices.Describe(tensor.device)} but this scheduler runs on {TorchDevices.Describe(device)}; " +
                $"move it with .to(\"{TorchDevices.Describe(device)}\") or create the scheduler on its device", name);
        }
    }
}
