using System.Numerics;
using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Semantics;
using CogDdim.Tensors;

using CogDdim.Reference;

namespace CogDdim.Simd;

/// <summary>The fused vector loops of <see cref="SimdScheduler{TTable}"/> behind the <see cref="IScheduler"/> interface (<c>--backend simd</c>).</summary>
public sealed class SimdBackend : ISchedulerBackend
{
    public static SimdBackend Instance { get; } = new();

    public string Name => "simd";

    public IScheduler Create(SchedulerConfig config, SemanticsProfile profile) => CreateScheduler(config, profile);

    public static IScheduler CreateScheduler(SchedulerConfig config, SemanticsProfile profile) =>
        config.HasFloat64Table
            ? new HostScheduler<double>(new SimdScheduler<double>(config, profile))
            : new HostScheduler<float>(new SimdScheduler<float>(config, profile));

    /// <summary>Adapts a typed <see cref="SimdScheduler{TTable}"/> to host tensors of any dtype.</summary>
    public sealed class HostScheduler<TTable> : IScheduler
        where TTable : unmanaged, IFloatingPointIeee754<TTable>
    {
        public HostScheduler(SimdScheduler<TTable> simd)
        {
            Simd = simd;
            var scheduler = simd.Schedule;
            Scheduler = scheduler;
            Tables = new ScheduleTables(
                HostTensor.Create((TTable[])scheduler.Betas.Clone(), scheduler.Betas.Length),
                HostTensor.Create((TTable[])scheduler.Alphas.Clone(), scheduler.Alphas.Length),
                HostTensor.Create((TTable[])scheduler.AlphasCumprod.Clone(), scheduler.AlphasCumprod.Length),
                scheduler.FinalAlphaCumprodDType == DType.Float32
                    ? HostTensor.Create([float.CreateTruncating(scheduler.FinalAlphaCumprod)])
                    : HostTensor.Create([scheduler.FinalAlphaCumprod]));
        }

        public SimdScheduler<TTable> Simd { get; }

        public ReferenceScheduler<TTable> Scheduler { get; }

        public SchedulerConfig Config => Scheduler.Config;

        public int Order => Scheduler.Order;

        public double InitNoiseSigma => Scheduler.InitNoiseSigma;

        public int Length => Scheduler.Length;

        public int? NumInferenceSteps => Scheduler.NumInferenceSteps;

        public IReadOnlyList<long> Timesteps => Scheduler.Timesteps;

        public ScheduleTables Tables { get; }

        public void SetTimesteps(int numInferenceSteps) => Scheduler.SetTimesteps(numInferenceSteps);

        public StepResult Step(HostTensor modelOutput, long timestep, HostTensor sample)
        {
            HostTensorChecks.StepInputs(modelOutput, sample);
            var resultType = modelOutput.DType;
            var prev = HostTensor.Zeros(resultType, sample.ShapeArray());
            var x0 = HostTensor.Zeros(resultType, sample.ShapeArray());
            switch ((sample.DType, modelOutput.DType))
            {
                case (DType.Float64, DType.Float64): Run<double, double>(); break;
                case (DType.Float32, DType.Float32): Run<float, float>(); break;
                case (DType.Float16, DType.Float16): Run<Half, Half>(); break;
                case (DType.BFloat16, DType.BFloat16): Run<BFloat16, BFloat16>(); break;
                case (DType.Float16, DType.Float32): Run<Half, float>(); break;
                case (DType.BFloat16, DType.Float32): Run<BFloat16, float>(); break;
                case (DType.Float32, DType.Float64): Run<float, double>(); break;
                case (DType.Float16, DType.Float64): Run<Half, double>(); break;
                case (DType.BFloat16, DType.Float64): Run<BFloat16, double>(); break;
                default:
                    throw new NotSupportedException(
                        $"a {sample.DType.Name()} sample with a {modelOutput.DType.Name()} model output is not supported: the model output's dtype must be the sample's or a wider one");
            }

            return new StepResult(prev, x0);

            void Run<TSample, TModel>()
                where TSample : unmanaged, IFloatingPointIeee754<TSample>
                where TModel : unmanaged, IFloatingPointIeee754<TModel> =>
                Simd.Step<TSample, TModel>(modelOutput.Span<TModel>(), timestep, sample.Span<TSample>(), prev.As<TModel>(), x0.As<TModel>());
        }

        public HostTensor AddNoise(HostTensor originalSamples, HostTensor noise, HostTensor timesteps)
        {
            var indices = HostTensorChecks.NoiseInputs(originalSamples, noise, timesteps, "original_samples");
            var result = HostTensor.Zeros(originalSamples.DType, originalSamples.ShapeArray());
            switch (originalSamples.DType)
            {
                case DType.Float64: Simd.AddNoise(originalSamples.Span<double>(), noise.Span<double>(), indices, result.As<double>()); break;
                case DType.Float32: Simd.AddNoise(originalSamples.Span<float>(), noise.Span<float>(), indices, result.As<float>()); break;
                case DType.Float16: Simd.AddNoise(originalSamples.Span<Half>(), noise.Span<Half>(), indices, result.As<Half>()); break;
                case DType.BFloat16: Simd.AddNoise(originalSamples.Span<BFloat16>(), noise.Span<BFloat16>(), indices, result.As<BFloat16>()); break;
            }

            return result;
        }

        public HostTensor GetVelocity(HostTensor sample, HostTensor noise, HostTensor timesteps)
        {
            var indices = HostTensorChecks.NoiseInputs(sample, noise, timesteps, "sample");
            var result = HostTensor.Zeros(sample.DType, sample.ShapeArray());
            switch (sample.DType)
            {
                case DType.Float64: Simd.GetVelocity(sample.Span<double>(), noise.Span<double>(), indices, result.As<double>()); break;
                case DType.Float32: Simd.GetVelocity(sample.Span<float>(), noise.Span<float>(), indices, result.As<float>()); break;
                case DType.Float16: Simd.GetVelocity(sample.Span<Half>(), noise.Span<Half>(), indices, result.As<Half>()); break;
                case DType.BFloat16: Simd.GetVelocity(sample.Span<BFloat16>(), noise.Span<BFloat16>(), indices, result.As<BFloat16>()); break;
            }

            return result;
        }

        public HostTensor ScaleModelInput(HostTensor sample, long? timestep = null) => sample;

        public void Dispose()
        {
        }
    }
}
