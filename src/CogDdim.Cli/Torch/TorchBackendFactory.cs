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
        try
        {
            return new TorchBackend(device, mode);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            throw new UsageException($"--device {device}: {e.Message}");
        }
    }
}
