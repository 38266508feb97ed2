using CogDdim.Torch;

namespace CogDdim.Cli;

/// <summary><c>--backend torch [--device cpu|cuda|cuda:N] [--fast]</c>: a device that cannot be had is a usage error.</summary>
public static class TorchBackendFactory
{
    public static TorchBackend Create(CommandLine options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var device = options.Value("device") ?? "cpu";
        var mode = options.Flag("fast") ? TorchStepMode.FastFused : TorchStepMode.Exact;
        if (!LibTorchIsHere())
        {
            throw new UsageException(
                "--backend torch needs libtorch, which is not beside this program (the CogDdim.Tool package leaves its 600 MB out); " +
                "run it from a clone of the repository (scripts/conform.sh), or use --backend reference|simd|generated");
        }

        try
        {
            return new TorchBackend(device, mode);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            throw new UsageException($"--device {device}: {e.Message}");
        }
    }

    /// <summary>
    /// Whether a native libtorch came with this program: TorchSharp's bundles put libtorch (libtorch.so, libtorch.dylib
    /// or torch.dll) under runtimes/RID/native or beside the program. Checked before TorchSharp loads, whose own
    /// failure is a type initializer exception that would poison every later torch call in the process.
    /// </summary>
    private static bool LibTorchIsHere()
    {
        string[] names = ["libtorch.so", "libtorch.dylib", "torch.dll", "libtorch_cpu.so", "torch_cpu.dll"];
        var baseDirectory = AppContext.BaseDirectory;
        return names.Any(name => File.Exists(Path.Combine(baseDirectory, name)))
            || (Directory.Exists(Path.Combine(baseDirectory, "runtimes"))
                && Directory.EnumerateFiles(Path.Combine(baseDirectory, "runtimes"), "*", SearchOption.AllDirectories)
                    .Any(path => names.Contains(Path.GetFileName(path))));
    }
}
