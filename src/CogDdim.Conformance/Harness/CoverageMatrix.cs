using System.Globalization;
using CogDdim.Config;
using CogDdim.Conformance;
using CogDdim.Fixtures;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>
/// Which config values meet which dtypes in a fixture set: the number of value cases (step, trajectory, add_noise,
/// get_velocity) per config value and dtype, so a port's author sees what the fixtures do not test; and, per named
/// rule of docs/reference-semantics.md (<see cref="SemanticRules"/>), the cases that catch a port breaking it, read
/// from the rule-coverage.tsv beside the fixtures (<see cref="RuleCoverage"/>).
/// </summary>
/// <param name="Columns">The dtype labels of the columns (<see cref="DTypeColumns"/>).</param>
/// <param name="Rows">One row per config value found in the suites.</param>
/// <param name="Missing">The gaps: known config values no suite has, and values a port must support with no value case in some dtype.</param>
public sealed record CoverageMatrix(IReadOnlyList<string> Columns, IReadOnlyList<CoverageMatrix.Row> Rows, IReadOnlyList<string> Missing)
{
    /// <summary>One config value: its value cases per dtype column and the suites that hold it.</summary>
    /// <param name="Key">The config key, e.g. <c>timestep_spacing</c>.</param>
    /// <param name="Value">The value, e.g. <c>trailing</c>.</param>
    /// <param name="Counts">Value cases per column of <see cref="DTypeColumns"/>.</param>
    /// <param name="Suites">The names of the suites whose config has the value.</param>
    public sealed record Row(string Key, string Value, IReadOnlyList<int> Counts, IReadOnlyList<string> Suites);

    /// <summary>A named rule and the recorded catches of its mutants in the suites at hand.</summary>
    /// <param name="Rule">The rule.</param>
    /// <param name="Catches">The suites in which a mutant of the rule fails, with the run's hints.</param>
    public sealed record RuleRow(SemanticRule Rule, IReadOnlyList<RuleCatch> Catches)
    {
        /// <summary>The catches whose run gave the rule's own hint.</summary>
        public IReadOnlyList<RuleCatch> WithHint => [.. Catches.Where(c => c.Hints.Contains(Rule.Hint))];
    }

    /// <summary>Every named rule, with its catches (none where no case catches it, or no rule-coverage.tsv was found).</summary>
    public IReadOnlyList<RuleRow> Rules { get; init; } = [];

    /// <summary>The rule-coverage.tsv read, or null when none lies beside the fixtures.</summary>
    public string? RuleCoverageFile { get; init; }

    /// <summary>The dtype labels of the columns: the four float dtypes, then bf16/fp16 samples with a float32 model output.</summary>
    public static readonly IReadOnlyList<string> DTypeColumns =
        ["float64", "float32", "float16", "bfloat16", "float16/float32", "bfloat16/float32"];

