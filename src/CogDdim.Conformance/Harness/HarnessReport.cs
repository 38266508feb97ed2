using System.Globalization;
using System.Text.RegularExpressions;
using CogDdim.Conformance;
using CogDdim.Fixtures;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>What became of a case once the expected-failures manifest is applied.</summary>
public enum CaseOutcome
{
    /// <summary>Passed, and no manifest entry matches it.</summary>
    Passed,
    /// <summary>Failed, and no manifest entry expects it.</summary>
    Failed,
    /// <summary>Not run: the backend does not offer the call or the dtype.</summary>
    Skipped,

    /// <summary>Failed, and a manifest entry says it will.</summary>
    ExpectedFailure,

    /// <summary>Passed, although a manifest entry says it fails: the entry can go.</summary>
    UnexpectedPass,
}

/// <summary>A case with its outcome under the manifest.</summary>
/// <param name="Suite">The suite it belongs to.</param>
/// <param name="Case">The case's result.</param>
/// <param name="Outcome">What became of it once the manifest is applied.</param>
/// <param name="Entry">The manifest entry that matched, or null.</param>
public sealed record ReportedCase(SuiteResult Suite, CaseResult Case, CaseOutcome Outcome, ExpectedFailure? Entry);

/// <summary>One input element of the worst case, as recorded in the fixture.</summary>
/// <param name="Name">The input, e.g. <c>sample</c> or <c>timestep</c>.</param>
/// <param name="Value">Its value at the differing element.</param>
/// <param name="Bits">Its bits in hex for a tensor element; null for an integer or an index.</param>
public sealed record ReproInput(string Name, string Value, string? Bits);

/// <summary>The worst difference of a group: where it is, and the inputs (and the protocol request) that reproduce it.</summary>
/// <param name="CaseId">The case's id.</param>
/// <param name="Kind">The case's kind (<see cref="CaseKinds"/>).</param>
/// <param name="CaseIndex">The case's index in its fixture list.</param>
/// <param name="Quantity">The differing quantity, or <c>(call)</c> when the case failed outside a comparison.</param>
/// <param name="Element">The worst differing element, or null.</param>
/// <param name="Structural">A structural error or the case's failure, or null.</param>
/// <param name="Inputs">The fixture's inputs at that element.</param>
/// <param name="Request">The one <c>cogddim-candidate/1</c> request line that recomputes the case, or null.</param>
public sealed record WorstCase(
    string CaseId,
    string Kind,
    int CaseIndex,
    string Quantity,
    ElementMismatch? Element,
    string? Structural,
    IReadOnlyList<ReproInput> Inputs,
    string? Request);

/// <summary>Every comparison of one quantity in one dtype across a suite's cases.</summary>
/// <param name="Kind">The case kind (<see cref="CaseKinds"/>).</param>
/// <param name="Quantity">The quantity, with a trailing step index left out (<c>prev_samples[3]</c> counts as <c>prev_samples</c>).</param>
/// <param name="DType">The case's dtype label.</param>
/// <param name="Cases">Cases with the quantity.</param>
/// <param name="FailedCases">Of those, the ones where it did not pass.</param>
/// <param name="Elements">Elements compared.</param>
/// <param name="Histogram">Every compared element by distance.</param>
/// <param name="WorstUlp">The largest distance.</param>
/// <param name="ClassMismatches">Elements with NaN against a number.</param>
/// <param name="ZeroSignMismatches">Elements with +0 against −0.</param>
/// <param name="StructuralErrors">Comparisons with a dtype or shape that differs.</param>
/// <param name="Worst">The worst difference with its inputs, or null when none differs.</param>
public sealed record QuantityGroup(
    string Kind,
    string Quantity,
    string DType,
    int Cases,
    int FailedCases,
    long Elements,
    UlpHistogram Histogram,
    ulong WorstUlp,
    long ClassMismatches,
    long ZeroSignMismatches,
    int StructuralErrors,
    WorstCase? Worst)
{
    /// <summary><c>kind/quantity</c>, e.g. <c>step/prev_sample</c>.</summary>
    public string Key => $"{Kind}/{Quantity}";
}

/// <summary>One suite of a report: its result, its fixture, its quantity groups and its cases with their outcomes.</summary>
/// <param name="Result">The suite's result.</param>
/// <param name="Fixture">The suite as read from its file.</param>
/// <param name="Groups">Every comparison grouped by case kind, quantity and dtype.</param>
/// <param name="Cases">Every case with its outcome.</param>
public sealed record SuiteReport(SuiteResult Result, FixtureSuite Fixture, IReadOnlyList<QuantityGroup> Groups, IReadOnlyList<ReportedCase> Cases)
{
    /// <summary>The number of cases with the outcome.</summary>
    /// <param name="outcome">The outcome to count.</param>
    public int Count(CaseOutcome outcome) => Cases.Count(c => c.Outcome == outcome);
}

