using System.Numerics;
using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Reference;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Backends;

/// <summary>The scalar reference loops behind the <see cref="IScheduler"/> interface (<c>--backend reference</c>).</summary>
public sealed class ReferenceBackend : IDpmSchedulerBackend, IRandnBackend
{
    /// <summary>The randn cases run on <see cref="Rng.TorchGenerator"/>, the in-process generator (<see cref="ManagedRandn"/>).</summary>
    /// <param name="call">The call.</param>
    public RandnReply Randn(RandnCallSpec call) => ManagedRandn.Run(call);

    /// <summary>The one instance (the backend is stateless).</summary>
    public static ReferenceBackend Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "reference";

    /// <inheritdoc/>
    public IScheduler Create(SchedulerConfig config, SemanticsProfile profile) => CreateScheduler(config, profile);

    /// <summary>Builds a reference scheduler over float64 tables when the config has one (trained betas), float32 otherwise, as diffusers does.</summary>
    /// <param name="config">The scheduler config.</param>
    /// <param name="profile">The torch build's semantics to follow.</param>
    public static IScheduler CreateScheduler(SchedulerConfig config, SemanticsProfile profile) =>
        config.HasFloat64Table
            ? new HostScheduler<double>(new ReferenceScheduler<double>(config, profile))
            : new HostScheduler<float>(new ReferenceScheduler<float>(config, profile));

    /// <summary>The scheduler for a suite's config and profile, or null when the suite records a construction error.</summary>
    public static IScheduler? CreateSchedulerOrNull(Fixtures.FixtureSuite suite) =>
        suite.ConstructError is null ? CreateScheduler(suite.Config, suite.Reference.Semantics) : null;

    /// <inheritdoc/>
    public IDpmScheduler CreateDpm(SchedulerConfig config, SemanticsProfile profile) => CreateDpmScheduler(config, profile);

    /// <summary>A <c>CogVideoXDPMScheduler</c> over host tensors, with the table type diffusers uses for the config.</summary>
    public static IDpmScheduler CreateDpmScheduler(SchedulerConfig config, SemanticsProfile profile) =>
        config.HasFloat64Table
            ? new DpmSpanSchedulerAdapter<double>(new ReferenceDpmScheduler<double>(config, profile))
            : new DpmSpanSchedulerAdapter<float>(new ReferenceDpmScheduler<float>(config, profile));

    /// <summary>Adapts a typed <see cref="ReferenceScheduler{TTable}"/> to host tensors of any dtype.</summary>
    public sealed class HostScheduler<TTable>(ReferenceScheduler<TTable> reference) : SpanSchedulerAdapter<TTable>(reference.Schedule)
        where TTable : unmanaged, IFloatingPointIeee754<TTable>
    {
        /// <summary>The typed scalar reference scheduler this adapter runs.</summary>
        public ReferenceScheduler<TTable> Reference { get; } = reference;

        /// <inheritdoc/>
        protected override void StepSpans<TSample, TModel>(ReadOnlySpan<TModel> modelOutput, long timestep, ReadOnlySpan<TSample> sample, Span<TModel> prevSample, Span<TModel> predOriginalSample) =>
            Reference.Step<TSample, TModel>(modelOutput, timestep, sample, prevSample, predOriginalSample);

        /// <inheritdoc/>
        protected override void AddNoiseSpans<T>(ReadOnlySpan<T> originalSamples, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> noisySamples) =>
            Reference.AddNoise(originalSamples, noise, timesteps, noisySamples);

        /// <inheritdoc/>
        protected override void GetVelocitySpans<T>(ReadOnlySpan<T> sample, ReadOnlySpan<T> noise, ReadOnlySpan<long> timesteps, Span<T> velocity) =>
            Reference.GetVelocity(sample, noise, timesteps, velocity);
    }
}
