using static TorchSharp.torch;

namespace CogDdim.Torch;

/// <summary>
/// A correctly rounded (IEEE 754) square root of schedule-sized tensors, computed on the host.
/// </summary>
/// <remarks>
/// libtorch 2.10 as shipped in TorchSharp-cpu does not round <c>sqrt</c> (nor <c>pow(x, 0.5)</c>, which calls it)
/// correctly on the CPU: measured here, about 1 in 5 float32 and 1 in 70 float64 inputs come out 1 ULP away from the
/// IEEE result (the build links MKL's vector math, whose sqrt is accurate to about 1 ULP, not correctly rounded).
/// Debian's MKL-free torch 2.6 and 1.13, which recorded the fixtures, round it correctly. diffusers takes square roots
/// only of schedule values (tables, a step's 0-dim scalars, add_noise's per-item scalars), never of samples, so this
/// backend takes those few square roots here and keeps every op on samples a torch op.
/// </remarks>
public static class IeeeSqrt
{
    /// <summary>The square root of every element, in the tensor's dtype, on the tensor's device.</summary>
    public static Tensor Of(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        var host = x.cpu().contiguous();
        var root = host.dtype switch
        {
            ScalarType.Float64 => tensor(Roots(host.data<double>().ToArray()), ScalarType.Float64),
            ScalarType.Float32 => tensor(Roots(host.data<float>().ToArray()), ScalarType.Float32),
            // float16 and bfloat16 go through float32 and round once, as torch computes reduced types.
            ScalarType.Float16 or ScalarType.BFloat16 => tensor(Roots(host.to_type(ScalarType.Float32).data<float>().ToArray()), ScalarType.Float32).to_type(host.dtype),
            _ => throw new NotSupportedException($"sqrt of a {host.dtype} tensor"),
        };

        return root.reshape(x.shape).to(x.device).MoveToOuterDisposeScope();
    }

    private static T[] Roots<T>(T[] values)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = T.Sqrt(values[i]);
        }

        return values;
    }
}
