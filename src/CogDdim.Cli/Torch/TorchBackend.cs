using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Torch;

/// <summary>
/// The TorchSharp backend (<c>--backend torch</c>): <see cref="TorchScheduler"/> behind the host-tensor
/// <see cref="IScheduler"/> interface, on one device, reproducing each suite's semantics profile.
/// </summary>
public sealed class TorchBackend : IDpmSchedulerBackend
{
    public TorchBackend(Device? device = null, TorchStepMode mode = TorchStepMode.Exact)
    {
        Device = device ?? CPU;
        TorchDevices.EnsureUsable(Device);
        Mode = mode;
    }

    /// <summary>A backend on a device named <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public TorchBackend(string device, TorchStepMode mode = TorchStepMode.Exact)
        : this(TorchDevices.Resolve(device), mode)
    {
    }

    public string Name => "torch";

    public Device Device { get; }

    public TorchStepMode Mode { get; }

    public IScheduler Create(SchedulerConfig config, SemanticsProfile profile) =>
        new HostScheduler(new TorchScheduler(config, new TorchSchedulerOptions { Device = Device, Profile = profile, Mode = Mode }));

    public IDpmScheduler CreateDpm(SchedulerConfig config, SemanticsProfile profile) =>
        new DpmHostScheduler(new TorchDpmScheduler(config, new TorchSchedulerOptions { Device = Device, Profile = profile, Mode = Mode }));

    /// <summary>A DPM scheduler given tables (a fixture's recorded schedule) instead of building them.</summary>
    public IDpmScheduler CreateDpm(SchedulerConfig config, SemanticsProfile profile, ScheduleTables tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        TorchSchedule schedule;
        using (NewDisposeScope())
        {
            schedule = TorchSchedule.FromTensors(tables.Betas.ToTorch(CPU), tables.Alphas.ToTorch(CPU), tables.AlphasCumprod.ToTorch(CPU), tables.FinalAlphaCumprod.ToTorch(CPU));
        }

        return new DpmHostScheduler(new TorchDpmScheduler(config, schedule, new TorchSchedulerOptions { Device = Device, Profile = profile, Mode = Mode }));
    }

    /// <summary>Given tables (a fixture's recorded schedule) instead of building them.</summary>
    public IScheduler Create(SchedulerConfig config, SemanticsProfile profile, ScheduleTables tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        TorchSchedule schedule;
        using (NewDisposeScope())
        {
            schedule = TorchSchedule.FromTensors(tables.Betas.ToTorch(CPU), tables.Alphas.ToTorch(CPU), tables.AlphasCumprod.ToTorch(CPU), tables.FinalAlphaCumprod.ToTorch(CPU));
        }

        return new HostScheduler(new TorchScheduler(config, schedule, new TorchSchedulerOptions { Device = Device, Profile = profile, Mode = Mode }));
    }

    /// <summary>Host tensors in, host tensors out: each call copies its inputs to the device and its results back.</summary>
    public sealed class HostScheduler(TorchScheduler scheduler) : IScheduler
    {
        private ScheduleTables? _tables;

        public TorchScheduler Scheduler { get; } = scheduler;

        public SchedulerConfig Config => Scheduler.Config;

        public int Order => Scheduler.Order;

        public double InitNoiseSigma => Scheduler.InitNoiseSigma;

        public int Length => Scheduler.Length;

        public int? NumInferenceSteps => Scheduler.NumInferenceSteps;

        public IReadOnlyList<long> Timesteps => Scheduler.Timesteps;

        public ScheduleTables Tables => _tables ??= Scheduler.Schedule.ToHost();

        public void SetTimesteps(int numInferenceSteps) => Scheduler.SetTimesteps(numInferenceSteps);

        public StepResult Step(HostTensor modelOutput, long timestep, HostTensor sample)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            HostTensorChecks.StepInputs(modelOutput, sample);
            using var scope = NewDisposeScope();
            var device = Scheduler.Device;
            using var result = Scheduler.Step(modelOutput.ToTorch(device), timestep, sample.ToTorch(device));
            return new StepResult(result.PrevSample.ToHost(), result.PredOriginalSample.ToHost());
        }

