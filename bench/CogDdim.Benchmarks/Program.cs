using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CogDdim.Benchmarks;

/// <summary>
/// dotnet run -c Release --project bench/CogDdim.Benchmarks -- [BenchmarkDotNet arguments, e.g. --filter *Step*]
/// Runs in process (no separate build per benchmark) with a short job by default; pass --job to choose another.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var config = DefaultConfig.Instance;
        if (!args.Contains("--job", StringComparer.Ordinal))
        {
            config = config.AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(10).WithToolchain(InProcessEmitToolchain.Instance).AsDefault());
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
