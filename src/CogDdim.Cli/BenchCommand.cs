using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Reflection;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Simd;
using CogDdim.Tensors;
using CogDdim.Torch;

namespace CogDdim.Cli;

/// <summary>
/// <c>cogddim bench</c>: the median time of one <c>step</c> per backend and dtype on the CogVideoX latent shapes, with
/// the achieved GB/s and a copy-triad over the same bytes measured in the same run (the memory-bandwidth floor).
/// For BenchmarkDotNet statistics use bench/CogDdim.Benchmarks; this command is the quick look.
/// </summary>
public static class BenchCommand
{
    public const string Usage = """
        usage: cogddim bench [--shape 5b|1.5|all] [--dtype LIST] [--backend LIST] [--threads N] [--iterations N] [--step N] [--cast]
               cogddim bench --widths

        Times one scheduler step (CogVideoX-5b config: v_prediction, zero-SNR rescale, trailing spacing, 50 steps, the
        middle timestep unless --step says otherwise) on preallocated buffers and prints, per shape, dtype and backend, the median time, the GB/s moved
        (sample + model output read, prev_sample + pred_original_sample written) and the ratio to a copy-triad over
        the same bytes with the same threads (c = a + k*b, d = b), measured in the same run.
          --shape SHAPE     5b = [1, 13, 16, 60, 90], 1.5 = [1, 21, 16, 96, 170], all (default)
          --dtype LIST      comma-separated from float32, float64, float16, bfloat16, bfloat16/float32, float16/float32
                            (sample/model output); default: all six
          --backend LIST    comma-separated from reference, simd, generated, torch (default: reference,simd,generated);
                            generated is the scheduler compiled from the CogVideoX-5b config; torch is our TorchSharp
                            backend (CogDdim.Torch TorchScheduler, exact mode) on CPU tensors
          --threads N       threads for simd, generated, torch and the copy-triad (default: every logical processor)
          --iterations N    timed steps per measurement (default 30; the reference stops after about 3 s)
          --step N          which of the 50 timesteps, 0 (t=999, the first) to 49 (t=19, the last); default 25 (t=499)
          --cast            also time LatentCast (float32 <-> bfloat16/float16) against a float32 copy of the
                            same element count (Span.CopyTo on the same threads' worth: one thread)
          --widths          only print which vector widths the simd loops use in this process, and exit
        Run it from a Release build: dotnet run -c Release --project src/CogDdim.Cli -- bench
        """;

    private static readonly (string Name, int[] Shape)[] Shapes =
    [
        ("5b", [1, 13, 16, 60, 90]),
        ("1.5", [1, 21, 16, 96, 170]),
    ];

    private static readonly string[] AllDTypes = ["float32", "float64", "float16", "bfloat16", "bfloat16/float32", "float16/float32"];
    private static readonly string[] AllBackends = ["reference", "simd", "generated", "torch"];
    private static readonly string[] DefaultBackends = ["reference", "simd", "generated"];

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var options = CommandLine.Parse(args, ["shape", "dtype", "backend", "threads", "iterations", "step"], ["help", "widths", "cast"]);
        if (options.Flag("help"))
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        if (options.Flag("widths"))
        {
            stdout.WriteLine(VectorWidths.Describe());
            return 0;
        }

        var shapeChoice = options.Choice("shape", "all", "5b", "1.5", "all");
        var dtypes = List(options, "dtype", AllDTypes);
        var backends = List(options, "backend", AllBackends, DefaultBackends);
        var threads = PositiveInt(options, "threads", Environment.ProcessorCount);
        var iterations = PositiveInt(options, "iterations", 30);
        var step = StepIndex(options);

