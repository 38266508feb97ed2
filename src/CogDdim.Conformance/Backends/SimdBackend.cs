using System.Numerics;
using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Backends;

/// <summary>The fused vector loops of <see cref="SimdScheduler{TTable}"/> behind the <see cref="IScheduler"/> interface (<c>--backend simd</c>).</summary>
public sealed class SimdBackend : IDpmSchedulerBackend
{
    public static SimdBackend Instance { get; } = new();

    public string Name => "simd";

    public IScheduler Create(SchedulerConfig config, SemanticsProfile profile) => CreateScheduler(config, profile);

    public static IScheduler CreateScheduler(SchedulerConfig config, SemanticsProfile profile) =>
        config.HasFloat64Table
            ? new HostScheduler<double>(new SimdScheduler<double>(config, profile))
            : new HostScheduler<float>(new SimdScheduler<float>(config, profile));

    public IDpmScheduler CreateDpm(SchedulerConfig config, SemanticsProfile profile) => CreateDpmScheduler(config, profile);

    /// <summary>A <c>CogVideoXDPMScheduler</c> over host tensors, with the table type diffusers uses for the config.</summary>
    public static IDpmScheduler CreateDpmScheduler(SchedulerConfig config, SemanticsProfile profile) =>
        config.HasFloat64Table
            ? new DpmSpanSchedulerAdapter<double>(new SimdDpmScheduler<double>(config, profile))
            : new DpmSpanSchedulerAdapter<float>(new SimdDpmScheduler<float>(config, profile));

    /// <summary>Adapts a typed <see cref="SimdScheduler{TTable}"/> to host tensors of any dtype.</summary>
    public sealed class HostScheduler<TTable>(SimdScheduler<TTable> simd) : SpanSchedulerAdapter<TTable>(simd.Schedule)
        where TTable : unmanaged, IFloatingPointIeee754<TTable>
    {
        public SimdScheduler<TTable> Simd { get; } = simd;

        protected override void StepSpans<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, Span<TModel> prevSample, Span<TModel> predOriginalSample) =>
            Simd.Step<TSample, TModel>(modelOutput, timestep, sample, prevSample, predOriginalSample);

        protected override void AddNoiseSpans<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples) =>
            Simd.AddNoise(originalSamples, noise, timesteps, noisySamples);

        protected override void GetVelocitySpans<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity) =>
            Simd.GetVelocity(sample, noise, timesteps, velocity);
    }
}
