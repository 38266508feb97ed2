using CogDdim.Backends;
using CogDdim.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Torch;

/// <summary>Copies between <see cref="HostTensor"/> and torch tensors, bit for bit (raw little-endian bytes both ways).</summary>
public static class HostTensorInterop
{
    /// <summary>A new contiguous torch tensor on <paramref name="device"/> holding the host tensor's bits.</summary>
    public static Tensor ToTorch(this HostTensor host, Device device)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(device);
        var shape = host.Shape.Select(d => (long)d).ToArray();
        using var scope = NewDisposeScope();
        var cpu = empty(shape, host.DType.ToScalarType());
        if (host.Length > 0)
        {
            cpu.bytes = host.ToBytes();
        }

        var result = device.type == DeviceType.CPU ? cpu : cpu.to(device);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The tensor's values on the host, whatever its device, strides or storage offset.</summary>
    public static HostTensor ToHost(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var dtype = tensor.dtype.ToDType()
            ?? throw new NotSupportedException($"a {tensor.dtype.Name()} tensor has no dtype in the fixture format");
        var shape = tensor.shape.Select(d => checked((int)d)).ToArray();
        if (tensor.numel() == 0)
        {
            return HostTensor.Zeros(dtype, shape);
        }

        using var scope = NewDisposeScope();
        var dense = tensor.cpu().contiguous();
        return HostTensor.FromBytes(dtype, shape, dense.bytes);
    }

    /// <summary>The schedule's tables as host tensors, in their own dtypes.</summary>
    public static ScheduleTables ToHost(this TorchSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return new(schedule.Betas.ToHost(), schedule.Alphas.ToHost(), schedule.AlphasCumprod.ToHost(), schedule.FinalAlphaCumprod.ToHost());
    }
}
