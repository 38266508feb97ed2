using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>The CogVideoXDPMScheduler side of a candidate port (the <c>dpm_step</c> call).</summary>
public sealed partial class CandidateBackend : IDpmSchedulerBackend
{
    /// <inheritdoc/>
    public IDpmScheduler CreateDpm(SchedulerConfig config, SemanticsProfile profile)
    {
        var inner = Create(config, profile, SchedulerClasses.Dpm);
        return new CandidateDpmScheduler(this, inner, CandidateProtocol.Context.Of(config, profile) with { SchedulerClass = SchedulerClasses.Dpm });
    }
}

/// <summary>A DPM scheduler inside the port: the shared calls are the DDIM ones, the step is <c>dpm_step</c>.</summary>
internal sealed class CandidateDpmScheduler(CandidateBackend backend, CandidateScheduler inner, CandidateProtocol.Context context) : IDpmScheduler
{
    public SchedulerConfig Config => inner.Config;

    public int Order => inner.Order;

    public double InitNoiseSigma => inner.InitNoiseSigma;

    public int Length => inner.Length;

    public int? NumInferenceSteps => inner.NumInferenceSteps;

    public IReadOnlyList<long> Timesteps => inner.Timesteps;

    public ScheduleTables Tables => inner.Tables;

    public void SetTimesteps(int numInferenceSteps) => inner.SetTimesteps(numInferenceSteps);

    public StepResult Step(HostTensor modelOutput, long timestep, HostTensor sample) => throw DpmHostChecks.NoDdimStep();

    public StepResult DpmStep(HostTensor modelOutput, HostTensor? oldPredOriginalSample, long timestep, long? timestepBack, HostTensor sample, HostTensor noise) =>
        backend.Call(CandidateDpmProtocol.DpmStep, context,
            CandidateDpmProtocol.DpmStepArgs(NumInferenceSteps, timestep, timestepBack, modelOutput, oldPredOriginalSample, sample, noise, null),
            result => new StepResult(ReplyReader.Tensor(result, "prev_sample"), ReplyReader.Tensor(result, "pred_original_sample")),
            oldPredOriginalSample is null ? [modelOutput, sample, noise] : [modelOutput, sample, noise, oldPredOriginalSample]);

    public HostTensor AddNoise(HostTensor originalSamples, HostTensor noise, HostTensor timesteps) => inner.AddNoise(originalSamples, noise, timesteps);

    public HostTensor GetVelocity(HostTensor sample, HostTensor noise, HostTensor timesteps) => inner.GetVelocity(sample, noise, timesteps);

    public HostTensor ScaleModelInput(HostTensor sample, long? timestep = null) => sample;

    public void Dispose() => inner.Dispose();
}
