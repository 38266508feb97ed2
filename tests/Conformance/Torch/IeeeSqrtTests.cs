using CogDdim.Numerics;
using CogDdim.Tensors;
using CogDdim.Torch;
using static TorchSharp.torch;

namespace CogDdim.Conformance.TorchBackendTests;

/// <summary>The backend's square root of schedule values is the correctly rounded one, in every dtype.</summary>
public sealed class IeeeSqrtTests
{
    [Fact]
    public void Float64_and_float32_roots_are_correctly_rounded()
    {
        var random = new Random(7);
        var doubles = Enumerable.Range(0, 4096).Select(_ => random.NextDouble()).Append(0.0).Append(1.0).ToArray();
        var floats = doubles.Select(d => (float)d).ToArray();

        using var d = IeeeSqrt.Of(HostTensor.Create(doubles, doubles.Length).ToTorch(CPU));
        using var f = IeeeSqrt.Of(HostTensor.Create(floats, floats.Length).ToTorch(CPU));

        Assert.Equal(doubles.Select(Math.Sqrt), d.ToHost().As<double>());
        Assert.Equal(floats.Select(MathF.Sqrt).Select(BitConverter.SingleToInt32Bits), f.ToHost().As<float>().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Reduced_roots_are_taken_in_float32_and_rounded_once()
    {
        var halves = Enumerable.Range(0, 0x7C00).Select(bits => BitConverter.UInt16BitsToHalf((ushort)bits)).ToArray();
        var bfloats = Enumerable.Range(0, 0x7F80).Select(bits => BFloat16.FromBits((ushort)bits)).ToArray();

        using var h = IeeeSqrt.Of(HostTensor.Create(halves, halves.Length).ToTorch(CPU));
        using var b = IeeeSqrt.Of(HostTensor.Create(bfloats, bfloats.Length).ToTorch(CPU));

        Assert.Equal(halves.Select(x => (Half)MathF.Sqrt((float)x)), h.ToHost().As<Half>());
        Assert.Equal(bfloats.Select(x => ((BFloat16)MathF.Sqrt((float)x)).ToBits()), b.ToHost().As<BFloat16>().Select(x => x.ToBits()));
    }

    [Fact]
    public void The_root_stays_on_the_input_device_with_its_shape()
    {
        using var x = ones(2, 3, dtype: ScalarType.Float64);
        using var root = IeeeSqrt.Of(x);
        Assert.Equal(x.shape, root.shape);
        Assert.Equal(x.device.type, root.device.type);
        Assert.Equal(ScalarType.Float64, root.dtype);
    }
}
