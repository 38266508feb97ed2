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

    /// <summary>
    /// The CPU has what .NET's Vector512 needs (AVX-512 F, BW, CD, DQ and VL, as /proc/cpuinfo lists them) and no knob
    /// turns a width off: then the 512-bit loops must be the ones that run.
    /// </summary>
    public static bool ExpectVector512 =>
        CpuHasAvx512 && !Off("DOTNET_EnableAVX512") && !Off("DOTNET_EnableAVX512F") && !Off("DOTNET_EnableAVX2")
        && !Off("DOTNET_EnableAVX") && !Off("DOTNET_EnableHWIntrinsic");

    /// <summary>Whether /proc/cpuinfo lists avx512f, avx512bw, avx512cd, avx512dq and avx512vl (false off Linux).</summary>
    public static bool CpuHasAvx512 { get; } = ReadCpuHasAvx512();

    /// <summary>
    /// On the default pass, a CPU with AVX-512 runs the 512-bit loops: Vector512 accelerated, widest 512. On a CPU
    /// without it the default pass cannot reach them, and this says so in the test output (scripts/test.sh says it
    /// loudly in its summary); the narrower passes are checked by <see cref="Widths_follow_the_runtime_knobs"/>.
    /// </summary>
    [Fact]
    public void The_default_pass_runs_the_512_bit_loops_where_the_cpu_has_AVX512()
    {
        output.WriteLine($"{VectorWidths.Describe()}; cpu AVX-512 (F, BW, CD, DQ, VL): {(CpuHasAvx512 ? "yes" : "no")}");
        if (!ExpectVector512)
        {
            output.WriteLine(CpuHasAvx512
                ? "a knob turns vector widths off: not the default pass, nothing to check here"
                : "THIS CPU HAS NO AVX-512: the 512-bit loops did not run in this pass");
            return;
        }

        Assert.True(VectorWidths.Vector512, $"the CPU has AVX-512 and no knob is set, but Vector512 is not accelerated: {VectorWidths.Describe()}");
        Assert.Equal(512, VectorWidths.Widest);
    }

    private static bool Off(string name) => Knob(name) == "0";

    private static bool ReadCpuHasAvx512()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            return false;
        }

        var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        var set = flags?.Split(':', 2)[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal) ?? [];
        return new[] { "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl" }.All(set.Contains);
    }

    private static string? Knob(string name) => Environment.GetEnvironmentVariable(name);
}
