using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Torch;

/// <summary>Turns a device name into a <see cref="Device"/> that this libtorch build can use, or says why not.</summary>
public static class TorchDevices
{
    /// <summary>
    /// Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>. CUDA needs both a GPU with its driver and the CUDA build of
    /// libtorch (the <c>TorchSharp-cuda-linux</c> package); without either this fails here, with the reason, instead
    /// of in native code later.
    /// </summary>
    public static Device Resolve(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var text = name.Trim().ToLowerInvariant();
        if (text == "cpu")
        {
            return CPU;
        }

        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = 0;
            if (text.Length > 4 && (!int.TryParse(text.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)))
            {
                throw new ArgumentException($"device '{name}': expected cpu, cuda or cuda:N with N a GPU index", nameof(name));
            }

            var device = new Device(DeviceType.CUDA, index);
            EnsureUsable(device);
            return device;
        }

        throw new ArgumentException($"device '{name}': expected cpu, cuda or cuda:N", nameof(name));
    }

    /// <summary>Fails with a clear message when <paramref name="device"/> cannot run tensors in this process.</summary>
    public static void EnsureUsable(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        switch (device.type)
        {
            case DeviceType.CPU:
                return;
            case DeviceType.CUDA:
                if (!cuda.is_available())
                {
                    throw new NotSupportedException(
                        $"device '{Describe(device)}' was asked for, but CUDA is not available here: torch.cuda.is_available() is false. " +
                        "It needs an NVIDIA GPU with its driver and the CUDA build of libtorch: build with " +
                        "-p:CogDdimTorchPackage=TorchSharp-cuda-linux -p:CogDdimTorchPackageVersion=0.107.0 (this repository's default is TorchSharp-cpu)");
                }

                var count = cuda.device_count();
                if (device.index >= count)
                {
                    throw new NotSupportedException($"device '{Describe(device)}' was asked for, but this machine has {count} CUDA device(s)");
                }

                return;
            default:
                throw new NotSupportedException($"device '{Describe(device)}' is not supported; use cpu or cuda");
        }
    }

    /// <summary><c>cpu</c>, <c>cuda:0</c>…, as torch prints a device.</summary>
    public static string Describe(Device device) =>
        device.type == DeviceType.CPU ? "cpu" : $"{device.type.ToString().ToLowerInvariant()}:{Math.Max(device.index, 0)}";

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> are one device (<c>cuda</c> and <c>cuda:0</c> are the same device).</summary>
    public static bool Same(Device a, Device b) =>
        a.type == b.type && (a.type == DeviceType.CPU || Math.Max(a.index, 0) == Math.Max(b.index, 0));
}
