using CogDdim.Simd;
using Xunit.Abstractions;

namespace CogDdim.Conformance.Simd;

/// <summary>
/// Logs which vector widths this run uses and checks that the runtime knobs CI sets took effect, so that the runs
/// with DOTNET_EnableAVX512=0 and DOTNET_EnableAVX2=0 really exercise the narrower paths. (On .NET 10 the AVX-512
/// knob is DOTNET_EnableAVX512; DOTNET_EnableAVX512F is no longer read.)
/// </summary>
public sealed class VectorWidthTests(ITestOutputHelper output)
{
    [Fact]
    public void Widths_follow_the_runtime_knobs()
    {
        output.WriteLine(VectorWidths.Describe());
        if (Knob("DOTNET_EnableHWIntrinsic") == "0")
        {
            Assert.Equal(0, VectorWidths.Widest);
        }

        if (Knob("DOTNET_EnableAVX2") == "0" || Knob("DOTNET_EnableAVX") == "0")
        {
            Assert.False(VectorWidths.Vector256, "DOTNET_EnableAVX2=0 is set but Vector256 is accelerated");
            Assert.False(VectorWidths.Vector512, "DOTNET_EnableAVX2=0 is set but Vector512 is accelerated");
        }

        if (Knob("DOTNET_EnableAVX512") == "0" || Knob("DOTNET_EnableAVX512F") == "0")
        {
            Assert.False(VectorWidths.Vector512, "AVX-512 is switched off by the environment, but Vector512 is accelerated (on .NET 10 use DOTNET_EnableAVX512=0)");
        }

        Assert.True(!VectorWidths.Vector512 || VectorWidths.Vector256, "Vector512 without Vector256");
    }

    private static string? Knob(string name) => Environment.GetEnvironmentVariable(name);
}
