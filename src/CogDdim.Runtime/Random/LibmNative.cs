using System.Runtime.InteropServices;

namespace CogDdim.Rng;

/// <summary>
/// The C library's <c>log1p</c>. .NET has none (<c>double.LogP1</c> is <c>Log(x + 1)</c>), and torch 2.x's serial
/// Box-Muller calls libm's. <see cref="Math.Log(double)"/>, <see cref="Math.Sin"/>, <see cref="Math.Cos"/> and
/// their <see cref="MathF"/> forms already call the platform's libm, so using its <c>log1p</c> keeps every
/// transcendental of the double and reduced paths in one library: glibc on Linux, as torch's Linux builds.
/// </summary>
internal static unsafe class LibmNative
{
    private static readonly delegate* unmanaged<double, double> Log1pPointer = Resolve();

    /// <summary>True when the platform's <c>log1p</c> was found; otherwise <see cref="Log1p"/> uses a managed fallback.</summary>
    public static bool HasNativeLog1p => Log1pPointer != null;

    public static double Log1p(double x) => Log1pPointer != null ? Log1pPointer(x) : ManagedLog1p(x);

    // Goldberg's correction: log(u) * x / (u - 1) with u = 1 + x; accurate to about 1 ULP, not libm's bits.
    private static double ManagedLog1p(double x)
    {
        var u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    private static delegate* unmanaged<double, double> Resolve()
    {
        string[] names = OperatingSystem.IsWindows() ? ["ucrtbase.dll", "msvcrt.dll"]
            : OperatingSystem.IsMacOS() ? ["/usr/lib/libSystem.B.dylib"]
            : ["libm.so.6", "libm.so"];
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, out var handle) && NativeLibrary.TryGetExport(handle, "log1p", out var address))
            {
                return (delegate* unmanaged<double, double>)address;
            }
        }

        return null;
    }
}