    /// <summary>Counts the value cases of a fixture set per config value and dtype, lists the gaps, and reads the rule coverage beside the fixtures.</summary>
    /// <param name="suites">The suites of the set (or sets).</param>
    public static CoverageMatrix Build(IEnumerable<FixtureSuite> suites)
    {
        ArgumentNullException.ThrowIfNull(suites);
        var list = suites.Where(s => s.Randn is null).ToList(); // a randn file has no config values to cover
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

        var file = RuleCoverage.Find(list);
        var present = list.Select(s => s.SetName + "/" + s.Name).ToHashSet(StringComparer.Ordinal);
        var catches = file is null ? [] : RuleCoverage.Read(file).Where(c => present.Contains(c.Suite)).ToList();
        var rules = SemanticRules.All.Select(r => new RuleRow(r, [.. catches.Where(c => c.Rule == r.Id)])).ToList();
        if (file is null)
        {
            missing.Add($"rules: no {RuleCoverage.FileName} beside these fixtures, so which case catches which rule is unknown");
        }
        else
        {
            missing.AddRange(rules.Where(r => r.WithHint.Count == 0)
                .Select(r => $"rule {r.Rule.Id}: no case catches its violation with hint {r.Rule.Hint} (mutants {string.Join(", ", r.Rule.Mutants)})"));
        }

        return new CoverageMatrix(DTypeColumns, rows, missing) { Rules = rules, RuleCoverageFile = file };
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

    /// <summary>The matrix as text: a row per config value, a column per dtype, then the gaps and the rules.</summary>
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

        if (RuleCoverageFile is not null)
        {
            lines.Add($"rules (docs/reference-semantics.md): the cases that catch a port breaking each one, by the python-numpy example's mutant ({Path.GetFileName(RuleCoverageFile)})");
            foreach (var rule in Rules)
            {
                var byMutant = rule.WithHint.GroupBy(c => c.Mutant).ToList();
                if (byMutant.Count == 0)
                {
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {rule.Rule.Id,-26} [{rule.Rule.Hint}] caught by nothing"));
                }

                foreach (var g in byMutant)
                {
                    var first = g.First();
                    lines.Add(string.Create(CultureInfo.InvariantCulture,
                        $"  {rule.Rule.Id,-26} [{rule.Rule.Hint}] {g.Key}: {g.Sum(c => c.Failed)} cases in {g.Count()} suites ({string.Join(", ", g.Take(3).Select(c => c.Suite + " " + c.Failed))}{(g.Count() > 3 ? ", …" : string.Empty)}); first: {first.Suite} {first.Cases.FirstOrDefault()}"));
                }
            }
        }

        lines.Add(Missing.Count == 0 ? "not covered: nothing" : "not covered:");
        lines.AddRange(Missing.Select(m => "  " + m));
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>One suite in which a rule's mutant fails: a row of rule-coverage.tsv.</summary>
/// <param name="Rule">The rule's id.</param>
/// <param name="Mutant">The python-numpy example's mutant that breaks it.</param>
/// <param name="Hints">The hint codes of the mutant's whole run.</param>
/// <param name="Suite">The suite, as set/suite.</param>
/// <param name="Failed">How many of its cases fail.</param>
/// <param name="Cases">The first failing cases.</param>
public sealed record RuleCatch(string Rule, string Mutant, IReadOnlyList<string> Hints, string Suite, int Failed, IReadOnlyList<string> Cases);

/// <summary>
/// fixtures/rule-coverage.tsv (written by scripts/rule-coverage.py): per named rule, the public cases that catch a port
/// breaking it. Tab-separated: rule, mutant, hints (comma-separated), set/suite, failing cases, the first cases
/// ("; "-separated); lines starting with # are comments.
/// </summary>
public static class RuleCoverage
{
    /// <summary>The file's name.</summary>
    public const string FileName = "rule-coverage.tsv";

    /// <summary>The rule-coverage.tsv in a fixture file's folder or up to three folders above it, or null.</summary>
    public static string? Find(IEnumerable<FixtureSuite> suites)
    {
        ArgumentNullException.ThrowIfNull(suites);
        foreach (var suite in suites.Where(s => !string.IsNullOrEmpty(s.Source)))
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(suite.Source));
            for (var up = 0; up < 4 && dir is not null; up++, dir = Path.GetDirectoryName(dir))
            {
                var candidate = Path.Combine(dir, FileName);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Reads the rows of a rule-coverage.tsv.</summary>
    public static IReadOnlyList<RuleCatch> Read(string path) => Parse(File.ReadAllLines(path));

    /// <summary>Parses the lines of a rule-coverage.tsv.</summary>
    public static IReadOnlyList<RuleCatch> Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rows = new List<RuleCatch>();
        foreach (var line in lines.Where(l => l.Length > 0 && l[0] != '#'))
        {
            var f = line.Split('\t');
            if (f.Length != 6 || !int.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var failed))
            {
                throw new FormatException($"{FileName}: not a row (rule, mutant, hints, suite, failed, cases): {line}");
            }

            rows.Add(new RuleCatch(f[0], f[1], f[2].Split(',', StringSplitOptions.RemoveEmptyEntries), f[3], failed,
                f[5].Split("; ", StringSplitOptions.RemoveEmptyEntries)));
        }

        return rows;
    }
}
