using System.Text.RegularExpressions;
using CogDdim.Harness;

namespace CogDdim.Conformance.Harness;

/// <summary>
/// Mutation coverage of docs/reference-semantics.md: every named rule has mutants in the python-numpy example
/// (--mutant), each mutant run through the harness fails public cases with its rule's hint, and fixtures/rule-coverage.tsv
/// (what `conform --coverage` reports) records exactly those failures. Needs python3 with numpy.
/// </summary>
public sealed partial class RuleCoverageTests
{
    private static readonly string CoverageFile = Path.Combine(HarnessFixtures.RepoRoot, "fixtures", RuleCoverage.FileName);

    public static TheoryData<string, string> Mutants()
    {
        var data = new TheoryData<string, string>();
        foreach (var rule in SemanticRules.All)
        {
            foreach (var mutant in rule.Mutants)
            {
                data.Add(rule.Id, mutant);
            }
        }

        return data;
    }

    [Fact]
    public void The_doc_names_exactly_the_rules_of_the_catalog_in_its_order()
    {
        var doc = File.ReadAllText(Path.Combine(HarnessFixtures.RepoRoot, "docs", "reference-semantics.md"));
        var named = RuleName().Matches(doc).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(SemanticRules.All.Select(r => r.Id), named);
    }

    [Fact]
    public void The_python_example_has_exactly_the_catalog_mutants_each_tagged_with_its_rule()
    {
        var port = File.ReadAllText(HarnessFixtures.PythonPort);
        var block = port[port.IndexOf("MUTANTS = {", StringComparison.Ordinal)..];
        block = block[..block.IndexOf("\n}\n", StringComparison.Ordinal)];
        var tagged = MutantLine().Matches(block).Select(m => (Mutant: m.Groups[1].Value, Rule: m.Groups[2].Value)).OrderBy(x => x.Mutant, StringComparer.Ordinal).ToList();
        var catalog = SemanticRules.All.SelectMany(r => r.Mutants.Select(m => (Mutant: m, Rule: r.Id))).OrderBy(x => x.Mutant, StringComparer.Ordinal).ToList();
        Assert.Equal(catalog, tagged);
    }

    [Fact]
    public void Every_rule_is_caught_with_its_hint_in_the_committed_record_and_coverage_names_no_uncaught_rule()
    {
        var rows = RuleCoverage.Read(CoverageFile);
        Assert.All(SemanticRules.All, rule => Assert.Contains(rows, r => r.Rule == rule.Id && r.Hints.Contains(rule.Hint)));
        Assert.All(SemanticRules.All.SelectMany(r => r.Mutants), m => Assert.Contains(rows, r => r.Mutant == m));

        var matrix = CoverageMatrix.Build([.. HarnessFixtures.Set(HarnessFixtures.Primary), .. HarnessFixtures.Set(HarnessFixtures.Second)]);
        Assert.Equal(CoverageFile, matrix.RuleCoverageFile);
        Assert.DoesNotContain(matrix.Missing, m => m.StartsWith("rule", StringComparison.Ordinal));
        Assert.All(matrix.Rules, r => Assert.NotEmpty(r.WithHint));
        Assert.Contains("through-float32", matrix.ToText(), StringComparison.Ordinal);
    }

    /// <summary>Runs the mutant on the suites the record lists for it and requires the recorded failures and the rule's hint.</summary>
    [Theory]
    [MemberData(nameof(Mutants))]
    public void Each_mutant_fails_its_recorded_cases_with_its_rules_hint(string rule, string mutant)
    {
        var expected = RuleCoverage.Read(CoverageFile).Where(r => r.Mutant == mutant).ToList();
        Assert.NotEmpty(expected);
        Assert.All(expected, r => Assert.Equal(rule, r.Rule));
        // The listed suites, and `defaults` of each set beside them: hints read failures against passes.
        var names = expected.Select(r => r.Suite).Concat([HarnessFixtures.Primary + "/defaults", HarnessFixtures.Second + "/defaults"]).Distinct();
        var suites = names.Select(n => n.Split('/')).Select(p => HarnessFixtures.Suite(p[0], p[1])).ToList();

        var report = HarnessFixtures.Run(HarnessFixtures.Options(HarnessFixtures.PortCommand(mutant)), suites);

        Assert.Empty(report.Run.Incidents);
        Assert.Contains(SemanticRules.Find(rule)!.Hint, report.Hints.Select(h => h.Code));
        foreach (var row in expected)
        {
            var suite = report.Suites.Single(s => s.Fixture.SetName + "/" + s.Fixture.Name == row.Suite);
            Assert.True(row.Failed == suite.Result.Failed, $"{mutant} in {row.Suite}: recorded {row.Failed} failing cases, now {suite.Result.Failed}");
            var failing = suite.Cases.Where(c => c.Case.Failed).Select(c => c.Case.Id).Take(row.Cases.Count);
            Assert.Equal(row.Cases, failing);
        }
    }

    [GeneratedRegex(@"^- `\[rule: ([a-z0-9-]+)\]`", RegexOptions.Multiline)]
    private static partial Regex RuleName();

    [GeneratedRegex("^\\s+\"([a-z0-9-]+)\": \"\\[([a-z0-9-]+)\\]", RegexOptions.Multiline)]
    private static partial Regex MutantLine();
}
