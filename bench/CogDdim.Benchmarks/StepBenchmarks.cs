using System.Numerics;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using CogDdim.Config;
using BFloat16 = CogDdim.Numerics.BFloat16;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Simd;
using CogDdim.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Benchmarks;

/// <summary>
/// One scheduler step (CogVideoX-5b config: v_prediction, zero-SNR rescale, trailing spacing; a middle timestep) on
/// the CogVideoX-5b and CogVideoX 1.5 latent shapes, per backend and dtype. The baseline is a copy-triad over the
/// same bytes with the same threads (<see cref="CopyTriad"/>), so the Ratio column is "times the memory floor".
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private IStepCase _case = null!;

    /// <summary>The shapes: "5b" and "1.5", or those in COGDDIM_BENCH_SHAPES (comma-separated).</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "5b";

    /// <summary>The dtypes (sample/model output), or those in COGDDIM_BENCH_DTYPES (comma-separated).</summary>
    [ParamsSource(nameof(DTypes))]
    public string DType { get; set; } = "float32";

    public static IEnumerable<string> Shapes => FromEnvironment("COGDDIM_BENCH_SHAPES", ["5b", "1.5"]);

    public static IEnumerable<string> DTypes => FromEnvironment("COGDDIM_BENCH_DTYPES", ["float32", "float64", "float16", "bfloat16", "bfloat16/float32"]);

    /// <summary>Threads for simd, the copy-triad and torch (default: every logical processor).</summary>
    public static int Threads { get; } = int.TryParse(Environment.GetEnvironmentVariable("COGDDIM_BENCH_THREADS"), out var n) && n > 0 ? n : Environment.ProcessorCount;

    public static SchedulerConfig CogVideoXConfig { get; } = new()
    {
        PredictionType = PredictionType.VPrediction,
        RescaleBetasZeroSnr = true,
        SnrShiftScale = 1.0,
        TimestepSpacing = TimestepSpacing.Trailing,
        ClipSample = false,
    };

    private static string[] FromEnvironment(string name, string[] all) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : all;

    [GlobalSetup]
    public void Setup()
    {
        int[] shape = Shape == "5b" ? [1, 13, 16, 60, 90] : [1, 21, 16, 96, 170];
        _case = DType switch
        {
            "float32" => new StepCase<float, float>(shape, ScalarType.Float32, ScalarType.Float32),
            "float64" => new StepCase<double, double>(shape, ScalarType.Float64, ScalarType.Float64),
            "float16" => new StepCase<Half, Half>(shape, ScalarType.Float16, ScalarType.Float16),
            "bfloat16" => new StepCase<BFloat16, BFloat16>(shape, ScalarType.BFloat16, ScalarType.BFloat16),
            "bfloat16/float32" => new StepCase<BFloat16, float>(shape, ScalarType.BFloat16, ScalarType.Float32),
            _ => throw new ArgumentException($"unknown dtype {DType}"),
        };
    }

    [GlobalCleanup]
    public void Cleanup() => (_case as IDisposable)?.Dispose();

    [Benchmark(Baseline = true, Description = "copy-triad")]
    public void CopyTriadBaseline() => _case.CopyTriad();

    [Benchmark(Description = "simd")]
    public void Simd() => _case.Simd();

    [Benchmark(Description = "reference")]
    public void Reference() => _case.Reference();

    /// <summary>
    /// diffusers' op sequence for a v_prediction step, op for op, on TorchSharp CPU tensors (0-dim float64 scalars
    /// from the float64 table, a fresh tensor per op): what diffusers does, minus Python.
    /// </summary>
    [Benchmark(Description = "torchsharp-ops")]
    public void TorchSharpOps() => _case.TorchOps();

    /// <summary>Our TorchSharp backend (src/CogDdim.Torch) on the CPU, in its default, bit-exact mode.</summary>
    [Benchmark(Description = "torch")]
    public void Torch() => _case.TorchBackend();

    private interface IStepCase
    {
        void CopyTriad();

        void Simd();

        void Reference();

        void TorchOps();

        void TorchBackend();
    }

    private sealed class StepCase<TSample, TModel> : IStepCase, IDisposable
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        private readonly ReferenceScheduler<double> _reference;
        private readonly SimdScheduler<double> _simd;
        private readonly long _timestep;
        private readonly TSample[] _sample;
        private readonly TModel[] _modelOutput;
        private readonly TModel[] _prev;
        private readonly TModel[] _original;
        private readonly float[] _a;
        private readonly float[] _b;
        private readonly float[] _c;
        private readonly float[] _d;
        private readonly Tensor _alphasCumprod;
        private readonly Tensor _finalAlphaCumprod;
        private readonly Tensor _torchSample;
        private readonly Tensor _torchModelOutput;
        private readonly TorchScheduler _torch;

        public StepCase(int[] shape, ScalarType sampleType, ScalarType modelType)
        {
            var elements = shape.Aggregate(1, (x, y) => x * y);
            var random = new Random(20_250_101);
            _sample = Normal<TSample>(random, elements);
            _modelOutput = Normal<TModel>(random, elements);
            _prev = new TModel[elements];
            _original = new TModel[elements];
            _reference = new ReferenceScheduler<double>(CogVideoXConfig, SemanticsProfile.Torch2Cpu);
            _reference.SetTimesteps(50);
            _timestep = _reference.Timesteps[25];
            _simd = new SimdScheduler<double>(_reference.Schedule) { MaxThreads = Threads };

            var bytes = (long)elements * (Unsafe.SizeOf<TSample>() + (3 * Unsafe.SizeOf<TModel>()));
            var floats = (int)(bytes / 16);
            _a = new float[floats];
            _b = new float[floats];
            _c = new float[floats];
            _d = new float[floats];
            Array.Fill(_a, 1.5f);
            Array.Fill(_b, 0.25f);

            torch.set_num_threads(Threads);
            _alphasCumprod = torch.tensor(_reference.AlphasCumprod, ScalarType.Float64);
            _finalAlphaCumprod = torch.tensor(1.0f);
            var longShape = shape.Select(n => (long)n).ToArray();
            _torchSample = torch.randn(longShape, ScalarType.Float32).to(sampleType);
            _torchModelOutput = torch.randn(longShape, ScalarType.Float32).to(modelType);
            _torch = new TorchScheduler(CogVideoXConfig);
            _torch.SetTimesteps(50);
        }

        public void CopyTriad() => CogDdim.Simd.CopyTriad.Run(_a, _b, _c, _d, 0.5f, Threads);

        public void Simd() => _simd.Step<TSample, TModel>(_modelOutput, _timestep, _sample, _prev, _original);

        public void Reference() => _reference.Step<TSample, TModel>(_modelOutput, _timestep, _sample, _prev, _original);

        public void TorchOps()
        {
            using var scope = torch.NewDisposeScope();
            var prevTimestep = _timestep - (CogVideoXConfig.NumTrainTimesteps / 50);
            var alphaProd = _alphasCumprod[_timestep];
            var alphaProdPrev = prevTimestep >= 0 ? _alphasCumprod[prevTimestep] : _finalAlphaCumprod;
            var betaProd = 1 - alphaProd;
            var original = (alphaProd.pow(0.5) * _torchSample) - (betaProd.pow(0.5) * _torchModelOutput);
            var at = ((1 - alphaProdPrev) / (1 - alphaProd)).pow(0.5);
            var bt = alphaProdPrev.pow(0.5) - (alphaProd.pow(0.5) * at);
            var prev = (at * _torchSample) + (bt * original);
            GC.KeepAlive(prev);
        }

        public void TorchBackend()
        {
            using var output = _torch.Step(_torchModelOutput, _timestep, _torchSample);
        }

        public void Dispose()
        {
            _torch.Dispose();
            _alphasCumprod.Dispose();
            _finalAlphaCumprod.Dispose();
            _torchSample.Dispose();
            _torchModelOutput.Dispose();
        }

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