        stdout.WriteLine(VectorWidths.Describe() + string.Create(CultureInfo.InvariantCulture, $"; simd and copy-triad threads: {threads}"));
        if (typeof(ReferenceScheduler<>).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
        {
            stdout.WriteLine("warning: this is a Debug build (the reference loops run unoptimized); use dotnet run -c Release");
        }

        foreach (var (name, shape) in Shapes.Where(s => shapeChoice == "all" || s.Name == shapeChoice))
        {
            var elements = HostTensor.ElementCount(shape);
            stdout.WriteLine();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CogVideoX {name} latents [{string.Join(", ", shape)}]: {elements:N0} elements; step {step} of 50, t={StepTimestep(step)}"));
            stdout.WriteLine($"{"dtype",-17} {"backend",-11} {"median ms",10} {"GB/s",7} {"x copy-triad",13} {"x faster than reference",24}");
            foreach (var dtype in dtypes)
            {
                foreach (var row in Measure(dtype, elements, backends, threads, iterations, step))
                {
                    stdout.WriteLine(row);
                }
            }

            if (options.Flag("cast"))
            {
                stdout.WriteLine($"{"cast (latents.to)",-17} {"",-11} {"median ms",10} {"GB/s",7} {"x copy",13}");
                foreach (var row in MeasureCasts(elements, threads, iterations))
                {
                    stdout.WriteLine(row);
                }
            }
        }

        return 0;
    }

    private static IEnumerable<string> Measure(string dtype, int elements, IReadOnlyList<string> backends, int threads, int iterations, int stepIndex) => dtype switch
    {
        "float32" => Measure<float, float>(dtype, elements, backends, threads, iterations, stepIndex),
        "float64" => Measure<double, double>(dtype, elements, backends, threads, iterations, stepIndex),
        "float16" => Measure<Half, Half>(dtype, elements, backends, threads, iterations, stepIndex),
        "bfloat16" => Measure<BFloat16, BFloat16>(dtype, elements, backends, threads, iterations, stepIndex),
        "bfloat16/float32" => Measure<BFloat16, float>(dtype, elements, backends, threads, iterations, stepIndex),
        "float16/float32" => Measure<Half, float>(dtype, elements, backends, threads, iterations, stepIndex),
        _ => throw new UsageException($"--dtype {dtype}: expected one of {string.Join(", ", AllDTypes)}"),
    };

    /// <summary>The CogVideoX-5b scheduler config (also CogVideoX 1.5's).</summary>
    public static SchedulerConfig CogVideoXConfig { get; } = new()
    {
        PredictionType = PredictionType.VPrediction,
        RescaleBetasZeroSnr = true,
        SnrShiftScale = 1.0,
        TimestepSpacing = TimestepSpacing.Trailing,
        ClipSample = false,
    };

