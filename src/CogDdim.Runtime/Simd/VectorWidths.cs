using System.Globalization;
using System.Runtime.Intrinsics;

namespace CogDdim.Simd;

/// <summary>Which vector widths the element loops use in this process (the JIT decides; DOTNET_EnableAVX512=0,
/// DOTNET_EnableAVX2=0 or DOTNET_EnableHWIntrinsic=0 turn widths off).</summary>
public static class VectorWidths
{
    /// <summary>Whether 512-bit vectors (AVX-512) are hardware accelerated.</summary>
    public static bool Vector512 => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;

    /// <summary>Whether 256-bit vectors (AVX2) are hardware accelerated.</summary>
    public static bool Vector256 => System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;

    /// <summary>Whether 128-bit vectors (SSE, AdvSimd) are hardware accelerated.</summary>
    public static bool Vector128 => System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated;

    /// <summary>The widest accelerated width in bits, or 0 when only the scalar loop runs.</summary>
    public static int Widest => Vector512 ? 512 : Vector256 ? 256 : Vector128 ? 128 : 0;

    /// <summary>One line for logs, e.g. "vector widths: 512 yes, 256 yes, 128 yes (widest 512); 2 logical processors".</summary>
    public static string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"vector widths: 512 {YesNo(Vector512)}, 256 {YesNo(Vector256)}, 128 {YesNo(Vector128)} (widest {(Widest == 0 ? "scalar" : Widest.ToString(CultureInfo.InvariantCulture))}); {Environment.ProcessorCount} logical processors");

    private static string YesNo(bool value) => value ? "yes" : "no";
}
