using System.Numerics;
using BenchmarkDotNet.Attributes;
using CogDdim.Semantics;
using BFloat16 = CogDdim.Numerics.BFloat16;

namespace CogDdim.Benchmarks;

/// <summary>
/// One step of the scheduler generated at compile time from CogVideoX-5b's scheduler_config.json
/// (<see cref="CogVideoX5b.Scheduler"/>) beside the runtime's <see cref="SimdScheduler{TTable}"/> built from the same
/// config at run time, in one run: the Ratio column is generated / simd (the baseline). Same shapes, dtypes, threads and
/// timestep as <see cref="StepBenchmarks"/>; <c>--filter '*StepBenchmarks*'</c> runs both classes.
/// </summary>
[MemoryDiagnoser]
public class GeneratedStepBenchmarks
{
    private IGeneratedCase _case = null!;

    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "5b";

    [ParamsSource(nameof(DTypes))]
    public string DType { get; set; } = "float32";

    public static IEnumerable<string> Shapes => StepBenchmarks.Shapes;

    public static IEnumerable<string> DTypes => StepBenchmarks.DTypes;

    [GlobalSetup]
    public void Setup()
    {
        int[] shape = Shape == "5b" ? [1, 13, 16, 60, 90] : [1, 21, 16, 96, 170];
        _case = DType switch
        {
            "float32" => new GeneratedCase<float, float>(shape),
            "float64" => new GeneratedCase<double, double>(shape),
            "float16" => new GeneratedCase<Half, Half>(shape),
            "bfloat16" => new GeneratedCase<BFloat16, BFloat16>(shape),
            "bfloat16/float32" => new GeneratedCase<BFloat16, float>(shape),
            "float16/float32" => new GeneratedCase<Half, float>(shape),
            _ => throw new ArgumentException($"unknown dtype {DType}"),
        };
    }

    [Benchmark(Baseline = true, Description = "simd")]
    public void Simd() => _case.Simd();

    [Benchmark(Description = "generated")]
    public void Generated() => _case.Generated();

    private interface IGeneratedCase
    {
        void Simd();

        void Generated();
    }

    private sealed class GeneratedCase<TSample, TModel> : IGeneratedCase
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        private readonly SimdScheduler<double> _simd;
        private readonly CogVideoX5b.Scheduler _generated;
        private readonly long _timestep;
        private readonly TSample[] _sample;
        private readonly TModel[] _modelOutput;
        private readonly TModel[] _prev;
        private readonly TModel[] _original;

        public GeneratedCase(int[] shape)
        {
            var elements = shape.Aggregate(1, (x, y) => x * y);
            var random = new Random(20_250_101);
            _sample = Normal<TSample>(random, elements);
            _modelOutput = Normal<TModel>(random, elements);
            _prev = new TModel[elements];
            _original = new TModel[elements];
            if (!CogVideoX5b.Config.Equals(StepBenchmarks.CogVideoXConfig))
            {
                throw new InvalidOperationException("the generated CogVideoX5b config is not the benchmark's CogVideoX config");
            }

            _simd = new SimdScheduler<double>(StepBenchmarks.CogVideoXConfig, SemanticsProfile.Torch2Cpu) { MaxThreads = StepBenchmarks.Threads };
            _simd.SetTimesteps(50);
            _generated = new CogVideoX5b.Scheduler { MaxThreads = StepBenchmarks.Threads };
            _generated.SetTimesteps(50);
            _timestep = _simd.Timesteps[25];
        }

        public void Simd() => _simd.Step<TSample, TModel>(_modelOutput, _timestep, _sample, _prev, _original);

        public void Generated() => _generated.Step<TSample, TModel>(_modelOutput, _timestep, _sample, _prev, _original);

        private static T[] Normal<T>(Random random, int length)
            where T : IFloatingPointIeee754<T>
        {
            var values = new T[length];
            for (var i = 0; i < length; i++)
            {
                values[i] = T.CreateTruncating(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            }

            return values;
        }
    }
}
