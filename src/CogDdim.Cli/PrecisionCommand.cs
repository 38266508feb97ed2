using System.Collections.Immutable;
using System.Globalization;
using CogDdim.Config;
using CogDdim.Precision;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Cli;

/// <summary><c>cogddim precision</c>: what dtypes, torch builds and op order do to a trajectory, against a double-double oracle.</summary>
public static class PrecisionCommand
{
    public const string Usage = """
        usage: cogddim precision [--config NAME|FILE] [--scheduler ddim|dpm] [--steps N] [--shape D,D,...|--small] [--out DIR]
                                 [--dtypes LIST] [--profiles LIST] [--orders LIST] [--modes LIST]
                                 [--seed N] [--budget-ulp X] [--budget-rel X] [--threads N] [--no-plots]

        Runs the scheduler's trajectory from the same starting latents in every requested dtype x semantics profile
        x op order x pipeline mode, with a stand-in model (gaussian-denoiser-v1, see docs/precision.md), and measures
        every step against a double-double oracle (the reference backend run in double-double).
          --config NAME|FILE  cogvideox-2b, cogvideox-5b (default) or a scheduler_config.json
          --scheduler S       ddim (CogVideoXDDIMScheduler, default) or dpm (CogVideoXDPMScheduler: seeded bfloat16-exact
                              noise each step, the same for every run; diffusers' op order only)
          --steps N           inference steps (default 50)
          --shape D,D,...     latent shape (default 1,13,16,60,90, the CogVideoX-5b latent)
          --small             the test shape 1,2,4,16,16
          --dtypes LIST       of float64, float32, float16, bfloat16 (default all)
          --profiles LIST     of torch2-cpu, torch113-cpu, opmath (default all)
          --orders LIST       of diffusers, fused (default both)
          --modes LIST        of pure, pipeline (default both; pipeline: fp16/bf16 latents, float32 model output, cast back)
          --seed N            seeds the starting latents and the model's content (default 7)
          --budget-ulp X      a step is over budget when its median element error exceeds X ULPs (default 4)
          --budget-rel X      ... or its relative L2 error exceeds X (default 0.001)
          --threads N         worker threads (default: the processor count)
          --out DIR           write precision.csv, precision.json, plots (PNG, SVG) and report.md there
          --no-plots          skip the PNG and SVG plots
        Prints a summary table. Exit status: 0 done, 2 bad usage or unreadable config.
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var options = CommandLine.Parse(args,
            ["config", "scheduler", "steps", "shape", "out", "dtypes", "profiles", "orders", "modes", "seed", "budget-ulp", "budget-rel", "threads"],
            ["small", "no-plots", "help"]);
        if (options.Flag("help"))
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        if (options.Positionals.Count > 0)
        {
            throw new UsageException($"precision takes no positional arguments (got '{options.Positionals[0]}')");
        }

        var plan = ReadPlan(options, stderr);
        var showProgress = !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out);
        using var bar = showProgress ? new ProgressBar(stdout) : null;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"precision: {plan.ConfigName}{(plan.Scheduler == StudyScheduler.Dpm ? " (CogVideoXDPMScheduler)" : string.Empty)}, {plan.Steps} steps, shape [{string.Join(", ", plan.Shape)}] ({plan.ElementCount:N0} elements), {plan.Variants().Count} variants + oracle, {plan.Parallelism} threads"));
        var result = PrecisionStudy.Run(plan, bar is null ? null : bar.Report);
        bar?.Finish();
        stdout.Write(PrecisionReport.SummaryTable(result));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done in {result.Elapsed.TotalSeconds:F1} s"));
        if (options.Value("out") is { } outDir)
        {
            var written = PrecisionReport.WriteAll(result, outDir, plots: !options.Flag("no-plots"));
            stdout.WriteLine($"wrote {written.Count} files to {outDir}: {string.Join(", ", written.Select(Path.GetFileName))}");
        }

        return 0;
    }

    public static StudyPlan ReadPlan(CommandLine options) => ReadPlan(options, TextWriter.Null);

    /// <summary>The plan the options give; the config's warnings (a NaN schedule, say) are written to <paramref name="warnings"/>.</summary>
    public static StudyPlan ReadPlan(CommandLine options, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var configArg = options.Value("config") ?? "cogvideox-5b";
        SchedulerConfig config;
        string configName;
        if (BuiltInConfigs.ByName.TryGetValue(configArg, out var builtIn))
        {
            (config, configName) = (builtIn, configArg);
        }
        else if (File.Exists(configArg))
        {
            var loaded = SchedulerConfigReader.ReadFile(configArg);
            config = loaded.Config;
            foreach (var warning in loaded.Warnings)
            {
                warnings.WriteLine($"cogddim: warning: {configArg}: {warning}");
            }
            configName = Path.GetFileNameWithoutExtension(configArg);
        }
        else
        {
            throw new UsageException($"--config {configArg}: neither a built-in config ({string.Join(", ", BuiltInConfigs.ByName.Keys)}) nor an existing file");
        }

        var plan = new StudyPlan { ConfigName = configName, Config = config };
        if (options.Value("scheduler") is { } scheduler)
        {
            plan = plan with
            {
                Scheduler = scheduler switch
                {
                    "ddim" => StudyScheduler.Ddim,
                    "dpm" => StudyScheduler.Dpm,
                    _ => throw new UsageException($"--scheduler {scheduler}: expected ddim or dpm"),
                },
            };
        }

        if (options.Value("steps") is { } steps)
        {
            plan = plan with { Steps = PositiveInt("steps", steps) };
        }

        if (options.Flag("small") && options.Value("shape") is not null)
        {
            throw new UsageException("--small and --shape cannot both be given");
        }

        if (options.Flag("small"))
        {
            plan = plan with { Shape = StudyPlan.SmallShape };
        }
        else if (options.Value("shape") is { } shape)
        {
            plan = plan with { Shape = ParseShape(shape) };
        }

        plan = plan with
        {
            Dtypes = List(options, "dtypes", plan.Dtypes, DTypes.FloatingPoint.ToDictionary(d => d.Name())),
            Profiles = List(options, "profiles", plan.Profiles, SemanticsProfile.Named.ToDictionary(p => p.Name)),
            Orders = List(options, "orders", plan.Orders, Enum.GetValues<OpOrder>().ToDictionary(Variant.OrderName)),
            Modes = List(options, "modes", plan.Modes, Enum.GetValues<PipelineMode>().ToDictionary(Variant.ModeName)),
        };
        if (options.Value("seed") is { } seed)
        {
            plan = plan with
            {
                Seed = ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : throw new UsageException($"--seed {seed}: expected a non-negative integer"),
            };
        }

        if (options.Value("budget-ulp") is { } budgetUlp)
        {
            plan = plan with { UlpBudget = PositiveDouble("budget-ulp", budgetUlp) };
        }

        if (options.Value("budget-rel") is { } budgetRel)
        {
            plan = plan with { RelativeL2Budget = PositiveDouble("budget-rel", budgetRel) };
        }

        if (options.Value("threads") is { } threads)
        {
            plan = plan with { Parallelism = PositiveInt("threads", threads) };
        }

        if (plan.Steps > config.NumTrainTimesteps)
        {
            throw new UsageException($"--steps {plan.Steps}: more than the config's {config.NumTrainTimesteps} training timesteps");
        }

        CheckTimesteps(config, plan.Steps);
        if (plan.Variants().Count == 0)
        {
            throw new UsageException("the requested dtypes, profiles, orders and modes leave no variant to run (pipeline mode needs float16 or bfloat16)");
        }

        return plan;
    }

    /// <summary>
    /// Every timestep the study steps through must index the table: where one leaves it (a leading spacing whose
    /// steps_offset goes past the end, say), diffusers raises IndexError at that step, and the study is refused
    /// up front with that reason.
    /// </summary>
    private static void CheckTimesteps(SchedulerConfig config, int steps)
    {
        long[] timesteps;
        try
        {
            timesteps = CogDdim.Scheduling.InferenceTimesteps.Compute(config, steps);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--steps {steps}: set_timesteps fails for this config: {e.Message}");
        }

        var n = config.NumTrainTimesteps;
        foreach (var t in timesteps)
        {
            var prev = t - (n / steps);
            var outside = t < 0 || t >= n ? t : prev >= n ? prev : (long?)null;
            if (outside is { } bad)
            {
                var consequence = bad < 0 && bad >= -n
                    ? "diffusers would index from the end (Python's negative index), which the study does not model"
                    : "diffusers raises IndexError at that step";
                throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                    $"--steps {steps}: this config's timesteps leave the table of {n} training timesteps (timestep {bad}, steps_offset {config.StepsOffset}, {config.TimestepSpacing.Name()} spacing): {consequence}"));
            }
        }
    }

    private static ImmutableArray<int> ParseShape(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var dims = new int[parts.Length];
        long count = 1;
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] <= 0)
            {
                throw new UsageException($"--shape {text}: dimension {i} ('{parts[i]}') is not a positive integer");
            }

            count *= dims[i];
        }

        return count > 100_000_000
            ? throw new UsageException($"--shape {text}: {count:N0} elements is more than this tool handles (100,000,000)")
            : [.. dims];
    }

    /// <summary>A comma-separated <c>--name a,b</c> list of <paramref name="choices"/>' names, or the fallback.</summary>
    private static ImmutableArray<T> List<T>(CommandLine options, string name, ImmutableArray<T> fallback, IReadOnlyDictionary<string, T> choices)
    {
        if (options.Value(name) is not { } text)
        {
            return fallback;
        }

        return [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(item => choices.TryGetValue(item, out var value)
                ? value
                : throw new UsageException($"--{name}: unknown value '{item}'; expected one of {string.Join(", ", choices.Keys)}"))
            .Distinct()];
    }

    private static int PositiveInt(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"--{name} {text}: expected a positive integer");

    private static double PositiveDouble(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? value
            : throw new UsageException($"--{name} {text}: expected a positive number");
}

/// <summary>A one-line progress bar redrawn in place (only drawn when stdout is a terminal).</summary>
public sealed class ProgressBar(TextWriter output) : IDisposable
{
    private const int Width = 40;
    private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
    private readonly object _gate = new();
    private int _lastDrawn = -1;
    private bool _finished;

    public void Report(int done, int total)
    {
        lock (_gate)
        {
            var filled = total == 0 ? Width : (int)((long)done * Width / total);
            var percent = total == 0 ? 100 : (int)((long)done * 100 / total);
            if (percent == _lastDrawn || _finished)
            {
                return;
            }

            _lastDrawn = percent;
            var elapsed = _watch.Elapsed.TotalSeconds;
            var eta = done == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", ~{elapsed * (total - done) / done:F0} s left");
            output.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r[{new string('#', filled)}{new string('.', Width - filled)}] {percent,3}% ({done}/{total} trajectory steps, {elapsed:F0} s{eta})   "));
            output.Flush();
        }
    }

    public void Finish()
    {
        lock (_gate)
        {
            if (!_finished)
            {
                _finished = true;
                output.WriteLine();
            }
        }
    }

    public void Dispose() => Finish();
}
