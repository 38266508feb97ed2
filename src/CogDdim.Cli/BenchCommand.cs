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

namespace CogDdim.Cli;

/// <summary>
/// <c>cogddim bench</c>: the median time of one <c>step</c> per backend and dtype on the CogVideoX latent shapes, with
/// the achieved GB/s and a copy-triad over the same bytes measured in the same run (the memory-bandwidth floor).
/// For BenchmarkDotNet statistics use bench/CogDdim.Benchmarks; this command is the quick look.
/// </summary>
public static class BenchCommand
{
    public const string Usage = """
        usage: cogddim bench [--shape 5b|1.5|all] [--dtype LIST] [--backend LIST] [--threads N] [--iterations N]
               cogddim bench --widths

        Times one scheduler step (CogVideoX-5b config: v_prediction, zero-SNR rescale, trailing spacing, a middle
        timestep) on preallocated buffers and prints, per shape, dtype and backend, the median time, the GB/s moved
        (sample + model output read, prev_sample + pred_original_sample written) and the ratio to a copy-triad over
        the same bytes with the same threads (c = a + k*b, d = b), measured in the same run.
          --shape SHAPE     5b = [1, 13, 16, 60, 90], 1.5 = [1, 21, 16, 96, 170], all (default)
          --dtype LIST      comma-separated from float32, float64, float16, bfloat16, bfloat16/float32, float16/float32
                            (sample/model output); default: all six
          --backend LIST    comma-separated from reference, simd, generated (default: all three)
          --threads N       threads for simd and the copy-triad (default: every logical processor)
          --iterations N    timed steps per measurement (default 30; the reference stops after about 3 s)
          --widths          only print which vector widths the simd loops use in this process, and exit
        Run it from a Release build: dotnet run -c Release --project src/CogDdim.Cli -- bench
        """;

    private static readonly (string Name, int[] Shape)[] Shapes =
    [
        ("5b", [1, 13, 16, 60, 90]),
        ("1.5", [1, 21, 16, 96, 170]),
    ];

    private static readonly string[] AllDTypes = ["float32", "float64", "float16", "bfloat16", "bfloat16/float32", "float16/float32"];
    private static readonly string[] AllBackends = ["reference", "simd", "generated"];

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var options = CommandLine.Parse(args, ["shape", "dtype", "backend", "threads", "iterations"], ["help", "widths"]);
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
        var backends = List(options, "backend", AllBackends);
        var threads = PositiveInt(options, "threads", Environment.ProcessorCount);
        var iterations = PositiveInt(options, "iterations", 30);

        stdout.WriteLine(VectorWidths.Describe() + string.Create(CultureInfo.InvariantCulture, $"; simd and copy-triad threads: {threads}"));
        if (typeof(ReferenceScheduler<>).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true)
        {
            stdout.WriteLine("warning: this is a Debug build (the reference loops run unoptimized); use dotnet run -c Release");
        }

        foreach (var (name, shape) in Shapes.Where(s => shapeChoice == "all" || s.Name == shapeChoice))
        {
            var elements = HostTensor.ElementCount(shape);
            stdout.WriteLine();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CogVideoX {name} latents [{string.Join(", ", shape)}]: {elements:N0} elements"));
            stdout.WriteLine($"{"dtype",-17} {"backend",-11} {"median ms",10} {"GB/s",7} {"x copy-triad",13} {"x faster than reference",24}");
            foreach (var dtype in dtypes)
            {
                foreach (var row in Measure(dtype, elements, backends, threads, iterations))
                {
                    stdout.WriteLine(row);
                }
            }
        }

        return 0;
    }

    private static IEnumerable<string> Measure(string dtype, int elements, IReadOnlyList<string> backends, int threads, int iterations) => dtype switch
    {
        "float32" => Measure<float, float>(dtype, elements, backends, threads, iterations),
        "float64" => Measure<double, double>(dtype, elements, backends, threads, iterations),
        "float16" => Measure<Half, Half>(dtype, elements, backends, threads, iterations),
        "bfloat16" => Measure<BFloat16, BFloat16>(dtype, elements, backends, threads, iterations),
        "bfloat16/float32" => Measure<BFloat16, float>(dtype, elements, backends, threads, iterations),
        "float16/float32" => Measure<Half, float>(dtype, elements, backends, threads, iterations),
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

    private static List<string> Measure<TSample, TModel>(string dtype, int elements, IReadOnlyList<string> backends, int threads, int iterations)
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
        var timestep = reference.Timesteps[25];
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
            Action step = backend switch
            {
                "reference" => () => reference.Step<TSample, TModel>(modelOutput, timestep, sample, prev, original),
                "simd" => () => simd.Step<TSample, TModel>(modelOutput, timestep, sample, prev, original),
                "generated" => () => generated.Step<TSample, TModel>(modelOutput, timestep, sample, prev, original),

                // TorchSharp (issue 4, src/CogDdim.Torch): when it is on main, add "torch" here: build its scheduler
                // once (device cpu), make the tensors once, and time its Step on them (dispose each result).
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

    private static List<string> List(CommandLine options, string name, string[] allowed)
    {
        var value = options.Value(name);
        if (value is null)
        {
            return [.. allowed];
        }

        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        foreach (var item in items.Where(i => !allowed.Contains(i, StringComparer.Ordinal)))
        {
            throw new UsageException($"--{name} {item}: expected one of {string.Join(", ", allowed)}");
        }

        return items;
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
