#if !NETSTANDARD2_0
using CogDdim.Numerics;
#endif

namespace CogDdim.Tensors;

/// <summary>The element types a <c>cogddim-fixture/1</c> tensor can hold, named as torch names them.</summary>
public enum DType
{
    /// <summary><c>torch.float64</c>: <see cref="double"/>.</summary>
    Float64,
    /// <summary><c>torch.float32</c>: <see cref="float"/>.</summary>
    Float32,
    /// <summary><c>torch.float16</c>: <see cref="Half"/>.</summary>
    Float16,
    /// <summary><c>torch.bfloat16</c>: <see cref="Numerics.BFloat16"/>.</summary>
    BFloat16,
    /// <summary><c>torch.int64</c>: <see cref="long"/> (timesteps).</summary>
    Int64,
}

/// <summary>Names, sizes and torch's promotion of <see cref="DType"/>s.</summary>
public static class DTypes
{
    /// <summary>The name used by torch and by the fixture format (<c>float32</c>, <c>bfloat16</c>, …).</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float64 => "float64",
        DType.Float32 => "float32",
        DType.Float16 => "float16",
        DType.BFloat16 => "bfloat16",
        DType.Int64 => "int64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>Bytes per element: 8, 4, 2, 2, 8.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a member of <see cref="DType"/>.</exception>
    public static int Size(this DType dtype) => dtype switch
    {
        DType.Float64 or DType.Int64 => 8,
        DType.Float32 => 4,
        DType.Float16 or DType.BFloat16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>Every dtype but <see cref="DType.Int64"/>.</summary>
    public static bool IsFloatingPoint(this DType dtype) => dtype != DType.Int64;

    /// <summary>Half and bfloat16: torch computes them in float32 and rounds once.</summary>
    public static bool IsReduced(this DType dtype) => dtype is DType.Float16 or DType.BFloat16;

    /// <summary>The floating dtypes, widest first.</summary>
    public static readonly IReadOnlyList<DType> FloatingPoint = [DType.Float64, DType.Float32, DType.Float16, DType.BFloat16];

    /// <summary>Parses a <see cref="Name"/> (exact, lower case); false for anything else, null included.</summary>
    public static bool TryParse(string? name, out DType dtype)
    {
        switch (name)
        {
            case "float64": dtype = DType.Float64; return true;
            case "float32": dtype = DType.Float32; return true;
            case "float16": dtype = DType.Float16; return true;
            case "bfloat16": dtype = DType.BFloat16; return true;
            case "int64": dtype = DType.Int64; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>Parses a <see cref="Name"/> (exact, lower case).</summary>
    /// <exception cref="FormatException"><paramref name="name"/> is not one of the five names.</exception>
    public static DType Parse(string name) =>
        TryParse(name, out var dtype)
            ? dtype
            : throw new FormatException($"unknown dtype '{name}'; expected one of float64, float32, float16, bfloat16, int64");

#if !NETSTANDARD2_0
    /// <summary>The dtype of a CLR element type, or null for a type torch has no dtype for (an oracle type, say).</summary>
    public static DType? Of<T>()
    {
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(Half)) return DType.Float16;
        if (typeof(T) == typeof(BFloat16)) return DType.BFloat16;
        if (typeof(T) == typeof(long)) return DType.Int64;
        return null;
    }
#endif

    /// <summary>torch's promotion of two floating tensors of dimension ≥ 1.</summary>
    public static DType Promote(DType a, DType b)
    {
        if (a == b) return a;
        if (a == DType.Float64 || b == DType.Float64) return DType.Float64;
        // float16 with bfloat16, or either with float32, meet in float32.
        return DType.Float32;
    }
}
