using BenchmarkDotNet.Attributes;
using CogDdim.Rng;
using TorchSharp;
using BFloat16 = CogDdim.Numerics.BFloat16;

namespace CogDdim.Benchmarks;

/// <summary>
/// <c>torch.randn(1, 13, 16, 60, 90)</c> (the CogVideoX-5b latent, 1,123,200 elements) from a seeded CPU generator:
/// <see cref="TorchGenerator"/> into a preallocated array against TorchSharp's <c>torch.randn</c> with a
/// <c>torch.Generator</c> (libtorch 2.10; allocates its tensor, as Python's <c>torch.randn</c> does). Both are single
/// threaded (mt19937 is sequential; torch's normal_ takes the generator's lock and runs on one thread). For Python's
/// torch.randn in the same window see bench/randn_timing.py. COGDDIM_BENCH_DTYPES narrows the dtypes.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class RandnBenchmarks
{
    private static readonly long[] Shape = [1, 13, 16, 60, 90];
    private static readonly int[] ShapeInt = [1, 13, 16, 60, 90];
    private const int Count = 1 * 13 * 16 * 60 * 90;

    private readonly TorchGenerator _generator = new(42);
    private torch.Generator _torchGenerator = null!;
    private float[] _float32 = [];
    private BFloat16[] _bfloat16 = [];
    private Half[] _float16 = [];
    private double[] _float64 = [];

    [ParamsSource(nameof(DTypes))]
    public string DType { get; set; } = "float32";

    public static IEnumerable<string> DTypes =>
        Environment.GetEnvironmentVariable("COGDDIM_BENCH_DTYPES") is { Length: > 0 } value
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : ["float32", "bfloat16", "float16", "float64"];

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(1);
        _torchGenerator = new torch.Generator(42, torch.CPU);
        _float32 = new float[Count];
        _bfloat16 = new BFloat16[Count];
        _float16 = new Half[Count];
        _float64 = new double[Count];
    }

    [GlobalCleanup]
    public void Cleanup() => _torchGenerator.Dispose();

    [Benchmark(Baseline = true, Description = "torch.randn (TorchSharp)")]
    public long Torch()
    {
        var type = DType switch
        {
            "float32" => torch.ScalarType.Float32,
            "bfloat16" => torch.ScalarType.BFloat16,
            "float16" => torch.ScalarType.Float16,
            _ => torch.ScalarType.Float64,
        };
        using var t = torch.randn(Shape, type, torch.CPU, generator: _torchGenerator);
        return t.numel();
    }

    [Benchmark(Description = "TorchGenerator.Randn")]
    public int Ours()
    {
        switch (DType)
        {
            case "float32": _generator.Randn(_float32.AsSpan()); return _float32.Length;
            case "bfloat16": _generator.Randn(_bfloat16.AsSpan()); return _bfloat16.Length;
            case "float16": _generator.Randn(_float16.AsSpan()); return _float16.Length;
            default: _generator.Randn(_float64.AsSpan()); return _float64.Length;
        }
    }

    /// <summary>A new array per call, as Python's <c>torch.randn</c> allocates a new tensor.</summary>
    [Benchmark(Description = "TorchGenerator.RandnArray (allocates)")]
    public int OursAllocating() => DType switch
    {
        "float32" => _generator.RandnArray<float>(ShapeInt).Length,
        "bfloat16" => _generator.RandnArray<BFloat16>(ShapeInt).Length,
        "float16" => _generator.RandnArray<Half>(ShapeInt).Length,
        _ => _generator.RandnArray<double>(ShapeInt).Length,
    };
}