/// <summary>Who ran what, where: the header every report format carries.</summary>
/// <param name="Harness">The harness version (<see cref="HarnessInfo.Version"/>).</param>
/// <param name="Platform">The machine (<see cref="HarnessInfo.Platform"/>).</param>
/// <param name="Backend">The backend's name.</param>
/// <param name="Tolerance">The tolerance's name (<c>exact</c> unless set).</param>
/// <param name="FixtureSets">The fixture sets the suites came from.</param>
/// <param name="FixturePaths">The fixture paths given, in full.</param>
/// <param name="ManifestPath">The expected-failures manifest, or null.</param>
/// <param name="CandidateCommand">The candidate's command line, or null for a built-in backend.</param>
/// <param name="Handshake">The candidate's hello reply, or null.</param>
/// <param name="Incidents">Every time the candidate broke.</param>
/// <param name="Restarts">How many times it was started again.</param>
/// <param name="Abandoned">Why the harness stopped talking to it, or null.</param>
/// <param name="Started">When the run started.</param>
/// <param name="Seconds">How long it took.</param>
public sealed record RunInfo(
    string Harness,
    string Platform,
    string Backend,
    string Tolerance,
    IReadOnlyList<string> FixtureSets,
    IReadOnlyList<string> FixturePaths,
    string? ManifestPath,
    string? CandidateCommand,
    CandidateHandshake? Handshake,
    IReadOnlyList<CandidateIncident> Incidents,
    int Restarts,
    string? Abandoned,
    DateTimeOffset Started,
    double Seconds);

/// <summary>
/// A conformance run made readable: per suite, per quantity and dtype, cases, failures, worst ULP and the ULP
/// histogram, the worst case with its inputs, the manifest's verdicts, and hints at the likely cause.
/// </summary>
public sealed class HarnessReport
{
    /// <summary>The JSON report's <c>format</c> value.</summary>
    public const string FormatName = "cogddim-harness-report/1";

    private HarnessReport(RunInfo run, IReadOnlyList<SuiteReport> suites, ExpectedFailureManifest manifest)
    {
        Run = run;
        Suites = suites;
        Manifest = manifest;
        var all = suites.SelectMany(s => s.Cases).ToList();
        Passed = all.Count(c => c.Outcome is CaseOutcome.Passed or CaseOutcome.UnexpectedPass);
        Failed = all.Count(c => c.Outcome == CaseOutcome.Failed);
        Skipped = all.Count(c => c.Outcome == CaseOutcome.Skipped);
        ExpectedFailures = all.Count(c => c.Outcome == CaseOutcome.ExpectedFailure);
        UnexpectedPasses = all.Where(c => c.Outcome == CaseOutcome.UnexpectedPass).ToList();
        var used = all.Where(c => c.Entry is not null).Select(c => c.Entry!).ToHashSet();
        UnusedEntries = manifest.Entries.Where(e => !used.Contains(e)).ToList();
        Hints = [.. DiagnosisHints.Judge(suites), .. DpmDiagnosisHints.Judge(suites), .. RandnDiagnosisHints.Judge(suites)];
    }

    /// <summary>Who ran what, where: the header.</summary>
    public RunInfo Run { get; }

    /// <summary>Every suite of the run, in run order.</summary>
    public IReadOnlyList<SuiteReport> Suites { get; }

    /// <summary>The expected-failures manifest applied (<see cref="ExpectedFailureManifest.None"/> when none was given).</summary>
    public ExpectedFailureManifest Manifest { get; }

    /// <summary>Cases that passed, unexpected passes included.</summary>
    public int Passed { get; }

    /// <summary>Cases that failed and no manifest entry expects to.</summary>
    public int Failed { get; }

    /// <summary>Cases not run: the backend does not offer the call or the dtype.</summary>
    public int Skipped { get; }

    /// <summary>Cases that failed as a manifest entry says they will.</summary>
    public int ExpectedFailures { get; }

    /// <summary>Cases that passed although a manifest entry says they fail: the entry can go.</summary>
    public IReadOnlyList<ReportedCase> UnexpectedPasses { get; }

    /// <summary>Manifest entries that matched no case.</summary>
    public IReadOnlyList<ExpectedFailure> UnusedEntries { get; }

    /// <summary>The likely causes of the failures (<see cref="DiagnosisHints.Judge"/>).</summary>
    public IReadOnlyList<DiagnosisHint> Hints { get; }

    /// <summary>The closing line of every text run: <c>N passed, M failed</c>.</summary>
    public string ClosingLine => string.Create(CultureInfo.InvariantCulture, $"{Passed} passed, {Failed} failed");