    private static List<string> Measure<TSample, TModel>(string dtype, int elements, IReadOnlyList<string> backends, int threads, int iterations, int stepIndex)
        where TSample : unmanaged, IFloatingPointIeee754<TSample>
        where TModel : unmanaged, IFloatingPointIeee754<TModel>
    {
        var random = new Random(20_250_101);
        var sample = RandomValues<TSample>(random, elements);
        var modelOutput = RandomValues<TModel>(random, elements);
        var prev = new TModel[elements];
        var original = new TModel[elements];
        var bytes = (long)elements * ((System.Runtime.CompilerServices.Unsafe.SizeOf<TSample>()) + (3 * System.Runtime.CompilerServices.Unsafe.SizeOf<TModel>()));

        var reference = new ReferenceScheduler<double>(CogVideoXConfig, SemanticsProfile.Torch2Cpu);
        reference.SetTimesteps(50);
        var timestep = reference.Timesteps[stepIndex];
        var simd = new SimdScheduler<double>(reference.Schedule) { MaxThreads = threads };
        var generated = new CogDdim.Cli.Generated.Fixtures.Diffusers0370Torch26CpuCogvideox5b.Scheduler { MaxThreads = threads }; // compiled from the 5b fixture's config
        generated.SetTimesteps(50);

        // The copy-triad moves the same bytes: two buffers read, two written, each as long as a step's (the two
        // reads may differ in size for a mixed dtype; the baseline uses their mean, so its byte count is the step's).
        var floats = (int)(bytes / 4 / 4);
        var a = new float[floats];
        var b = new float[floats];
        var c = new float[floats];
        var d = new float[floats];
        random.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));
        random.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan()));
        var triad = Median(() => CopyTriad.Run(a, b, c, d, 0.5f, threads), iterations, double.MaxValue);

        var rows = new List<string> { Row(dtype, "copy-triad", triad, bytes, triad, null) };
        double? referenceTime = null;
        foreach (var backend in backends)
        {
            using var torchCase = backend == "torch" ? TorchCase.Create(sample, modelOutput, timestep, threads) : null;
            Action step = backend switch
            {
                "reference" => () => reference.Step<TSample, TModel>(modelOutput, timestep, sample, prev, original),
                "simd" => () => simd.Step<TSample, TModel>(modelOutput, timestep, sample, prev, original),
                "generated" => () => generated.Step<TSample, TModel>(modelOutput, timestep, sample, prev, original),
                "torch" => torchCase!.Step,
                _ => throw new UsageException($"--backend {backend}: expected one of {string.Join(", ", AllBackends)}"),
            };
            var time = Median(step, iterations, backend == "reference" ? 3.0 : double.MaxValue);
            if (backend == "reference")
            {
                referenceTime = time;
            }

            rows.Add(Row(dtype, backend, time, bytes, triad, referenceTime is { } r && backend != "reference" ? r / time : null));
        }

        return rows;
    }

    /// <summary>Our TorchSharp backend (exact mode) on CPU tensors holding the same values; each step's results are disposed.</summary>
    private sealed class TorchCase : IDisposable
    {
        private readonly CogDdim.Torch.TorchScheduler _scheduler;
        private readonly TorchSharp.torch.Tensor _sample;
        private readonly TorchSharp.torch.Tensor _modelOutput;
        private readonly long _timestep;

        private TorchCase(TorchSharp.torch.Tensor sample, TorchSharp.torch.Tensor modelOutput, long timestep, int threads)
        {
            TorchSharp.torch.set_num_threads(threads);
            _scheduler = new CogDdim.Torch.TorchScheduler(CogVideoXConfig);
            _scheduler.SetTimesteps(50);
            _sample = sample;
            _modelOutput = modelOutput;
            _timestep = timestep;
        }

        public static TorchCase Create<TSample, TModel>(TSample[] sample, TModel[] modelOutput, long timestep, int threads)
            where TSample : unmanaged
            where TModel : unmanaged =>
            new(Tensor(sample), Tensor(modelOutput), timestep, threads);

        public void Step()
        {
            using var output = _scheduler.Step(_modelOutput, _timestep, _sample);
        }

        public void Dispose()
        {
            _scheduler.Dispose();
            _sample.Dispose();
            _modelOutput.Dispose();
        }

        private static TorchSharp.torch.Tensor Tensor<T>(T[] values)
            where T : unmanaged
        {
            var tensor = TorchSharp.torch.empty([values.Length], DTypes.Of<T>()!.Value.ToScalarType());
            tensor.bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            return tensor;
        }
    }

    /// <summary>LatentCast on one thread against a one-thread float32 copy of as many elements (bytes: read + written).</summary>
    private static List<string> MeasureCasts(int elements, int threads, int iterations)
    {
        var random = new Random(20_250_102);
        var floats = RandomValues<float>(random, elements);
        var copy = new float[elements];
        var bfloats = new BFloat16[elements];
        var halves = new Half[elements];
        var widened = new float[elements];
        var copyTime = Median(() => floats.AsSpan().CopyTo(copy), iterations, double.MaxValue);
        var rows = new List<string> { CastRow("copy float32", copyTime, elements * 8L, copyTime) };
        LatentCast.ToBFloat16(floats, bfloats);
        LatentCast.ToHalf(floats, halves);
        rows.Add(CastRow("float32->bfloat16", Median(() => LatentCast.ToBFloat16(floats, bfloats, 1), iterations, double.MaxValue), elements * 6L, copyTime));
        rows.Add(CastRow("float32->float16", Median(() => LatentCast.ToHalf(floats, halves, 1), iterations, double.MaxValue), elements * 6L, copyTime));
        rows.Add(CastRow("bfloat16->float32", Median(() => LatentCast.ToSingle(bfloats, widened, 1), iterations, double.MaxValue), elements * 6L, copyTime));
        rows.Add(CastRow("float16->float32", Median(() => LatentCast.ToSingle(halves, widened, 1), iterations, double.MaxValue), elements * 6L, copyTime));
        if (threads > 1)
        {
            rows.Add(CastRow($"f32->bf16 {threads} thr", Median(() => LatentCast.ToBFloat16(floats, bfloats, threads), iterations, double.MaxValue), elements * 6L, copyTime));
            rows.Add(CastRow($"f32->f16 {threads} thr", Median(() => LatentCast.ToHalf(floats, halves, threads), iterations, double.MaxValue), elements * 6L, copyTime));
        }

        return rows;
    }

    private static string CastRow(string what, double seconds, long bytes, double copy) =>
        string.Create(CultureInfo.InvariantCulture, $"{what,-29} {seconds * 1e3,10:F3} {bytes / seconds / 1e9,7:F1} {seconds / copy,13:F2}");

    private static string Row(string dtype, string backend, double seconds, long bytes, double triad, double? speedup) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{dtype,-17} {backend,-11} {seconds * 1e3,10:F3} {bytes / seconds / 1e9,7:F1} {seconds / triad,13:F2} {(speedup is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) : "-"),24}");

    /// <summary>The median of up to <paramref name="iterations"/> timed runs after two warm-up runs, stopping early after <paramref name="budgetSeconds"/> (at least 3 runs).</summary>
    public static double Median(Action run, int iterations, double budgetSeconds)
    {
        run();
        run();
        var times = new List<double>(iterations);
        var total = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            run();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            if (times.Count >= 3 && total.Elapsed.TotalSeconds > budgetSeconds)
            {
                break;
            }
        }

        times.Sort();
        return times.Count % 2 == 1 ? times[times.Count / 2] : (times[(times.Count / 2) - 1] + times[times.Count / 2]) / 2;
    }

    /// <summary>Standard normal values, as latents and model outputs are.</summary>
    private static T[] RandomValues<T>(Random random, int length)
        where T : IFloatingPointIeee754<T>
    {
        var values = new T[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = T.CreateTruncating(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return values;
    }

    private static List<string> List(CommandLine options, string name, string[] allowed, string[]? defaults = null)
    {
        var value = options.Value(name);
        if (value is null)
        {
            return [.. defaults ?? allowed];
        }

        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        foreach (var item in items.Where(i => !allowed.Contains(i, StringComparer.Ordinal)))
        {
            throw new UsageException($"--{name} {item}: expected one of {string.Join(", ", allowed)}");
        }

        return items;
    }

    private static long StepTimestep(int step)
    {
        var schedule = new DdimSchedule<double>(CogVideoXConfig, SemanticsProfile.Torch2Cpu);
        schedule.SetTimesteps(50);
        return schedule.Timesteps[step];
    }

    /// <summary>--step: an index into the 50 timesteps (0 to 49), 25 when absent.</summary>
    private static int StepIndex(CommandLine options)
    {
        var value = options.Value("step");
        if (value is null)
        {
            return 25;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < 50
            ? n
            : throw new UsageException($"--step {value}: expected a timestep index from 0 to 49 (of the 50 steps)");
    }

    private static int PositiveInt(CommandLine options, string name, int fallback)
    {
        var value = options.Value(name);
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new UsageException($"--{name} {value}: expected a positive integer");
    }
}
