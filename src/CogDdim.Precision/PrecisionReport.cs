using System.Globalization;
using System.Text;
using System.Text.Json;
using CogDdim.Config;
using CogDdim.Tensors;

namespace CogDdim.Precision;

/// <summary>The study's outputs: a summary table, CSV, JSON, plots and a Markdown report that embeds them.</summary>
public static class PrecisionReport
{
    public const string CsvFile = "precision.csv";
    public const string JsonFile = "precision.json";
    public const string MarkdownFile = "report.md";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes everything into <paramref name="directory"/> (created if missing); returns the paths written.</summary>
    public static IReadOnlyList<string> WriteAll(StudyResult result, string directory, bool plots = true)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        Write(Path.Combine(directory, CsvFile), Csv(result), written);
        Write(Path.Combine(directory, JsonFile), Json(result), written);
        var images = plots ? ErrorPlots.WriteAll(result, directory) : [];
        written.AddRange(images.SelectMany(i => new[] { i.PngPath, i.SvgPath }));
        Write(Path.Combine(directory, MarkdownFile), Markdown(result, images), written);
        return written;
    }

    private static void Write(string path, string text, List<string> written)
    {
        File.WriteAllText(path, text, new UTF8Encoding(false));
        written.Add(path);
    }

    /// <summary>The final step of every variant, and the worst step over the run.</summary>
    public static string SummaryTable(StudyResult result)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Create(Invariant, $"{"variant (final step; ULP)",-44} {"max",10} {"p99",8} {"median",8} {"rel. L2",10} {"L2/eps",8} {"over budget",11}"));
        foreach (var v in result.Variants)
        {
            text.AppendLine(string.Create(Invariant,
                $"{v.Variant.Name,-44} {Ulps(v.Final.MaxUlp),10} {Ulps(v.Final.P99Ulp),8} {Ulps(v.Final.MedianUlp),8} {Number(v.Final.RelativeL2),10} {Number(InEpsilons(v.Final.RelativeL2, v.Variant.Dtype)),8} {StepText(FirstOverBudget(v)),11}"));
        }

        if (result.Spreads.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(string.Create(Invariant, $"{"between builds (final step; ULP)",-60} {"max",10} {"p99",8} {"median",8} {"rel. L2",10} {"L2/eps",8}"));
            foreach (var s in result.Spreads)
            {
                text.AppendLine(string.Create(Invariant, $"{s.Name,-60} {Ulps(s.Final.MaxUlp),10} {Ulps(s.Final.P99Ulp),8} {Ulps(s.Final.MedianUlp),8} {Number(s.Final.RelativeL2),10} {Number(InEpsilons(s.Final.RelativeL2, s.Variant.Dtype)),8}"));
            }
        }

        return text.ToString();
    }

    /// <summary>One row per (trajectory, step): against the oracle (kind <c>oracle</c>) or against torch 2.x CPU (kind <c>spread</c>).</summary>
    public static string Csv(StudyResult result)
    {
        var text = new StringBuilder();
        text.Append("kind,variant,dtype,model_dtype,profile,order,mode,reference,step,timestep,max_ulp,p99_ulp,median_ulp,mean_ulp,rel_l2\n");
        foreach (var v in result.Variants)
        {
            foreach (var e in v.Steps)
            {
                Row("oracle", v.Variant, "oracle", e);
            }
        }

        foreach (var s in result.Spreads)
        {
            foreach (var e in s.Steps)
            {
                Row("spread", s.Variant, s.Reference.Name, e);
            }
        }

        return text.ToString();

        void Row(string kind, Variant v, string reference, StepErrors e) =>
            text.Append(string.Create(Invariant,
                $"{kind},{v.Name},{v.Dtype.Name()},{v.ModelDtype.Name()},{v.Profile.Name},{Variant.OrderName(v.Order)},{Variant.ModeName(v.Mode)},{reference},{e.Step},{e.Timestep},{R(e.MaxUlp)},{R(e.P99Ulp)},{R(e.MedianUlp)},{R(e.MeanUlp)},{R(e.RelativeL2)}\n"));
    }

    public static string Json(StudyResult result)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            var plan = result.Plan;
            w.WriteStartObject();
            w.WriteString("format", "cogddim-precision/1");
            w.WriteString("config_name", plan.ConfigName);
            w.WriteString("scheduler", plan.Scheduler == StudyScheduler.Dpm ? "CogVideoXDPMScheduler" : "CogVideoXDDIMScheduler");
            w.WritePropertyName("config");
            SchedulerConfigWriter.Write(w, plan.Config);
            w.WriteNumber("steps", plan.Steps);
            w.WriteStartArray("shape");
            foreach (var d in plan.Shape)
            {
                w.WriteNumberValue(d);
            }

            w.WriteEndArray();
            w.WriteNumber("seed", plan.Seed);
            w.WriteString("model", StandInModel.Name);
            w.WriteString("oracle", "reference backend in double-double (about 106 bits)");
            w.WriteNumber("budget_ulp", plan.UlpBudget);
            w.WriteNumber("budget_rel_l2", plan.RelativeL2Budget);
            w.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 1));
            w.WriteStartArray("timesteps");
            foreach (var t in result.Timesteps)
            {
                w.WriteNumberValue(t);
            }

            w.WriteEndArray();
            w.WriteStartArray("tables");
            foreach (var t in result.Tables)
            {
                w.WriteStartObject();
                w.WriteString("profile", t.Profile);
                w.WriteString("dtype", t.TableDtype.Name());
                w.WriteNumber("alphas_cumprod_max_ulp", t.MaxUlp);
                w.WriteNumber("worst_index", t.WorstIndex);
                w.WriteNumber("max_ulp_at_used_timesteps", t.MaxUlpOverUsedTimesteps);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("variants");
            foreach (var v in result.Variants)
            {
                w.WriteStartObject();
                WriteVariant(w, v.Variant);
                w.WriteString("reference", "oracle");
                WriteNullable(w, "first_step_over_ulp_budget", v.FirstStepOverUlpBudget);
                WriteNullable(w, "first_step_over_rel_l2_budget", v.FirstStepOverRelativeL2Budget);
                WriteSteps(w, v.Steps);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("spreads");
            foreach (var s in result.Spreads)
            {
                w.WriteStartObject();
                WriteVariant(w, s.Variant);
                w.WriteString("reference", s.Reference.Name);
                WriteSteps(w, s.Steps);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteVariant(Utf8JsonWriter w, Variant v)
    {
        w.WriteString("variant", v.Name);
        w.WriteString("dtype", v.Dtype.Name());
        w.WriteString("model_dtype", v.ModelDtype.Name());
        w.WriteString("profile", v.Profile.Name);
        w.WriteString("order", Variant.OrderName(v.Order));
        w.WriteString("mode", Variant.ModeName(v.Mode));
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteSteps(Utf8JsonWriter w, IReadOnlyList<StepErrors> steps)
    {
        w.WriteStartArray("steps");
        foreach (var e in steps)
        {
            w.WriteStartObject();
            w.WriteNumber("step", e.Step);
            w.WriteNumber("timestep", e.Timestep);
            WriteFinite(w, "max_ulp", e.MaxUlp);
            WriteFinite(w, "p99_ulp", e.P99Ulp);
            WriteFinite(w, "median_ulp", e.MedianUlp);
            WriteFinite(w, "mean_ulp", e.MeanUlp);
            WriteFinite(w, "rel_l2", e.RelativeL2);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    // JSON has no infinity or NaN: an overflowed run is written as a string.
    private static void WriteFinite(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteString(name, value.ToString(Invariant));
        }
    }

    /// <summary>The report: setup, schedule tables, final-step summary, spreads between builds, and the plots.</summary>
    public static string Markdown(StudyResult result, IReadOnlyList<ErrorPlots.Image> images)
    {
        var plan = result.Plan;
        var md = new StringBuilder();
        md.AppendLine(string.Create(Invariant, $"# Precision study: {plan.ConfigName}{(plan.Scheduler == StudyScheduler.Dpm ? " (CogVideoXDPMScheduler)" : string.Empty)}, {plan.Steps} steps"));
        md.AppendLine();
        md.AppendLine(string.Create(Invariant,
            $"Latent shape [{string.Join(", ", plan.Shape)}] ({plan.ElementCount:N0} elements), seed {plan.Seed}, stand-in model `{StandInModel.Name}`, " +
            $"{result.Variants.Count} variants against the double-double oracle; {result.Elapsed.TotalSeconds:F0} s."));
        md.AppendLine("Errors are in ULPs of each run's latent dtype at the oracle's value (max and 99th percentile over the elements), " +
            "their median, and relative L2 (‖x − oracle‖ / ‖oracle‖), measured on the latents after every step. " +
            "An element's ULP is the spacing at its own value, so the 1% of elements nearest zero set the p99: the median and the relative L2 describe the bulk.");
        md.AppendLine(string.Create(Invariant,
            $"Budget: median ≤ {Number(plan.UlpBudget)} ULP and relative L2 ≤ {Number(plan.RelativeL2Budget)}; \"over budget\" is the first step that breaks either. " +
            $"L2 / eps is the relative L2 error in units of the dtype's machine epsilon (2^-52, 2^-23, 2^-10, 2^-7): one rounding of every element gives about 0.3."));
        md.AppendLine();
        md.AppendLine("## Schedule tables (`alphas_cumprod`) against the oracle");
        md.AppendLine();
        md.AppendLine("| profile | dtype | max ULP (all 1000) | at index | max ULP (entries the steps read) |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: |");
        foreach (var t in result.Tables)
        {
            md.AppendLine(string.Create(Invariant, $"| {t.Profile} | {t.TableDtype.Name()} | {Ulps(t.MaxUlp)} | {t.WorstIndex} | {Ulps(t.MaxUlpOverUsedTimesteps)} |"));
        }

        md.AppendLine();
        md.AppendLine("## Against the oracle");
        md.AppendLine();
        md.AppendLine("| variant | final max ULP | final p99 ULP | final median ULP | final rel. L2 | final L2 / eps | worst median ULP | worst rel. L2 | over budget at step |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var v in result.Variants)
        {
            md.AppendLine(string.Create(Invariant,
                $"| {v.Variant.Name} | {Ulps(v.Final.MaxUlp)} | {Ulps(v.Final.P99Ulp)} | {Ulps(v.Final.MedianUlp)} | {Number(v.Final.RelativeL2)} | {Number(InEpsilons(v.Final.RelativeL2, v.Variant.Dtype))} | {Ulps(v.Steps.Max(e => e.MedianUlp))} | {Number(v.WorstRelativeL2)} | {StepText(FirstOverBudget(v))} |"));
        }

        if (result.Spreads.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Between torch builds (against torch 2.x CPU, same dtype, order and mode)");
            md.AppendLine();
            md.AppendLine("| runs | final max ULP | final p99 ULP | final median ULP | final rel. L2 | final L2 / eps | worst rel. L2 |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var s in result.Spreads)
            {
                md.AppendLine(string.Create(Invariant,
                    $"| {s.Name} | {Ulps(s.Final.MaxUlp)} | {Ulps(s.Final.P99Ulp)} | {Ulps(s.Final.MedianUlp)} | {Number(s.Final.RelativeL2)} | {Number(InEpsilons(s.Final.RelativeL2, s.Variant.Dtype))} | {Number(s.Steps.Max(e => e.RelativeL2))} |"));
            }
        }

        if (images.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Plots");
            foreach (var image in images)
            {
                md.AppendLine();
                md.AppendLine($"### {image.Title}");
                md.AppendLine();
                md.AppendLine($"![{image.Title}]({Path.GetFileName(image.PngPath)}) ([SVG]({Path.GetFileName(image.SvgPath)}))");
            }
        }

        return md.ToString();
    }

    public static int? FirstOverBudget(VariantResult v) =>
        (v.FirstStepOverUlpBudget, v.FirstStepOverRelativeL2Budget) switch
        {
            (null, null) => null,
            (int a, null) => a,
            (null, int b) => b,
            (int a, int b) => Math.Min(a, b),
        };

    /// <summary>A relative error in units of the dtype's machine epsilon (the spacing at 1).</summary>
    public static double InEpsilons(double relative, DType dtype) => relative / ErrorMeter.UlpAt(dtype, 1.0);

    private static string StepText(int? step) => step is { } s ? s.ToString(Invariant) : "never";

    /// <summary>ULPs: integers as integers, small fractions with two significant digits.</summary>
    public static string Ulps(double value) =>
        !double.IsFinite(value) ? value.ToString(Invariant)
        : value >= 100 ? value.ToString("N0", Invariant)
        : value.ToString("0.##", Invariant);

    public static string Number(double value) => value.ToString("G3", Invariant);

    private static string R(double value) => value.ToString("R", Invariant);
}
