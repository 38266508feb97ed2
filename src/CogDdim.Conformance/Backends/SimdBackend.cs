using System.Numerics;
using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Backends;

/// <summary>The fused vector loops of <see cref="SimdScheduler{TTable}"/> behind the <see cref="IScheduler"/> interface (<c>--backend simd</c>).</summary>
public sealed class SimdBackend : IDpmSchedulerBackend, IRandnBackend
{
    /// <summary>The randn cases run on <see cref="Rng.TorchGenerator"/>, the in-process generator (<see cref="ManagedRandn"/>).</summary>
    /// <param name="call">The call.</param>
    public RandnReply Randn(RandnCallSpec call) => ManagedRandn.Run(call);

    /// <summary>The one instance (the backend is stateless).</summary>
    public static SimdBackend Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "simd";

    /// <inheritdoc/>
    public IScheduler Create(SchedulerConfig config, SemanticsProfile profile) => CreateScheduler(config, profile);

    /// <summary>Builds a SIMD scheduler over float64 tables when the config has one (trained betas), float32 otherwise, as diffusers does.</summary>
    /// <param name="config">The scheduler config.</param>
    /// <param name="profile">The torch build's semantics to follow.</param>
    public static IScheduler CreateScheduler(SchedulerConfig config, SemanticsProfile profile) =>
        config.HasFloat64Table
            ? new HostScheduler<double>(new SimdScheduler<double>(config, profile))
            : new HostScheduler<float>(new SimdScheduler<float>(config, profile));

    /// <inheritdoc/>
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
        /// <summary>The typed SIMD scheduler this adapter runs.</summary>
        public SimdScheduler<TTable> Simd { get; } = simd;

        /// <inheritdoc/>
        protected override void StepSpans<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, Span<TModel> prevSample, Span<TModel> predOriginalSample) =>
            Simd.Step<TSample, TModel>(modelOutput, timestep, sample, prevSample, predOriginalSample);

        /// <inheritdoc/>
        protected override void AddNoiseSpans<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples) =>
            Simd.AddNoise(originalSamples, noise, timesteps, noisySamples);

        /// <inheritdoc/>
        protected override void GetVelocitySpans<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity) =>
            Simd.GetVelocity(sample, noise, timesteps, velocity);
    }
}
