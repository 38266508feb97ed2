using System.Runtime.InteropServices;
using CogDdim.Numerics;
using Ort = Microsoft.ML.OnnxRuntime;

namespace CogDdim.OnnxRuntime;

/// <summary>
/// Zero-copy views between ONNX Runtime's 16-bit float types and the element types of CogDdim's span schedulers:
/// <see cref="Ort.Float16"/> is <see cref="Half"/>'s bits and <see cref="Ort.BFloat16"/> is <see cref="BFloat16"/>'s,
/// so a span of one is a span of the other over the same memory (no conversion, no rounding).
/// </summary>
public static class OnnxRuntimeInterop
{
    /// <summary>The same memory as <see cref="Half"/> values.</summary>
    public static Span<Half> AsHalf(this Span<Ort.Float16> values) => MemoryMarshal.Cast<Ort.Float16, Half>(values);

    /// <summary>The same memory as <see cref="Half"/> values.</summary>
    public static ReadOnlySpan<Half> AsHalf(this ReadOnlySpan<Ort.Float16> values) => MemoryMarshal.Cast<Ort.Float16, Half>(values);

    /// <summary>The same memory as ONNX Runtime float16 values.</summary>
    public static Span<Ort.Float16> AsOrtFloat16(this Span<Half> values) => MemoryMarshal.Cast<Half, Ort.Float16>(values);

    /// <summary>The same memory as ONNX Runtime float16 values.</summary>
    public static ReadOnlySpan<Ort.Float16> AsOrtFloat16(this ReadOnlySpan<Half> values) => MemoryMarshal.Cast<Half, Ort.Float16>(values);

    /// <summary>The same memory as CogDdim bfloat16 values.</summary>
    public static Span<BFloat16> AsCogDdim(this Span<Ort.BFloat16> values) => MemoryMarshal.Cast<Ort.BFloat16, BFloat16>(values);

    /// <summary>The same memory as CogDdim bfloat16 values.</summary>
    public static ReadOnlySpan<BFloat16> AsCogDdim(this ReadOnlySpan<Ort.BFloat16> values) => MemoryMarshal.Cast<Ort.BFloat16, BFloat16>(values);

    /// <summary>The same memory as ONNX Runtime bfloat16 values.</summary>
    public static Span<Ort.BFloat16> AsOrtBFloat16(this Span<BFloat16> values) => MemoryMarshal.Cast<BFloat16, Ort.BFloat16>(values);

    /// <summary>The same memory as ONNX Runtime bfloat16 values.</summary>
    public static ReadOnlySpan<Ort.BFloat16> AsOrtBFloat16(this ReadOnlySpan<BFloat16> values) => MemoryMarshal.Cast<BFloat16, Ort.BFloat16>(values);
}
