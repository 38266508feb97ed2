using CogDdim.Tensors;
using TorchSharp;

namespace CogDdim.Torch;

/// <summary>The fixture format's <see cref="DType"/> and torch's <see cref="torch.ScalarType"/>, each way.</summary>
public static class TorchDTypes
{
    /// <summary>The torch dtype of <paramref name="dtype"/> (<see cref="DType.Float64"/> is <c>torch.float64</c>, and so on).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a member of <see cref="DType"/>.</exception>
    public static torch.ScalarType ToScalarType(this DType dtype) => dtype switch
    {
        DType.Float64 => torch.ScalarType.Float64,
        DType.Float32 => torch.ScalarType.Float32,
        DType.Float16 => torch.ScalarType.Float16,
        DType.BFloat16 => torch.ScalarType.BFloat16,
        DType.Int64 => torch.ScalarType.Int64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>The <see cref="DType"/> of a torch dtype, or null for one the fixture format has no name for.</summary>
    public static DType? ToDType(this torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float64 => DType.Float64,
        torch.ScalarType.Float32 => DType.Float32,
        torch.ScalarType.Float16 => DType.Float16,
        torch.ScalarType.BFloat16 => DType.BFloat16,
        torch.ScalarType.Int64 => DType.Int64,
        _ => null,
    };

    /// <summary>The four floating dtypes the scheduler computes in.</summary>
    public static bool IsSchedulerFloat(this torch.ScalarType type) =>
        type is torch.ScalarType.Float64 or torch.ScalarType.Float32 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16;

    /// <summary>torch's name of a dtype, as Python prints it (<c>torch.bfloat16</c> is <c>bfloat16</c>).</summary>
    public static string Name(this torch.ScalarType type) => type.ToDType()?.Name() ?? type.ToString().ToLowerInvariant();
}