        public HostTensor AddNoise(HostTensor originalSamples, HostTensor noise, HostTensor timesteps)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            HostTensorChecks.NoiseInputs(originalSamples, noise, timesteps, "original_samples");
            using var scope = NewDisposeScope();
            var device = Scheduler.Device;
            return Scheduler.AddNoise(originalSamples.ToTorch(device), noise.ToTorch(device), timesteps.ToTorch(device)).ToHost();
        }

        public HostTensor GetVelocity(HostTensor sample, HostTensor noise, HostTensor timesteps)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            HostTensorChecks.NoiseInputs(sample, noise, timesteps, "sample");
            using var scope = NewDisposeScope();
            var device = Scheduler.Device;
            return Scheduler.GetVelocity(sample.ToTorch(device), noise.ToTorch(device), timesteps.ToTorch(device)).ToHost();
        }

        public HostTensor ScaleModelInput(HostTensor sample, long? timestep = null)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return sample;
        }

        private bool _disposed;

        public void Dispose()
        {
            _disposed = true;
            Scheduler.Dispose();
        }
    }

    /// <summary><see cref="TorchDpmScheduler"/> over host tensors: each call copies its inputs to the device and its results back.</summary>
    public sealed class DpmHostScheduler(TorchDpmScheduler scheduler) : IDpmScheduler
    {
        private ScheduleTables? _tables;

        public TorchDpmScheduler Scheduler { get; } = scheduler;

        public SchedulerConfig Config => Scheduler.Config;

        public int Order => Scheduler.Order;

        public double InitNoiseSigma => Scheduler.InitNoiseSigma;

        public int Length => Scheduler.Length;

        public int? NumInferenceSteps => Scheduler.NumInferenceSteps;

        public IReadOnlyList<long> Timesteps => Scheduler.Timesteps;

        public ScheduleTables Tables => _tables ??= Scheduler.Schedule.ToHost();

        public void SetTimesteps(int numInferenceSteps) => Scheduler.SetTimesteps(numInferenceSteps);

        public StepResult Step(HostTensor modelOutput, long timestep, HostTensor sample) => throw DpmHostChecks.NoDdimStep();

        public StepResult DpmStep(HostTensor modelOutput, HostTensor? oldPredOriginalSample, long timestep, long? timestepBack, HostTensor sample, HostTensor noise)
        {
            DpmHostChecks.StepInputs(modelOutput, oldPredOriginalSample, sample, noise);
            using var scope = NewDisposeScope();
            var device = Scheduler.Device;
            using var result = Scheduler.Step(modelOutput.ToTorch(device), oldPredOriginalSample?.ToTorch(device), timestep, timestepBack, sample.ToTorch(device), noise.ToTorch(device));
            return new StepResult(result.PrevSample.ToHost(), result.PredOriginalSample.ToHost());
        }

        public HostTensor AddNoise(HostTensor originalSamples, HostTensor noise, HostTensor timesteps)
        {
            HostTensorChecks.NoiseInputs(originalSamples, noise, timesteps, "original_samples");
            using var scope = NewDisposeScope();
            var device = Scheduler.Device;
            return Scheduler.AddNoise(originalSamples.ToTorch(device), noise.ToTorch(device), timesteps.ToTorch(device)).ToHost();
        }

        public HostTensor GetVelocity(HostTensor sample, HostTensor noise, HostTensor timesteps)
        {
            HostTensorChecks.NoiseInputs(sample, noise, timesteps, "sample");
            using var scope = NewDisposeScope();
            var device = Scheduler.Device;
            return Scheduler.GetVelocity(sample.ToTorch(device), noise.ToTorch(device), timesteps.ToTorch(device)).ToHost();
        }

        public HostTensor ScaleModelInput(HostTensor sample, long? timestep = null) => sample;

        public void Dispose() => Scheduler.Dispose();
    }
}
