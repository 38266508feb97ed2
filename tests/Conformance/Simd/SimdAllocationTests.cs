using System.Numerics;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Semantics;
using CogDdim.Simd;

namespace CogDdim.Conformance.Simd;

[CollectionDefinition(nameof(SimdAllocationCollection), DisableParallelization = true)]
public sealed class SimdAllocationCollection;

/// <summary>
/// After the first calls nothing is allocated per step, add_noise or get_velocity: on the calling thread for a small
/// (one-thread) tensor, and on the calling thread plus the worker threads for one large enough to be split. (The
/// whole process's count is no measure here: the test host allocates meanwhile.) This collection runs alone.
/// </summary>
[Collection(nameof(SimdAllocationCollection))]
public sealed class SimdAllocationTests
{
    private const int Steps = 20;
    private const int Warmup = 50;
    private const int Windows = 3;

    [Fact]
    public void Single_thread_steps_allocate_nothing()
    {
        Assert.Equal(0, BytesPerRun<float, float>(4096 + 13, maxThreads: 1));
        Assert.Equal(0, BytesPerRun<double, double>(4096 + 13, maxThreads: 1));
        Assert.Equal(0, BytesPerRun<Half, Half>(4096 + 13, maxThreads: 1));
        Assert.Equal(0, BytesPerRun<BFloat16, BFloat16>(4096 + 13, maxThreads: 1));
        Assert.Equal(0, BytesPerRun<BFloat16, float>(4096 + 13, maxThreads: 1));
    }

    [Fact]
    public void Threaded_steps_allocate_nothing_in_the_process()
    {
        // Two parts, even on a one-core machine: the worker threads still run.
        var length = 2 * SimdScheduler<double>.MinimumElementsPerThread + 7;
        Assert.Equal(0, BytesPerRun<float, float>(length, maxThreads: 2));
        Assert.Equal(0, BytesPerRun<Half, Half>(length, maxThreads: 2));
        Assert.Equal(0, BytesPerRun<double, double>(length, maxThreads: 2));
        Assert.Equal(0, BytesPerRun<BFloat16, float>(length, maxThreads: 2));
    }

    private static long BytesPerRun<TSample, TModel>(int length, int maxThreads)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        var simd = new SimdScheduler<double>(new SchedulerConfig(), SemanticsProfile.Torch2Cpu) { MaxThreads = maxThreads };
        simd.SetTimesteps(50);
        var sample = new TSample[length];
        var modelOutput = new TModel[length];
        var prev = new TModel[length];
        var original = new TModel[length];
        var noisy = new TSample[length];
        long[] timestep = [simd.Timesteps[0]];
        // The first calls make the worker threads and let the runtime finish its own one-off work (tiered JIT).
        for (var i = 0; i < Warmup; i++)
        {
            RunOnce(simd, sample, modelOutput, prev, original, noisy, timestep, i % simd.Timesteps.Count);
        }

        // The least of a few windows: an allocation per call shows in every window, while the runtime's own one-off
        // work (a tier-1 recompile finishing, say: 24 bytes once was seen with AVX-512 off) lands in one at most.
        static long Allocated() => GC.GetAllocatedBytesForCurrentThread() + ParallelChunks.WorkerAllocatedBytes;
        var least = long.MaxValue;
        for (var window = 0; window < Windows && least > 0; window++)
        {
            var before = Allocated();
            for (var i = 0; i < Steps; i++)
            {
                RunOnce(simd, sample, modelOutput, prev, original, noisy, timestep, i % simd.Timesteps.Count);
            }

            least = Math.Min(least, Allocated() - before);
        }

        return least;
    }

    private static void RunOnce<TSample, TModel>(SimdScheduler<double> simd, TSample[] sample, TModel[] modelOutput, TModel[] prev, TModel[] original, TSample[] noisy, long[] timestep, int index)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        simd.Step<TSample, TModel>(modelOutput, simd.Timesteps[index], sample, prev, original);
        simd.AddNoise<TSample>(sample, noisy, timestep, noisy);
        simd.GetVelocity<TSample>(sample, noisy, timestep, noisy);
    }
}
