using CogDdim.Tensors;
using CogDdim.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Conformance.TorchBackendTests;

/// <summary>Nothing the backend makes outlives its call, except the results it hands over.</summary>
public sealed class TorchLeakTests
{
    private const int Steps = 1000;

    [Theory]
    [InlineData(TorchStepMode.Exact)]
    [InlineData(TorchStepMode.FastFused)]
    public void A_thousand_tensor_steps_leave_no_tensor_alive(TorchStepMode mode)
    {
        var config = TorchTestData.Suite(TorchTestData.Torch26, "cogvideox-5b").Config;
        using var scheduler = new TorchScheduler(config, new TorchSchedulerOptions { Mode = mode });
        scheduler.SetTimesteps(50);
        var latents = randn([1, 2, 4, 3, 5], ScalarType.BFloat16);
        var noise = randn([1, 2, 4, 3, 5]);
        using var t = tensor(new long[] { 500 });

        // One step per timestep and one add_noise first, so that every cached scalar and table exists before counting.
        foreach (var timestep in scheduler.Timesteps)
        {
            scheduler.Step(noise, timestep, latents).Dispose();
        }

        scheduler.AddNoise(noise, noise, t).Dispose();

        var start = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < Steps; i++)
        {
            using var result = scheduler.Step(noise, scheduler.Timesteps[i % scheduler.Timesteps.Count], latents);
            using var noisy = scheduler.AddNoise(noise, noise, t);
            using var velocity = scheduler.GetVelocity(noise, noise, t);
        }

        Assert.Equal(start, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        latents.Dispose();
        noise.Dispose();
    }

    [Fact]
    public void A_thousand_host_tensor_steps_leave_no_tensor_alive()
    {
        var suite = TorchTestData.Suite(TorchTestData.Torch26, "defaults");
        var backend = new TorchBackend();
        using var scheduler = backend.Create(suite.Config, suite.Reference.Semantics);
        scheduler.SetTimesteps(50);
        var sample = HostTensor.Create(Enumerable.Range(0, 24).Select(i => (float)Math.Sin(i)).ToArray(), 2, 3, 4);
        foreach (var timestep in scheduler.Timesteps)
        {
            scheduler.Step(sample, timestep, sample);
        }

        var start = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < Steps; i++)
        {
            sample = scheduler.Step(sample, scheduler.Timesteps[i % scheduler.Timesteps.Count], sample).PrevSample;
        }

        Assert.Equal(start, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Disposing_the_scheduler_frees_its_tables_and_cached_scalars()
    {
        var config = TorchTestData.Suite(TorchTestData.Torch26, "cogvideox-5b").Config;
        var start = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var scheduler = new TorchScheduler(config);
        scheduler.SetTimesteps(10);
        using (var x = zeros(1, 2, 3))
        {
            foreach (var timestep in scheduler.Timesteps)
            {
                scheduler.Step(x, timestep, x).Dispose();
            }

            using var t = tensor(new long[] { 1 });
            scheduler.AddNoise(x, x, t).Dispose();
            Assert.True(DisposeScopeManager.Statistics.ThreadTotalLiveCount > start + 4);
        }

        scheduler.Dispose();
        Assert.Equal(start, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
