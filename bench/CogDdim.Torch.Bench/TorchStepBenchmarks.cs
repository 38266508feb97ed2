using BenchmarkDotNet.Attributes;
using CogDdim.Config;
using CogDdim.Fixtures;
using CogDdim.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Torch.Bench;

/// <summary>
/// One <c>step</c> on a CogVideoX-5b latent, [1, 13, 16, 60, 90] (1,123,200 elements), on the CPU, with the
/// CogVideoX-5b config (v_prediction, float64 table, trailing spacing, 50 steps), at a middle timestep.
/// The baseline is the exact mode; <see cref="FastFused"/> is the opt-in fused mode.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
public class TorchStepBenchmarks
{
    private TorchScheduler _exact = null!;
    private TorchScheduler _fast = null!;
    private Tensor _sample = null!;
    private Tensor _modelOutput = null!;
    private long _timestep;

    /// <summary>Sample dtype, or sample/model-output dtypes as the CogVideoX pipeline passes them.</summary>
    [Params("float64", "float32", "float16", "bfloat16", "bfloat16/float32")]
    public string DType { get; set; } = "float32";

    [GlobalSetup]
    public void Setup()
    {
        var config = CogVideoX5bConfig();
        _exact = new TorchScheduler(config);
        _fast = new TorchScheduler(config, new TorchSchedulerOptions { Mode = TorchStepMode.FastFused });
        _exact.SetTimesteps(50);
        _fast.SetTimesteps(50);
        _timestep = _exact.Timesteps[25];
        var parts = DType.Split('/');
        manual_seed(0);
        _sample = randn([1, 13, 16, 60, 90], ScalarType.Float64).to_type(ScalarTypeOf(parts[0])).DetachFromDisposeScope();
        _modelOutput = randn([1, 13, 16, 60, 90], ScalarType.Float64).to_type(ScalarTypeOf(parts[^1])).DetachFromDisposeScope();
        // The first step of each mode builds its cached scalars.
        _exact.Step(_modelOutput, _timestep, _sample).Dispose();
        _fast.Step(_modelOutput, _timestep, _sample).Dispose();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _exact.Dispose();
        _fast.Dispose();
        _sample.Dispose();
        _modelOutput.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void Exact()
    {
        using var result = _exact.Step(_modelOutput, _timestep, _sample);
    }

    [Benchmark]
    public void FastFused()
    {
        using var result = _fast.Step(_modelOutput, _timestep, _sample);
    }

    /// <summary>The cogvideox-5b suite's config (diffusers' CogVideoX-5b scheduler_config.json).</summary>
    public static SchedulerConfig CogVideoX5bConfig()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "fixtures", "diffusers-0.37.0", "torch-2.6-cpu", "cogvideox-5b.json");
            if (File.Exists(path))
            {
                return FixtureReader.ReadFile(path).Config;
            }
        }

        throw new FileNotFoundException("fixtures/diffusers-0.37.0/torch-2.6-cpu/cogvideox-5b.json not found above " + AppContext.BaseDirectory);
    }

    private static ScalarType ScalarTypeOf(string name) => CogDdim.Tensors.DTypes.Parse(name).ToScalarType();
}
