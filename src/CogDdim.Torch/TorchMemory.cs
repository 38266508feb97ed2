using System.Runtime.InteropServices;

namespace CogDdim.Torch;

/// <summary>
/// What keeps a long-running TorchSharp process flat. libtorch's CPU allocator takes every tensor from the C heap
/// (glibc malloc on Linux). glibc serves a large block by mmap until the first such block is freed, and then raises
/// its mmap threshold to that size (up to 32 MiB), so every later latent-sized tensor comes from the heap instead;
/// with tensors of different lifetimes freed in between, the heap fragments and is never returned: a
/// CogVideoX-5b loop grew by about 4 MB per step although no tensor stayed alive. A fixed threshold (which also turns
/// the adjustment off) keeps large tensors in their own mappings, returned to the OS when freed.
/// </summary>
public static class TorchMemory
{
    /// <summary>128 KiB, glibc's own starting threshold: what <c>MALLOC_MMAP_THRESHOLD_=131072</c> sets.</summary>
    public const int DefaultMmapThreshold = 128 * 1024;

    private const int MallocMmapThreshold = -3;

    /// <summary>
    /// Fixes glibc's mmap threshold for this process (<c>mallopt(M_MMAP_THRESHOLD, bytes)</c>), as the environment
    /// variable <c>MALLOC_MMAP_THRESHOLD_</c> does when set before the process starts. Call it once, early, in a
    /// process that runs many steps (a pipeline rendering many videos). Returns false where it does not apply (not
    /// Linux, or a C library without <c>mallopt</c>); the setting is process-wide.
    /// </summary>
    public static bool UseFixedMmapThreshold(int bytes = DefaultMmapThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return MallOpt(MallocMmapThreshold, bytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt", ExactSpelling = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallOpt(int parameter, int value);
}
