using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using CogDdim.Conformance;

namespace CogDdim.Harness;

/// <summary>The report formats of <c>cogddim conform</c>: text, json (docs/schemas/cogddim-harness-report-1.schema.json), markdown, junit.</summary>
public static class ReportWriters
{
    /// <summary>The names <see cref="Write"/> accepts (<c>--format</c>).</summary>
    public static readonly IReadOnlyList<string> Formats = ["text", "json", "markdown", "junit"];

    /// <summary>The report in a format of <see cref="Formats"/>; another name is an <see cref="ArgumentOutOfRangeException"/>.</summary>
    /// <param name="report">The report.</param>
    /// <param name="format"><c>text</c>, <c>json</c>, <c>markdown</c> or <c>junit</c>.</param>
    /// <param name="verbose">For text: the per-quantity tables of every suite, not only of the failing ones.</param>
    public static string Write(HarnessReport report, string format, bool verbose = false) => format switch
    {
        "text" => Text(report, verbose),
        "json" => Json(report),
        "markdown" => Markdown(report),
        "junit" => JUnit(report),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"expected one of {string.Join(", ", Formats)}"),
    };

    /// <summary>One line per suite, as the plain runner prints it.</summary>
    public static string SuiteLine(SuiteResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var dtypes = result.ByDType();
        var worst = dtypes.Count == 0
            ? string.Empty
            : "; worst ULP " + string.Join(", ", dtypes.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.DType} {d.WorstUlp}")));
        var skipped = result.Skipped == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $", {result.Skipped} skipped");
        return string.Create(CultureInfo.InvariantCulture,
            $"{(result.Failed == 0 ? "ok  " : "FAIL")} {result.Name} [{result.Backend}, {result.Profile}]: {result.Cases.Count} cases, {result.Failed} failed{skipped}{worst}");
    }

    /// <summary>
    /// The detail after the suite lines: per-quantity tables of the failing suites (all with verbose), the worst cases
    /// with their inputs, the candidate's incidents, the manifest's verdicts, hints and the failing cases. The closing
    /// line is not included.
    /// </summary>
    public static string Text(HarnessReport report, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(report);
        var w = new StringBuilder();
        foreach (var suite in report.Suites.Where(s => verbose || s.Cases.Any(c => c.Outcome is CaseOutcome.Failed or CaseOutcome.ExpectedFailure)))
        {
            w.AppendLine(CultureInfo.InvariantCulture, $"== {suite.Result.Name}: by quantity and dtype");
            w.AppendLine(CultureInfo.InvariantCulture, $"   {"quantity",-36} {"dtype",-17} {"cases",6} {"failed",6} {"worst ULP",10}  histogram (ULP:elements)");
            foreach (var g in suite.Groups.Where(g => verbose || g.FailedCases > 0))
            {
                var worst = g.ClassMismatches > 0 ? "NaN" : g.WorstUlp.ToString(CultureInfo.InvariantCulture);
                var histogram = g.StructuralErrors > 0 ? $"{g.StructuralErrors} wrong shape/dtype" : g.Histogram.Describe();
                w.AppendLine(CultureInfo.InvariantCulture, $"   {g.Key,-36} {g.DType,-17} {g.Cases,6} {g.FailedCases,6} {worst,10}  {histogram}");
            }

            foreach (var g in suite.Groups.Where(g => g.FailedCases > 0 && g.Worst is not null))
            {
                AppendWorst(w, g);
            }
        }

        if (report.Run.CandidateCommand is { } command)
        {
            var h = report.Run.Handshake;
            var said = h is null
                ? " (no handshake)"
                : $" = {h.Name} {h.Version}, dtypes {string.Join(",", h.DTypes)}, calls {string.Join(",", h.Calls)}";
            w.AppendLine(CultureInfo.InvariantCulture, $"candidate: {command}{said}");
            foreach (var incident in report.Run.Incidents.Take(verbose ? int.MaxValue : 10))
            {
                w.AppendLine(CultureInfo.InvariantCulture, $"  {incident.Verdict} during {incident.Call}: {incident.Message}");
            }

            if (report.Run.Abandoned is { } why)
            {
                w.AppendLine(CultureInfo.InvariantCulture, $"  the harness stopped asking the candidate: {why}");
            }
        }

        if (report.Manifest.Entries.Length > 0)
        {
            w.AppendLine(CultureInfo.InvariantCulture,
                $"manifest {report.Manifest.Source}: {report.ExpectedFailures} expected failures, {report.UnexpectedPasses.Count} unexpected passes, {report.UnusedEntries.Count} unused entries");
            foreach (var pass in report.UnexpectedPasses.Take(verbose ? int.MaxValue : 20))
            {
                w.AppendLine(CultureInfo.InvariantCulture, $"  unexpected pass: {pass.Suite.Name} {pass.Case.Id} (entry {pass.Entry}: {pass.Entry!.Reason})");
            }

            foreach (var entry in report.UnusedEntries)
            {
                w.AppendLine(CultureInfo.InvariantCulture, $"  unused entry: {entry} ({entry.Reason})");
            }
        }

        foreach (var hint in report.Hints)
        {
            w.AppendLine(CultureInfo.InvariantCulture, $"hint [{hint.Code}]: {hint.Title}");
            w.AppendLine(CultureInfo.InvariantCulture, $"  evidence: {hint.Evidence}");
        }

        var failures = report.Suites.SelectMany(s => s.Cases.Where(c => c.Outcome == CaseOutcome.Failed)).ToList();
        var shown = verbose ? failures : failures.Take(20).ToList();
        foreach (var c in shown)
        {
            w.AppendLine(CultureInfo.InvariantCulture, $"FAIL {c.Suite.Name} {c.Case.Describe()}");
        }

        if (shown.Count < failures.Count)
        {
            w.AppendLine(CultureInfo.InvariantCulture, $"... {failures.Count - shown.Count} more failing cases (--verbose lists them all)");
        }

        if (report.Skipped > 0)
        {
            w.AppendLine(CultureInfo.InvariantCulture, $"{report.Skipped} cases skipped (not supported by the candidate)");
        }

        return w.ToString();
    }

    private static void AppendWorst(StringBuilder w, QuantityGroup g)
    {
        var worst = g.Worst!;
        var what = worst.Element is { } e ? e.Describe() : worst.Structural ?? "the call failed";
        w.AppendLine(CultureInfo.InvariantCulture, $"   worst {g.Key} {g.DType}: {worst.CaseId} {worst.Quantity}: {what}");
        if (worst.Inputs.Count > 0)
        {
            w.AppendLine(CultureInfo.InvariantCulture, $"     inputs: {string.Join(", ", worst.Inputs.Select(i => i.Bits is null ? $"{i.Name}={i.Value}" : $"{i.Name}={i.Value} ({i.Bits})"))}");
        }
    }

    /// <summary>The report as <c>cogddim-harness-report/1</c> JSON (docs/schemas/cogddim-harness-report-1.schema.json).</summary>
    /// <param name="report">The report.</param>
    public static string Json(HarnessReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var run = report.Run;
            w.WriteStartObject();
            w.WriteString("format", HarnessReport.FormatName);
            w.WriteStartObject("harness");
            w.WriteString("version", run.Harness);
            w.WriteString("platform", run.Platform);
            w.WriteString("tolerance", run.Tolerance);
            WriteNullable(w, "manifest", run.ManifestPath);
            w.WriteEndObject();
            w.WriteStartObject("fixtures");
            WriteStrings(w, "sets", run.FixtureSets);
            WriteStrings(w, "paths", run.FixturePaths);
            w.WriteEndObject();
            w.WriteString("backend", run.Backend);
            if (run.CandidateCommand is null)
            {
                w.WriteNull("candidate");
            }
            else
            {
                w.WriteStartObject("candidate");
                w.WriteString("command", run.CandidateCommand);
                WriteNullable(w, "protocol", run.Handshake?.Protocol);
                WriteNullable(w, "name", run.Handshake?.Name);
                WriteNullable(w, "version", run.Handshake?.Version);
                WriteStrings(w, "dtypes", run.Handshake?.DTypes ?? []);
                WriteStrings(w, "calls", run.Handshake?.Calls ?? []);
                w.WriteNumber("restarts", run.Restarts);
                WriteNullable(w, "abandoned", run.Abandoned);
                w.WriteStartArray("incidents");
                foreach (var incident in run.Incidents)
                {
                    w.WriteStartObject();
                    w.WriteString("verdict", incident.Verdict);
                    w.WriteString("call", incident.Call);
                    w.WriteString("message", incident.Message);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteString("started", run.Started.ToString("O", CultureInfo.InvariantCulture));
            w.WriteNumber("seconds", Math.Round(run.Seconds, 3));
            w.WriteNumber("passed", report.Passed);
            w.WriteNumber("failed", report.Failed);
            w.WriteNumber("skipped", report.Skipped);
            w.WriteNumber("expected_failures", report.ExpectedFailures);
            w.WriteNumber("unexpected_passes", report.UnexpectedPasses.Count);
            w.WriteStartArray("suites");
            foreach (var suite in report.Suites)
            {
                WriteSuite(w, suite);
            }

            w.WriteEndArray();
            w.WriteStartArray("unexpected_passes_list");
            foreach (var pass in report.UnexpectedPasses)
            {
                w.WriteStartObject();
                w.WriteString("suite", pass.Suite.Name);
                w.WriteString("case", pass.Case.Id);
                w.WriteString("entry", pass.Entry!.ToString());
                w.WriteString("reason", pass.Entry.Reason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("unused_entries");
            foreach (var entry in report.UnusedEntries)
            {
                w.WriteStartObject();
                w.WriteString("suite", entry.Suite);
                w.WriteString("case", entry.Case);
                w.WriteString("reason", entry.Reason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("hints");
            foreach (var hint in report.Hints)
            {
                w.WriteStartObject();
                w.WriteString("code", hint.Code);
                w.WriteString("title", hint.Title);
                w.WriteString("evidence", hint.Evidence);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteSuite(Utf8JsonWriter w, SuiteReport suite)
    {
        var r = suite.Result;
        w.WriteStartObject();
        w.WriteString("set", r.Set);
        w.WriteString("suite", r.Suite);
        w.WriteString("profile", r.Profile);
        w.WriteNumber("cases", r.Cases.Count);
        w.WriteNumber("passed", suite.Count(CaseOutcome.Passed) + suite.Count(CaseOutcome.UnexpectedPass));
        w.WriteNumber("failed", suite.Count(CaseOutcome.Failed));
        w.WriteNumber("skipped", suite.Count(CaseOutcome.Skipped));
        w.WriteNumber("expected_failures", suite.Count(CaseOutcome.ExpectedFailure));
        w.WriteStartObject("worst_ulp");
        foreach (var d in r.ByDType())
        {
            w.WriteNumber(d.DType, d.WorstUlp);
        }

        w.WriteEndObject();
        w.WriteStartArray("groups");
        foreach (var g in suite.Groups)
        {
            w.WriteStartObject();
            w.WriteString("kind", g.Kind);
            w.WriteString("quantity", g.Quantity);
            w.WriteString("dtype", g.DType);
            w.WriteNumber("cases", g.Cases);
            w.WriteNumber("failed", g.FailedCases);
            w.WriteNumber("elements", g.Elements);
            w.WriteNumber("worst_ulp", g.WorstUlp);
            w.WriteNumber("class_mismatches", g.ClassMismatches);
            w.WriteNumber("zero_sign_mismatches", g.ZeroSignMismatches);
            w.WriteNumber("structural_errors", g.StructuralErrors);
            w.WriteStartObject("histogram");
            for (var b = 0; b < UlpHistogram.DistanceBuckets; b++)
            {
                if (g.Histogram.Buckets[b] != 0)
                {
                    w.WriteNumber(UlpHistogram.BucketLabel(b), g.Histogram.Buckets[b]);
                }
            }

            w.WriteEndObject();
            if (g.Worst is { } worst)
            {
                w.WriteStartObject("worst");
                w.WriteString("case", worst.CaseId);
                w.WriteString("kind", worst.Kind);
                w.WriteNumber("index", worst.CaseIndex);
                w.WriteString("quantity", worst.Quantity);
                if (worst.Element is { } e)
                {
                    w.WriteNumber("element", e.Index);
                    w.WriteString("expected", e.ExpectedValue);
                    w.WriteString("expected_bits", e.ExpectedBits);
                    w.WriteString("actual", e.ActualValue);
                    w.WriteString("actual_bits", e.ActualBits);
                    w.WriteString("relation", e.Relation.ToString());
                    w.WriteNumber("ulp", e.Ulp);
                }

                WriteNullable(w, "detail", worst.Structural);
                w.WriteStartArray("inputs");
                foreach (var input in worst.Inputs)
                {
                    w.WriteStartObject();
                    w.WriteString("name", input.Name);
                    w.WriteString("value", input.Value);
                    WriteNullable(w, "bits", input.Bits);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                if (worst.Request is { } request)
                {
                    w.WritePropertyName("request");
                    w.WriteRawValue(request);
                }
                else
                {
                    w.WriteNull("request");
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("failures");
        foreach (var c in suite.Cases.Where(c => c.Outcome is CaseOutcome.Failed or CaseOutcome.ExpectedFailure))
        {
            w.WriteStartObject();
            w.WriteString("kind", c.Case.Kind);
            w.WriteString("case", c.Case.Id);
            w.WriteString("dtype", c.Case.DTypeLabel);
            w.WriteString("detail", c.Case.Describe());
            w.WriteString("outcome", c.Outcome == CaseOutcome.Failed ? "failed" : "expected_failure");
            w.WriteBoolean("backend_failure", c.Case.BackendFailure);
            WriteNullable(w, "reason", c.Entry?.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    /// <summary>The report as Markdown, for a CI job summary or a pull request.</summary>
    /// <param name="report">The report.</param>
    public static string Markdown(HarnessReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var run = report.Run;
        var w = new StringBuilder();
        w.AppendLine("# cogddim conformance report").AppendLine();
        w.AppendLine("| | |").AppendLine("| --- | --- |");
        w.AppendLine(CultureInfo.InvariantCulture, $"| harness | `{run.Harness}` |");
        w.AppendLine(CultureInfo.InvariantCulture, $"| backend | `{Cell(run.CandidateCommand ?? run.Backend)}` |");
        if (run.Handshake is { } h)
        {
            w.AppendLine(CultureInfo.InvariantCulture, $"| candidate | {Cell(h.Name)} {Cell(h.Version)}; dtypes {string.Join(", ", h.DTypes)}; calls {string.Join(", ", h.Calls)} |");
        }

        w.AppendLine(CultureInfo.InvariantCulture, $"| fixture sets | {string.Join(", ", run.FixtureSets)} |");
        w.AppendLine(CultureInfo.InvariantCulture, $"| tolerance | `{run.Tolerance}` |");
        w.AppendLine(CultureInfo.InvariantCulture, $"| platform | {Cell(run.Platform)} |");
        w.AppendLine(CultureInfo.InvariantCulture, $"| result | **{report.ClosingLine}**, {report.Skipped} skipped, {report.ExpectedFailures} expected failures, {report.UnexpectedPasses.Count} unexpected passes |");
        w.AppendLine().AppendLine("## Suites").AppendLine();
        w.AppendLine("| suite | profile | cases | failed | skipped | worst ULP |").AppendLine("| --- | --- | ---: | ---: | ---: | --- |");
        foreach (var s in report.Suites)
        {
            var worst = string.Join(", ", s.Result.ByDType().Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.DType} {d.WorstUlp}")));
            w.AppendLine(CultureInfo.InvariantCulture, $"| {s.Result.Name} | {s.Result.Profile} | {s.Result.Cases.Count} | {s.Count(CaseOutcome.Failed)} | {s.Count(CaseOutcome.Skipped)} | {worst} |");
        }

        foreach (var s in report.Suites.Where(s => s.Groups.Any(g => g.FailedCases > 0)))
        {
            w.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {s.Result.Name}").AppendLine();
            w.AppendLine("| quantity | dtype | cases | failed | worst ULP | histogram |").AppendLine("| --- | --- | ---: | ---: | ---: | --- |");
            foreach (var g in s.Groups.Where(g => g.FailedCases > 0))
            {
                w.AppendLine(CultureInfo.InvariantCulture, $"| {g.Key} | {g.DType} | {g.Cases} | {g.FailedCases} | {(g.ClassMismatches > 0 ? "NaN" : g.WorstUlp.ToString(CultureInfo.InvariantCulture))} | {Cell(g.StructuralErrors > 0 ? $"{g.StructuralErrors} wrong shape/dtype" : g.Histogram.Describe())} |");
            }

            w.AppendLine();
            foreach (var g in s.Groups.Where(g => g.FailedCases > 0 && g.Worst is not null))
            {
                var worst = g.Worst!;
                w.AppendLine(CultureInfo.InvariantCulture, $"- worst {g.Key} {g.DType}: `{Cell(worst.CaseId)}` {Cell(worst.Element?.Describe() ?? worst.Structural ?? "the call failed")}");
            }
        }

        if (report.Hints.Count > 0)
        {
            w.AppendLine().AppendLine("## Hints").AppendLine();
            foreach (var hint in report.Hints)
            {
                w.AppendLine(CultureInfo.InvariantCulture, $"- **{hint.Code}**: {Cell(hint.Title)} ({Cell(hint.Evidence)})");
            }
        }

        if (report.UnexpectedPasses.Count + report.UnusedEntries.Count > 0)
        {
            w.AppendLine().AppendLine("## Manifest").AppendLine();
            foreach (var pass in report.UnexpectedPasses)
            {
                w.AppendLine(CultureInfo.InvariantCulture, $"- unexpected pass: {pass.Suite.Name} `{Cell(pass.Case.Id)}` ({Cell(pass.Entry!.Reason)})");
            }

            foreach (var entry in report.UnusedEntries)
            {
                w.AppendLine(CultureInfo.InvariantCulture, $"- unused entry: `{Cell(entry.ToString())}` ({Cell(entry.Reason)})");
            }
        }

        return w.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');

    /// <summary>The report as JUnit XML: a testsuite per fixture suite, a testcase per case.</summary>
    /// <param name="report">The report.</param>
    public static string JUnit(HarnessReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var builder = new StringBuilder();
        using (var x = XmlWriter.Create(builder, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false, Encoding = Encoding.UTF8 }))
        {
            x.WriteStartElement("testsuites");
            x.WriteAttributeString("name", "cogddim conform");
            x.WriteAttributeString("tests", Count(report.Suites.Sum(s => s.Cases.Count)));
            x.WriteAttributeString("failures", Count(report.Failed));
            x.WriteAttributeString("skipped", Count(report.Skipped + report.ExpectedFailures));
            x.WriteAttributeString("time", report.Run.Seconds.ToString("0.###", CultureInfo.InvariantCulture));
            foreach (var s in report.Suites)
            {
                x.WriteStartElement("testsuite");
                x.WriteAttributeString("name", Clean(s.Result.Name));
                x.WriteAttributeString("tests", Count(s.Cases.Count));
                x.WriteAttributeString("failures", Count(s.Count(CaseOutcome.Failed)));
                x.WriteAttributeString("skipped", Count(s.Count(CaseOutcome.Skipped) + s.Count(CaseOutcome.ExpectedFailure)));
                foreach (var c in s.Cases)
                {
                    x.WriteStartElement("testcase");
                    x.WriteAttributeString("classname", Clean($"{s.Result.Name}.{c.Case.Kind}"));
                    x.WriteAttributeString("name", Clean(c.Case.Id));
                    switch (c.Outcome)
                    {
                        case CaseOutcome.Failed:
                            x.WriteStartElement("failure");
                            x.WriteAttributeString("message", Clean(c.Case.Failure ?? "values differ"));
                            x.WriteAttributeString("type", c.Case.BackendFailure ? "backend" : "mismatch");
                            x.WriteString(Clean(c.Case.Describe()));
                            x.WriteEndElement();
                            break;
                        case CaseOutcome.Skipped:
                            x.WriteStartElement("skipped");
                            x.WriteAttributeString("message", Clean(c.Case.SkipReason!));
                            x.WriteEndElement();
                            break;
                        case CaseOutcome.ExpectedFailure:
                            x.WriteStartElement("skipped");
                            x.WriteAttributeString("message", Clean($"expected failure: {c.Entry!.Reason}"));
                            x.WriteEndElement();
                            break;
                        case CaseOutcome.UnexpectedPass:
                            x.WriteStartElement("system-out");
                            x.WriteString(Clean($"unexpected pass: the manifest entry {c.Entry} says it fails ({c.Entry!.Reason})"));
                            x.WriteEndElement();
                            break;
                    }

                    x.WriteEndElement();
                }

                x.WriteEndElement();
            }

            x.WriteEndElement();
        }

        return builder.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>XML 1.0 cannot hold most control characters; a garbage-writing port must not break the report.</summary>
    private static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                clean.Append(text, i, 2);
                i++;
            }
            else
            {
                clean.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '\uFFFD');
            }
        }

        return clean.ToString();
    }
}
