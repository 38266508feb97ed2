using CogDdim.Cli;
using TorchSharp;

namespace CogDdim.Conformance.TorchBackendTests;

/// <summary><c>cogddim conform --backend torch</c>.</summary>
public sealed class TorchCliTests
{
    [Fact]
    public void Conform_with_the_torch_backend_passes_a_suite()
    {
        var suite = Path.Combine(TorchTestData.SetPath(TorchTestData.Torch26), "trained-betas-v-trailing.json");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var status = CliApp.Run(["conform", suite, "--backend", "torch", "--device", "cpu"], stdout, stderr);

        Assert.Equal(0, status);
        Assert.Contains("[torch, torch2-cpu]", stdout.ToString());
        Assert.EndsWith("83 passed, 0 failed", stdout.ToString().TrimEnd());
    }

    [Fact]
    public void A_device_that_cannot_be_had_is_a_usage_error()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var status = CliApp.Run(["conform", "--backend", "torch", "--device", torch.cuda.is_available() ? "tpu" : "cuda"], stdout, stderr);

        Assert.Equal(2, status);
        Assert.Contains("--device", stderr.ToString());
    }
}
