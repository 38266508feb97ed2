using System.Diagnostics;
using System.Globalization;
using CogDdim.Torch;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CogDdim.Conformance.TorchBackendTests;

/// <summary>
/// Issue 14: a long run of CogVideoX-5b steps keeps the process's resident memory within a fixed bound when the
/// pipeline steps into its own output tensors (the out= step). Fresh output tensors every step grew the process by
/// about 4 MB per step (glibc heap fragmentation, not live tensors). The CI version runs a bounded number of steps
/// (<c>COGDDIM_SOAK_STEPS</c> overrides it; docs/torch-backend.md has the 2,000-step figures).
/// </summary>
[Collection(nameof(FuzzCollection))] // alone, as the fuzz test: resident memory is the whole process's
public sealed class TorchSoakTests(ITestOutputHelper output)
{
    /// <summary>The CogVideoX-5b pipeline's latent shape: [batch, frames, channels, height, width] at 720×480, 49 frames.</summary>
    private static readonly long[] Shape5b = [1, 13, 16, 60, 90];

    private static int Steps => Environment.GetEnvironmentVariable("COGDDIM_SOAK_STEPS") is { Length: > 0 } s
        ? int.Parse(s, CultureInfo.InvariantCulture)
        : 200;

    /// <summary>Fixed: the step's temporaries come and go; 4 MB per step would pass it within 16 steps.</summary>
    private const long BoundBytes = 64L << 20;

    [Fact]
    public void Stepping_into_caller_tensors_keeps_resident_memory_flat_over_a_long_run()
    {
        // What a long-running pipeline does once at start (docs/torch-backend.md, "Long-running processes").
        Assert.True(TorchMemory.UseFixedMmapThreshold() || !OperatingSystem.IsLinux());
        var (before, after, peak, elapsed) = Soak(useOut: true, Steps);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"out= step, {Steps} CogVideoX-5b steps: RSS {before >> 20} MiB after warm-up, {after >> 20} MiB at the end, peak {peak >> 20} MiB, {elapsed.TotalSeconds:F1} s"));
        Assert.True(peak - before < BoundBytes,
            $"RSS grew by {(peak - before) >> 20} MiB over {Steps} steps (bound {BoundBytes >> 20} MiB)");
    }

    /// <summary>The by-hand comparison: fresh outputs (disposed each step). Opt-in, since it is the leak itself.</summary>
    [Fact]
    public void Fresh_outputs_every_step_for_comparison()
    {
        if (Environment.GetEnvironmentVariable("COGDDIM_SOAK_FRESH") != "1")
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("COGDDIM_SOAK_MALLOPT") == "1")
        {
            TorchMemory.UseFixedMmapThreshold();
        }

        var (before, after, peak, elapsed) = Soak(useOut: false, Steps);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fresh outputs, {Steps} CogVideoX-5b steps: RSS {before >> 20} MiB after warm-up, {after >> 20} MiB at the end, peak {peak >> 20} MiB, {elapsed.TotalSeconds:F1} s"));
    }

    [Fact]
    public void The_out_step_gives_the_same_bits_as_the_step_that_returns_tensors()
    {
        var config = TorchTestData.Suite(TorchTestData.Torch26, "cogvideox-5b").Config;
        using var scheduler = new TorchScheduler(config);
        scheduler.SetTimesteps(50);
        using var latents = randn([1, 2, 4, 3, 5], ScalarType.BFloat16);
        using var noise = randn([1, 2, 4, 3, 5]);
        using var prev = empty([1, 2, 4, 3, 5], ScalarType.Float32);
        using var x0 = empty([1, 2, 4, 3, 5], ScalarType.Float32);
        foreach (var t in scheduler.Timesteps.Take(5))
        {
            using var fresh = scheduler.Step(noise, t, latents);
            scheduler.Step(noise, t, latents, prev, x0);
            Assert.Equal(Bits(fresh.PrevSample), Bits(prev));
            Assert.Equal(Bits(fresh.PredOriginalSample), Bits(x0));
        }

        Assert.Throws<ArgumentException>(() => scheduler.Step(noise, 999, latents, prev, prev));
        using var wrong = empty([1, 2, 4, 3, 5], ScalarType.BFloat16);
        Assert.Throws<ArgumentException>(() => scheduler.Step(noise, 999, latents, wrong, x0));
    }

    [Fact]
    public void The_step_scalar_cache_is_bounded_over_random_timesteps()
    {
        var config = TorchTestData.Suite(TorchTestData.Torch26, "cogvideox-5b").Config;
        using var scheduler = new TorchScheduler(config);
        scheduler.SetTimesteps(1000);
        using var x = zeros(1, 2);
        var random = new Random(14);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < 5000; i++)
        {
            scheduler.Step(x, random.Next(0, 1000), x).Dispose();
        }

        Assert.InRange(scheduler.CachedStepScalars, 1, TorchScheduler.MaxCachedStepScalars);
        Assert.InRange(DisposeScopeManager.Statistics.ThreadTotalLiveCount - live, 0, 4 * TorchScheduler.MaxCachedStepScalars);
    }

    private static int[] Bits(Tensor t) => t.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>The pipeline's loop: bfloat16 latents, a float32 model output, the step, the cast back.</summary>
    private static (long Before, long After, long Peak, TimeSpan Elapsed) Soak(bool useOut, int steps)
    {
        var config = TorchTestData.Suite(TorchTestData.Torch26, "cogvideox-5b").Config;
        using var scheduler = new TorchScheduler(config);
        scheduler.SetTimesteps(50);
        using var latents = randn(Shape5b, ScalarType.BFloat16);
        using var noisePred = randn(Shape5b, ScalarType.Float32);
        using var prev = empty(Shape5b, ScalarType.Float32);
        using var x0 = empty(Shape5b, ScalarType.Float32);
        const int warmUp = 50;
        long before = 0, peak = 0;
        var watch = new Stopwatch();
        for (var i = 0; i < warmUp + steps; i++)
        {
            if (i == warmUp)
            {
                before = Rss();
                watch.Start();
            }

            var t = scheduler.Timesteps[i % scheduler.Timesteps.Count];
            if (useOut)
            {
                scheduler.Step(noisePred, t, latents, prev, x0);
                latents.copy_(prev);   // latents.to(bfloat16), into the same tensor
            }
            else
            {
                using var step = scheduler.Step(noisePred, t, latents);
                using var cast = step.PrevSample.to(ScalarType.BFloat16);
                latents.copy_(cast);
            }

            if (i >= warmUp && i % 10 == 0)
            {
                peak = Math.Max(peak, Rss());
            }
        }

        var after = Rss();
        return (before, after, Math.Max(peak, after), watch.Elapsed);
    }

    /// <summary>Resident set size of this process, from /proc (the OS's own figure; WorkingSet64 elsewhere).</summary>
    private static long Rss()
    {
        if (OperatingSystem.IsLinux())
        {
            var statm = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(statm[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }

        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }
}
