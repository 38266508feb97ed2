using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CogDdim.Benchmarks;

/// <summary>
/// dotnet run -c Release --project bench/CogDdim.Benchmarks -- [BenchmarkDotNet arguments, e.g. --filter *Step*]
/// Runs in process (no separate build per benchmark) with a short job by default; pass --job to choose another.
/// COGDDIM_BENCH_SHAPES (5b,1.5), COGDDIM_BENCH_DTYPES (float32,float64,float16,bfloat16,bfloat16/float32) and
/// COGDDIM_BENCH_THREADS narrow the run, e.g. COGDDIM_BENCH_SHAPES=5b COGDDIM_BENCH_DTYPES=float32.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["randn-timing", .. var dtypes])
        {
            return RandnTiming.Run(dtypes);
        }

        var config = DefaultConfig.Instance;
        if (!args.Contains("--job", StringComparer.Ordinal))
        {
            config = config.AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(10).WithToolchain(InProcessEmitToolchain.Instance).AsDefault());
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
