using System.Globalization;
using CogDdim.Config;
using CogDdim.Conformance;
using CogDdim.Fixtures;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>
/// Which config values meet which dtypes in a fixture set: the number of value cases (step, trajectory, add_noise,
/// get_velocity) per config value and dtype, so a port's author sees what the fixtures do not test.
/// </summary>
public sealed record CoverageMatrix(IReadOnlyList<string> Columns, IReadOnlyList<CoverageMatrix.Row> Rows, IReadOnlyList<string> Missing)
{
    public sealed record Row(string Key, string Value, IReadOnlyList<int> Counts, IReadOnlyList<string> Suites);

    public static readonly IReadOnlyList<string> DTypeColumns =
        ["float64", "float32", "float16", "bfloat16", "float16/float32", "bfloat16/float32"];

    public static CoverageMatrix Build(IEnumerable<FixtureSuite> suites)
    {
        ArgumentNullException.ThrowIfNull(suites);
        var list = suites.ToList();
        var cells = new SortedDictionary<(string Key, string Value), (int[] Counts, SortedSet<string> Suites)>();
        foreach (var suite in list)
        {
            var labels = Labels(suite);
            foreach (var (key, value) in Values(suite))
            {
                if (!cells.TryGetValue((key, value), out var cell))
                {
                    cells[(key, value)] = cell = (new int[DTypeColumns.Count], new SortedSet<string>(StringComparer.Ordinal));
                }

                cell.Suites.Add(suite.Name);
                foreach (var label in labels)
                {
                    var column = IndexOf(label);
                    if (column >= 0)
                    {
                        cell.Counts[column]++;
                    }
                }
            }
        }

        var rows = cells.Select(c => new Row(c.Key.Key, c.Key.Value, c.Value.Counts, [.. c.Value.Suites])).ToList();
        var missing = new List<string>();
        foreach (var (key, values) in KnownValues)
        {
            missing.AddRange(values.Where(v => !cells.ContainsKey((key, v))).Select(v => $"{key}={v}: no suite"));
        }

        // Dtype gaps matter for the values a port must support, not for the invalid ones the error suites use.
        foreach (var row in rows.Where(r => r.Counts.Sum() > 0 && KnownValues.Any(k => k.Key == r.Key && k.Values.Contains(r.Value))))
        {
            missing.AddRange(DTypeColumns.Where((_, i) => row.Counts[i] == 0).Select(d => $"{row.Key}={row.Value} with {d}: no value case"));
        }

        return new CoverageMatrix(DTypeColumns, rows, missing);
    }

    private static int IndexOf(string label)
    {
        for (var i = 0; i < DTypeColumns.Count; i++)
        {
            if (DTypeColumns[i] == label)
            {
                return i;
            }
        }

        return -1;
    }

    private static readonly (string Key, string[] Values)[] KnownValues =
    [
        ("beta_schedule", ["linear", "scaled_linear", "squaredcos_cap_v2", "trained_betas"]),
        ("prediction_type", ["epsilon", "sample", "v_prediction"]),
        ("timestep_spacing", ["linspace", "leading", "trailing"]),
        ("rescale_betas_zero_snr", ["true", "false"]),
        ("set_alpha_to_one", ["true", "false"]),
        ("table dtype", ["float64", "float32"]),
        ("snr_shift_scale", ["1 (no shift)", "other"]),
        ("steps_offset", ["0", "other"]),
        ("semantics", ["torch2-cpu", "torch113-cpu"]),
    ];

    private static IEnumerable<(string Key, string Value)> Values(FixtureSuite suite)
    {
        var c = suite.Config;
        string Raw(string key, string name) => c.DeferredInvalidValues.TryGetValue(key, out var raw) ? raw : name;
        yield return ("beta_schedule", c.TrainedBetas is not null ? "trained_betas" : Raw(ConfigKeys.BetaSchedule, c.BetaSchedule.Name()));
        yield return ("prediction_type", Raw(ConfigKeys.PredictionType, c.PredictionType.Name()));
        yield return ("timestep_spacing", Raw(ConfigKeys.TimestepSpacing, c.TimestepSpacing.Name()));
        yield return ("rescale_betas_zero_snr", c.RescaleBetasZeroSnr ? "true" : "false");
        yield return ("set_alpha_to_one", c.SetAlphaToOne ? "true" : "false");
        yield return ("table dtype", c.HasFloat64Table ? "float64" : "float32");
        yield return ("snr_shift_scale", c.SnrShiftScale == 1.0 ? "1 (no shift)" : "other");
        yield return ("steps_offset", c.StepsOffset == 0 ? "0" : "other");
        yield return ("semantics", suite.Reference.Semantics.MatchNamed()?.Name ?? suite.Reference.Semantics.Name);
    }

    /// <summary>One dtype label per value case of the suite.</summary>
    private static IEnumerable<string> Labels(FixtureSuite suite)
    {
        foreach (var s in suite.Steps.Where(s => s.Error is null))
        {
            yield return ConformanceRunner.DTypeLabel(s.Sample.DType, s.ModelOutput.DType);
        }

        foreach (var t in suite.Trajectories.Where(t => t.Error is null))
        {
            yield return ConformanceRunner.DTypeLabel(t.DType, t.ModelDType ?? t.DType);
        }

        foreach (var n in suite.AddNoise.Concat(suite.GetVelocity).Where(n => n.Error is null))
        {
            yield return n.Input.DType.Name();
        }
    }

    public string ToText()
    {
        var lines = new List<string>
        {
            "coverage: value cases (step, trajectory, add_noise, get_velocity) per config value and dtype",
            string.Create(CultureInfo.InvariantCulture, $"  {"config value",-40} {string.Join(" ", Columns.Select(c => c.PadLeft(16)))}  suites"),
        };
        foreach (var row in Rows)
        {
            var counts = string.Join(" ", row.Counts.Select(n => (n == 0 ? "-" : n.ToString(CultureInfo.InvariantCulture)).PadLeft(16)));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {row.Key + "=" + row.Value,-40} {counts}  {string.Join(", ", row.Suites)}"));
        }

        lines.Add(Missing.Count == 0 ? "not covered: nothing" : "not covered:");
        lines.AddRange(Missing.Select(m => "  " + m));
        return string.Join(Environment.NewLine, lines);
    }
}
