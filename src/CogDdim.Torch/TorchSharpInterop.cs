using System.Runtime.InteropServices;
using CogDdim.Numerics;

namespace CogDdim.Torch;

/// <summary>
/// Zero-copy views between TorchSharp's <see cref="TorchSharp.BFloat16"/> and CogDdim's <see cref="BFloat16"/>: both
/// are the 16 bits of a bfloat16, so a span of one is a span of the other over the same memory (no conversion, no
/// rounding). An app that imports <c>TorchSharp</c> names TorchSharp's type; the span schedulers take ours.
/// </summary>
public static class TorchSharpInterop
{
    /// <summary>The same memory as CogDdim bfloat16 values.</summary>
    public static Span<BFloat16> AsCogDdim(this Span<TorchSharp.BFloat16> values) =>
        MemoryMarshal.Cast<TorchSharp.BFloat16, BFloat16>(values);

    /// <summary>The same memory as CogDdim bfloat16 values.</summary>
    public static ReadOnlySpan<BFloat16> AsCogDdim(this ReadOnlySpan<TorchSharp.BFloat16> values) =>
        MemoryMarshal.Cast<TorchSharp.BFloat16, BFloat16>(values);

    /// <summary>The same memory as TorchSharp bfloat16 values.</summary>
    public static Span<TorchSharp.BFloat16> AsTorchSharp(this Span<BFloat16> values) =>
        MemoryMarshal.Cast<BFloat16, TorchSharp.BFloat16>(values);

    /// <summary>The same memory as TorchSharp bfloat16 values.</summary>
    public static ReadOnlySpan<TorchSharp.BFloat16> AsTorchSharp(this ReadOnlySpan<BFloat16> values) =>
        MemoryMarshal.Cast<BFloat16, TorchSharp.BFloat16>(values);
}