    /// <summary>Builds the report of a run: applies the manifest, groups the comparisons, finds each group's worst case and its inputs, and judges the hints.</summary>
    /// <param name="run">The header.</param>
    /// <param name="results">Each suite as read, with its result.</param>
    /// <param name="manifest">The expected failures; none when null.</param>
    public static HarnessReport Build(RunInfo run, IReadOnlyList<(FixtureSuite Fixture, SuiteResult Result)> results, ExpectedFailureManifest? manifest = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(results);
        manifest ??= ExpectedFailureManifest.None;
        var suites = new List<SuiteReport>();
        foreach (var (fixture, result) in results)
        {
            var cases = result.Cases.Select(c => Judge(result, c, manifest)).ToList();
            suites.Add(new SuiteReport(result, fixture, Groups(fixture, result), cases));
        }

        return new HarnessReport(run, suites, manifest);
    }

    private static ReportedCase Judge(SuiteResult suite, CaseResult c, ExpectedFailureManifest manifest)
    {
        if (c.Skipped)
        {
            return new ReportedCase(suite, c, CaseOutcome.Skipped, null);
        }

        var entry = manifest.Match(suite.Name, c.Id);
        var outcome = (c.Passed, entry is null) switch
        {
            (true, true) => CaseOutcome.Passed,
            (true, false) => CaseOutcome.UnexpectedPass,
            (false, true) => CaseOutcome.Failed,
            (false, false) => CaseOutcome.ExpectedFailure,
        };
        return new ReportedCase(suite, c, outcome, entry);
    }

    /// <summary><c>prev_samples[3]</c> → <c>prev_samples</c>: trajectory steps group together.</summary>
    public static string QuantityName(string quantity) => Regex.Replace(quantity, @"\[\d+\]$", string.Empty);

    private static List<QuantityGroup> Groups(FixtureSuite fixture, SuiteResult result)
    {
        var groups = new List<QuantityGroup>();
        var rows = new List<(string Kind, string Quantity, string DType, CaseResult Case, TensorComparison? Comparison)>();
        foreach (var c in result.Cases.Where(c => !c.Skipped))
        {
            if (c.Comparisons.Count == 0 || c.Failure is not null)
            {
                rows.Add((c.Kind, "(call)", c.DTypeLabel, c, null));
            }

            foreach (var comparison in c.Comparisons)
            {
                var dtype = c.Kind is CaseKinds.Schedule || CaseKinds.IsRandn(c.Kind) ? comparison.DType.Name()
                    : comparison.DType == DType.Int64 ? "int64" : c.DTypeLabel;
                rows.Add((c.Kind, QuantityName(comparison.Quantity), dtype, c, comparison));
            }
        }

        foreach (var g in rows.GroupBy(r => (r.Kind, r.Quantity, r.DType)))
        {
            var histogram = UlpHistogram.Empty;
            long elements = 0, classMismatches = 0, zeroSign = 0;
            ulong worstUlp = 0;
            var structural = 0;
            (CaseResult Case, TensorComparison? Comparison)? worst = null;
            var failedCases = new HashSet<CaseResult>(ReferenceEqualityComparer.Instance);
            foreach (var (_, _, _, c, comparison) in g)
            {
                if (comparison is null)
                {
                    if (c.Failure is not null)
                    {
                        failedCases.Add(c);
                        worst ??= (c, null);
                    }

                    continue;
                }

                elements += comparison.Elements;
                histogram = histogram.Add(comparison.Histogram);
                classMismatches += comparison.ClassMismatches;
                zeroSign += comparison.ZeroSignMismatches;
                worstUlp = Math.Max(worstUlp, comparison.WorstUlp);
                structural += comparison.StructuralError is null ? 0 : 1;
                if (!comparison.Passed)
                {
                    failedCases.Add(c);
                    if (worst is not { Comparison: { } w } || Severity(comparison).CompareTo(Severity(w)) > 0)
                    {
                        worst = (c, comparison);
                    }
                }
            }

            var cases = g.Select(r => r.Case).Distinct(ReferenceEqualityComparer.Instance).Count();
            groups.Add(new QuantityGroup(g.Key.Kind, g.Key.Quantity, g.Key.DType, cases, failedCases.Count, elements, histogram, worstUlp,
                classMismatches, zeroSign, structural, worst is { } found ? Worst(fixture, result, found.Case, found.Comparison) : null));
        }

        return groups;
    }

    /// <summary>Structural errors first, then NaN against a number, then the ULP distance.</summary>
    private static (int, int, ulong) Severity(TensorComparison c) =>
        (c.StructuralError is null ? 0 : 1, c.ClassMismatches > 0 ? 1 : 0, c.WorstUlp);

    private static WorstCase Worst(FixtureSuite fixture, SuiteResult result, CaseResult c, TensorComparison? comparison)
    {
        var element = comparison?.Worst;
        var profile = SemanticsProfile.FindByName(result.Profile) is { } named && !named.SameRules(fixture.Reference.Semantics)
            ? named
            : fixture.Reference.Semantics;
        var (inputs, request) = Reproduction.Of(fixture, profile, c, comparison?.Quantity, element?.Index);
        return new WorstCase(c.Id, c.Kind, c.Index, comparison?.Quantity ?? "(call)", element,
            comparison?.StructuralError ?? (comparison is null ? c.Failure : null), inputs, request);
    }
}
