using CogDdim.Semantics;
using CogDdim.Tensors;
using ScottPlot;

namespace CogDdim.Precision;

/// <summary>PNG and SVG plots of error against step, on a log scale (ScottPlot).</summary>
public static class ErrorPlots
{
    public const int Width = 1000;
    public const int Height = 520;

    /// <summary>Values below this many ULPs (exact steps) are drawn at it, so that the log scale can show them.</summary>
    public const double UlpFloor = 0.01;

    private static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    public sealed record Image(string Title, string PngPath, string SvgPath);

    /// <summary>One plot per dtype and profile (p99 and max ULP of each order and mode), and one per reduced dtype for the spread between builds.</summary>
    public static IReadOnlyList<Image> WriteAll(StudyResult result, string directory)
    {
        var images = new List<Image>();
        foreach (var group in result.Variants.GroupBy(v => (v.Variant.Dtype, v.Variant.Profile)))
        {
            var (dtype, profile) = group.Key;
            var title = $"{result.Plan.ConfigName}: {dtype.Name()}, {profile.Name}, error against the oracle";
            var series = new List<Series>();
            foreach (var v in group)
            {
                var label = $"{Variant.OrderName(v.Variant.Order)}/{Variant.ModeName(v.Variant.Mode)}";
                series.Add(new Series($"{label} p99", v.Steps.Select(s => s.P99Ulp).ToArray(), Solid: true));
                series.Add(new Series($"{label} median", v.Steps.Select(s => s.MedianUlp).ToArray(), Solid: false));
            }

            images.Add(Save(directory, $"error-{dtype.Name()}-{profile.Name}", title, $"ULP of {dtype.Name()}", series, pairedColors: true, UlpFloor));
        }

        foreach (var dtype in result.Variants.Select(v => v.Variant.Dtype).Distinct())
        {
            var spreads = result.Spreads.Where(s => s.Variant.Dtype == dtype && s.Variant.Order == OpOrder.Diffusers).ToList();
            if (spreads.Count == 0)
            {
                continue;
            }

            var series = new List<Series>();
            foreach (var v in result.Variants.Where(v => v.Variant.Dtype == dtype && v.Variant.Order == OpOrder.Diffusers
                && v.Variant.Profile == SemanticsProfile.Torch2Cpu))
            {
                series.Add(new Series($"{Variant.ModeName(v.Variant.Mode)}: torch2-cpu vs oracle", v.Steps.Select(s => s.RelativeL2).ToArray(), Solid: true));
            }

            foreach (var s in spreads)
            {
                series.Add(new Series($"{Variant.ModeName(s.Variant.Mode)}: {s.Variant.Profile.Name} vs torch2-cpu", s.Steps.Select(e => e.RelativeL2).ToArray(), Solid: false));
            }

            var title = $"{result.Plan.ConfigName}: {dtype.Name()}, error vs oracle and spread between builds (diffusers order)";
            images.Add(Save(directory, $"spread-{dtype.Name()}", title, "relative L2 error", series, pairedColors: false, ErrorMeter.UlpAt(dtype, 1.0) / 1e3));
        }

        return images;
    }

    private sealed record Series(string Label, double[] Values, bool Solid);

    /// <summary>Plots log10 of each series (values below <paramref name="floor"/>, such as exact zeros, drawn at the floor).</summary>
    private static Image Save(string directory, string name, string title, string yLabel, List<Series> series, bool pairedColors, double floor)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var xs = Enumerable.Range(1, s.Values.Length).Select(x => (double)x).ToArray();
            var ys = s.Values.Select(v => Math.Log10(Math.Max(double.IsFinite(v) ? v : 1e30, floor))).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = s.Label;
            line.LineWidth = s.Solid ? 2 : 1.5f;
            line.LinePattern = s.Solid ? LinePattern.Solid : LinePattern.Dashed;
            line.Color = palette.GetColor(pairedColors ? i / 2 : i);
        }

        plot.Title(title, size: 14);
        plot.XLabel("step");
        plot.YLabel($"{yLabel} (log; 0 at {Tick(Math.Log10(floor))})");
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = Tick,
        };
        plot.Axes.Bottom.Min = 1;
        plot.ShowLegend(Edge.Right);
        var png = Path.Combine(directory, name + ".png");
        var svg = Path.Combine(directory, name + ".svg");
        plot.SavePng(png, Width, Height);
        plot.SaveSvg(svg, Width, Height);
        return new Image(title, png, svg);
    }

    /// <summary>The label of a tick at log10 value <paramref name="y"/>: plain numbers from 0.01 to 10^5, powers of ten beyond.</summary>
    private static string Tick(double y)
    {
        var value = Math.Pow(10, y);
        return y is >= -2 and <= 5 ? value.ToString(value >= 1 ? "N0" : "0.##", Invariant) : $"1e{Math.Round(y).ToString(Invariant)}";
    }
}
