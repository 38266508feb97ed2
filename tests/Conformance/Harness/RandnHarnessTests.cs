using System.Diagnostics;
using System.Text.Json;
using CogDdim.Backends;
using CogDdim.Cli;
using CogDdim.Fixtures;
using CogDdim.Harness;
using CogDdim.Tensors;

namespace CogDdim.Conformance.Harness;

/// <summary>
/// The <c>randn</c> call of the candidate protocol: every draw of both randn files through the Python example's
/// generator (cogddim_randn.py), its mutants caught per dtype with the hint that names the cause, a port without
/// randn skipped (never passed), malformed replies named by case, and the messages against the schema.
/// </summary>
public sealed class RandnHarnessTests
{
    private static FixtureSuite RandnSuite(string set) => RandnFixture.ReadFile(Path.Combine(HarnessFixtures.SetPath(set), RandnFixture.FileName)).ToSuite();

    /// <summary>The first <paramref name="draws"/> draws of a set's file and nothing else: a small suite for the hostile ports.</summary>
    private static FixtureSuite Small(int draws = 3, string set = HarnessFixtures.Primary)
    {
        var file = RandnFixture.ReadFile(Path.Combine(HarnessFixtures.SetPath(set), RandnFixture.FileName));
        return (file with { Draws = file.Draws[..draws], Strided = [], Sequences = [], RandnTensor = [] }).ToSuite();
    }

    private static string Speaker(string mode) =>
        $"{HarnessFixtures.Quote(HarnessFixtures.Python)} {HarnessFixtures.Quote(HarnessFixtures.Hostile("randn_speaker.py"))} {mode}";

    [Theory]
    [InlineData(HarnessFixtures.Primary)]
    [InlineData(HarnessFixtures.Second)]
    public void The_python_example_draws_every_randn_case_bit_for_bit_with_the_states(string set)
    {
        var suite = RandnSuite(set);
        var file = suite.Randn!;
        var report = HarnessFixtures.Run(HarnessFixtures.Options(HarnessFixtures.PortCommand()), [suite]);

        Assert.Empty(report.Run.Incidents);
        Assert.Equal(file.Draws.Length + file.Strided.Length + (2 * file.Sequences.Length) + file.RandnTensor.Length, report.Suites[0].Cases.Count);
        Assert.Equal(491, report.Suites[0].Cases.Count);
        Assert.Equal("491 passed, 0 failed", report.ClosingLine);
        Assert.Equal(0, report.Skipped);
        Assert.Empty(report.Hints);
        Assert.Contains(CandidateRandnProtocol.RandnState, report.Run.Handshake!.Calls);
        // Per quantity and dtype, as the scheduler cases: every dtype drawn, compared to 0 ULP, the 5b digests by their edges.
        var groups = report.Suites[0].Groups;
        foreach (var dtype in new[] { "float64", "float32", "float16", "bfloat16" })
        {
            var draws = Assert.Single(groups, g => g.Key == "randn_draw/output" && g.DType == dtype);
            Assert.Equal(0, draws.FailedCases);
            Assert.Equal(0UL, draws.WorstUlp);
            Assert.True(draws.Elements > 1000);
            Assert.Contains(groups, g => g.Key == "randn_draw/output.head" && g.DType == dtype && g.Elements == 2 * 1024);
            Assert.Contains(groups, g => g.Key == "randn_sequence/outputs" && g.DType == dtype);
        }

        Assert.Contains(groups, g => g.Key == "randn_tensor/latents.tail" && g.DType == "bfloat16");
    }

    [Theory]
    [InlineData("box-muller-swap", RandnDiagnosisHints.Vector)]
    [InlineData("serial-below-8", RandnDiagnosisHints.Serial)]
    [InlineData("no-cache", RandnDiagnosisHints.Serial)]
    public void Each_generator_mutant_is_caught_in_every_dtype_and_the_hint_names_its_cause(string mutant, string hint)
    {
        var command = $"env COGDDIM_RANDN_MUTANT={mutant} {HarnessFixtures.PortCommand()}";
        var report = HarnessFixtures.Run(HarnessFixtures.Options(command), [RandnSuite(HarnessFixtures.Primary), RandnSuite(HarnessFixtures.Second)]);

        Assert.Empty(report.Run.Incidents);
        Assert.All(report.Suites, s => Assert.True(s.Result.Failed > 0, $"{mutant} not caught in {s.Result.Name}"));
        Assert.Equal(hint, Assert.Single(report.Hints).Code);
        foreach (var suite in report.Suites)
        {
            foreach (var dtype in new[] { "float64", "float32", "float16", "bfloat16" })
            {
                var group = Assert.Single(suite.Groups, g => g.Key == "randn_draw/output" && g.DType == dtype);
                Assert.True(group.FailedCases > 0 && group.FailedCases < group.Cases, $"{suite.Result.Name} {dtype}: {group.FailedCases} of {group.Cases}");
                Assert.NotNull(group.Worst!.Request);
                Assert.Contains("\"call\":\"randn\"", group.Worst.Request, StringComparison.Ordinal);
            }
        }

        // The text report has a line per quantity and dtype, and names the worst case of each.
        var text = ReportWriters.Text(report, verbose: false);
        Assert.Matches(@"randn_draw/output\s+bfloat16\s+\d+\s+[1-9]\d*", text);
        Assert.Contains("worst randn_draw/output float32: randn_draw[", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_box_muller_mutant_differs_exactly_in_the_16_wide_draws()
    {
        var suite = RandnSuite(HarnessFixtures.Primary);
        var report = HarnessFixtures.Run(HarnessFixtures.Options($"env COGDDIM_RANDN_MUTANT=box-muller-swap {HarnessFixtures.PortCommand()}"), [suite]);
        var draws = report.Suites[0].Cases.Where(c => c.Case.Kind == CaseKinds.RandnDraw).ToList();
        foreach (var c in draws)
        {
            var n = suite.Randn!.Draws[c.Case.Index].Output.Count;
            Assert.True(c.Case.Passed == (n < 16), $"{c.Case.Describe()}");
        }

        // The strided draws take the serial path at 100 elements too: untouched.
        Assert.All(report.Suites[0].Cases.Where(c => c.Case.Kind == CaseKinds.RandnStrided), c => Assert.True(c.Case.Passed, c.Case.Describe()));
    }

    [Fact]
    public void A_port_without_randn_has_every_randn_case_skipped_and_a_run_of_only_those_fails()
    {
        var command = HarnessFixtures.PortCommand() + " --calls schedule,set_timesteps,step";
        var report = HarnessFixtures.Run(HarnessFixtures.Options(command), [RandnSuite(HarnessFixtures.Primary)]);

        Assert.Equal(0, report.Passed);
        Assert.Equal(0, report.Failed);
        Assert.Equal(491, report.Skipped);
        Assert.All(report.Suites[0].Cases, c => Assert.Contains("does not offer randn", c.Case.SkipReason, StringComparison.Ordinal));

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = ConformCommand.Run([Path.Combine(HarnessFixtures.SetPath(HarnessFixtures.Primary), RandnFixture.FileName), "--candidate", command], stdout, stderr);
        Assert.Equal(1, code);
        Assert.EndsWith("0 passed, 0 failed", stdout.ToString().TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("nothing was checked: all 491 cases were skipped", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Dtypes_a_port_does_not_offer_are_skipped_and_the_rest_pass()
    {
        var suite = RandnSuite(HarnessFixtures.Primary);
        var report = HarnessFixtures.Run(HarnessFixtures.Options(HarnessFixtures.PortCommand() + " --dtypes float64,float32"), [suite]);
        var file = suite.Randn!;
        var wide = file.Draws.Count(d => d.DType.Size() >= 4) + file.Strided.Count(s => s.DType.Size() >= 4) + file.RandnTensor.Count(t => t.DType.Size() >= 4);

        Assert.Equal(0, report.Failed);
        Assert.Equal(wide, report.Passed);
        Assert.Equal(491 - wide, report.Skipped);
        Assert.All(report.Suites[0].Cases.Where(c => c.Case.Kind == CaseKinds.RandnSequence), c => Assert.Contains("does not support", c.Case.SkipReason, StringComparison.Ordinal));
    }

    [Fact]
    public void Without_randn_state_the_outputs_are_checked_and_the_states_are_not_asked_for()
    {
        var report = HarnessFixtures.Run(HarnessFixtures.Options(HarnessFixtures.PortCommand() + " --calls schedule,randn"), [RandnSuite(HarnessFixtures.Second)]);
        Assert.Equal("491 passed, 0 failed", report.ClosingLine);

        // A port that lists randn_state and answers garbage states is caught even where its outputs would not be.
        var garbage = HarnessFixtures.Run(HarnessFixtures.Options(Speaker("garbage-state"), maxRestarts: 10), [Small()]);
        Assert.Equal(0, garbage.Passed);
    }

    [Fact]
    public void Wrong_shapes_are_structural_failures_named_by_case_not_broken_ports()
    {
        var report = HarnessFixtures.Run(HarnessFixtures.Options(Speaker("wrong-shape")), [Small()]);

        Assert.Empty(report.Run.Incidents);
        Assert.Equal(3, report.Failed);
        var first = report.Suites[0].Cases[0].Case;
        Assert.False(first.BackendFailure);
        Assert.Equal("randn_draw[0] seed=0 [1] float64: output: shape [2], expected [1]", first.Describe());
    }

    [Fact]
    public void A_randn_report_in_json_follows_the_report_schema()
    {
        var report = HarnessFixtures.Run(HarnessFixtures.Options($"env COGDDIM_RANDN_MUTANT=no-cache {HarnessFixtures.PortCommand()}"), [Small(40)]);
        Assert.True(report.Failed > 0);
        using var json = JsonDocument.Parse(ReportWriters.Write(report, "json"));
        SchemaCheck.Validate(json.RootElement, HarnessFixtures.RepoRoot);
        System.Xml.Linq.XDocument.Parse(ReportWriters.JUnit(report));
    }

    [Fact]
    public void Nan_outputs_count_as_nan_against_a_number_in_every_element()
    {
        var report = HarnessFixtures.Run(HarnessFixtures.Options(Speaker("nan")), [Small()]);

        Assert.Empty(report.Run.Incidents);
        Assert.Equal(3, report.Failed);
        var comparison = Assert.Single(report.Suites[0].Cases[2].Case.Comparisons);
        Assert.Equal(comparison.Elements, comparison.ClassMismatches);
        Assert.Contains("randn_draw[2] seed=0 [1] float16: output (float16): 1 of 1 elements differ", report.Suites[0].Cases[2].Case.Describe(), StringComparison.Ordinal);
        Assert.Contains("NaN against a number", report.Suites[0].Cases[2].Case.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage-state", "result.states[0] is not a base64 string")]
    [InlineData("short-state", "result.states[0] has 12 bytes; torch's generator state has 5056")]
    [InlineData("unasked-digest", "result.outputs[0] is a digest, but the request asked for the data (digest: false)")]
    [InlineData("too-few", "result.outputs has 0 entries for 1 draws")]
    public void A_malformed_reply_is_a_protocol_error_that_names_the_case_and_the_value(string mode, string message)
    {
        var report = HarnessFixtures.Run(HarnessFixtures.Options(Speaker(mode), maxRestarts: 10), [Small()]);

        Assert.Equal(0, report.Passed);
        Assert.Equal(3, report.Failed);
        var c = report.Suites[0].Cases[0].Case;
        Assert.True(c.BackendFailure);
        Assert.Equal($"randn_draw[0] seed=0 [1] float64: candidate's reply to randn: {message}", c.Describe());
        Assert.All(report.Run.Incidents, i => Assert.Equal(CandidateVerdicts.ProtocolError, i.Verdict));
        Assert.Equal(DiagnosisHints.Process, report.Hints[0].Code);
    }

    [Fact]
    public void The_in_process_backends_draw_every_case_with_torch_generator()
    {
        foreach (var set in new[] { HarnessFixtures.Primary, HarnessFixtures.Second })
        {
            var result = new ConformanceRunner(ReferenceBackend.Instance).Run(RandnSuite(set));
            Assert.Equal(491, result.Passed);
            Assert.Equal(0, result.Failed + result.Skipped);
        }

        // The torch 2.x rules fail the 1.13 set exactly where the builds differ (float16 from 16 elements, the serial float64 log).
        var forced = new ConformanceRunner(ReferenceBackend.Instance).Run(RandnSuite(HarnessFixtures.Second), global::CogDdim.Semantics.SemanticsProfile.Torch2Cpu);
        Assert.True(forced.Failed > 0);
        Assert.All(forced.Cases.Where(c => c.Failed && c.Kind == CaseKinds.RandnDraw), c => Assert.True(c.DTypeLabel is "float16" or "float64", c.Describe()));
    }

    // ------------------------------------------------------------------ protocol and schema

    private static IReadOnlyList<string> RandnRequests()
    {
        var file = RandnSuite(HarnessFixtures.Primary).Randn!;
        var semantics = file.Semantics;
        var digest = file.Draws.First(d => d.Output.IsDigest && d.DType == DType.BFloat16);
        return
        [
            CandidateRandnProtocol.Request(1, RandnCases.Draw(file.Draws[0], semantics)),
            CandidateRandnProtocol.Request(2, RandnCases.Draw(digest, semantics)),
            CandidateRandnProtocol.Request(3, RandnCases.Strided(file.Strided[0], semantics)),
            CandidateRandnProtocol.Request(4, RandnCases.Sequence(file.Sequences[0], semantics)),
            CandidateRandnProtocol.Request(5, RandnCases.Resume(file.Sequences[0], semantics)),
            .. RandnCases.Tensor(file.RandnTensor.First(t => t.SeedList && t.Seeds.Length == 2), semantics).Select((c, i) => CandidateRandnProtocol.Request(6 + i, c)),
        ];
    }

    [Fact]
    public void Every_randn_request_follows_the_schema_and_says_what_the_design_says()
    {
        var requests = RandnRequests();
        foreach (var request in requests)
        {
            using var document = JsonDocument.Parse(request);
            SchemaCheck.Validate(document.RootElement, HarnessFixtures.RepoRoot, "cogddim-candidate-1.schema.json", "randn_request");
            SchemaCheck.Validate(document.RootElement, HarnessFixtures.RepoRoot, "cogddim-candidate-1.schema.json");
        }

        Assert.Equal("""{"id":1,"call":"randn","randn_semantics":{"float16":"reduced-steps","bfloat16":"reduced-steps","float32":"avx2-cephes","serial_log":"log1p"},"args":{"seed":0,"state":null,"draws":[{"shape":[1],"dtype":"float64","layout":"contiguous"}],"digest":false}}""", requests[0]);
        Assert.Contains("\"digest\":true", requests[1], StringComparison.Ordinal);
        Assert.Contains("\"layout\":\"strided\"", requests[2], StringComparison.Ordinal);
        using var resume = JsonDocument.Parse(requests[4]);
        Assert.Equal(JsonValueKind.Null, resume.RootElement.GetProperty("args").GetProperty("seed").ValueKind);
        Assert.Equal(5056, resume.RootElement.GetProperty("args").GetProperty("state").GetBytesFromBase64().Length);
        using var list = JsonDocument.Parse(requests[5]);
        Assert.Equal(1, list.RootElement.GetProperty("args").GetProperty("draws")[0].GetProperty("shape")[0].GetInt32());
    }

    [Fact]
    public void The_example_port_answers_randn_requests_with_replies_that_follow_the_schema()
    {
        var requests = RandnRequests();
        var info = new ProcessStartInfo(HarnessFixtures.PythonWithNumpy, [HarnessFixtures.PythonPort]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var port = Process.Start(info)!;
        port.StandardInput.Write(string.Join("\n", requests) + "\n");
        port.StandardInput.Close();
        var replies = port.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(port.WaitForExit(60_000));

        Assert.Equal(requests.Count, replies.Length);
        foreach (var line in replies)
        {
            using var reply = JsonDocument.Parse(line);
            SchemaCheck.Validate(reply.RootElement, HarnessFixtures.RepoRoot, "cogddim-candidate-1.schema.json", "reply");
            SchemaCheck.Validate(reply.RootElement.GetProperty("result"), HarnessFixtures.RepoRoot, "cogddim-candidate-1.schema.json", "randn_result");
        }

        // The 5b bfloat16 draw, asked with digest: true, comes back as a digest with its edges.
        using var digest = JsonDocument.Parse(replies[1]);
        var output = digest.RootElement.GetProperty("result").GetProperty("outputs")[0];
        Assert.Equal(64, output.GetProperty("sha256").GetString()!.Length);
        Assert.Equal(2 * 1024, output.GetProperty("head").GetBytesFromBase64().Length);
    }

    [Fact]
    public void A_malformed_randn_file_is_an_error_naming_the_file_line_and_path()
    {
        var path = Path.Combine(HarnessFixtures.SetPath(HarnessFixtures.Primary), RandnFixture.FileName);
        var text = File.ReadAllText(path);
        var broken = text.Replace("\"serial_log\": \"log1p\"", "\"serial_log\": \"log2\"", StringComparison.Ordinal);
        var e = Assert.Throws<FixtureFormatException>(() => RandnFixture.Read(System.Text.Encoding.UTF8.GetBytes(broken), "x.cogddim-randn"));
        Assert.Equal("$.reference.semantics.serial_log", e.JsonPath);
        Assert.NotNull(e.Line);
        Assert.Contains("\"log2\" is not a rule this reader knows (log1p, log-one-minus)", e.Message, StringComparison.Ordinal);

        var format = Assert.Throws<FixtureFormatException>(() => RandnFixture.Read(System.Text.Encoding.UTF8.GetBytes("""{"format": "cogddim-randn/2"}"""), "y"));
        Assert.Equal("y: line 1, column 12: at $.format: \"cogddim-randn/2\" is not a format this reader knows; expected \"cogddim-randn/1\"", format.Message);

        var noSha = Assert.Throws<FixtureFormatException>(() => RandnFixture.Read(System.Text.Encoding.UTF8.GetBytes(
            """{"format": "cogddim-randn/1", "reference": {"torch": "2.6.0", "semantics": {"float16": "reduced-steps", "bfloat16": "reduced-steps", "float32": "avx2-cephes", "serial_log": "log1p"}}, "draws": [{"seed": -1, "shape": [1], "dtype": "float64", "output": {}}]}"""), "z"));
        Assert.Equal("$.draws[0].seed", noSha.JsonPath);
        Assert.Contains("expected an unsigned 64-bit integer, found -1", noSha.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conform_with_a_candidate_runs_the_randn_cases_beside_the_scheduler_ones_on_both_sets()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = ConformCommand.Run([
            Path.Combine(HarnessFixtures.SetPath(HarnessFixtures.Primary), "trained-betas-v-trailing.json"),
            Path.Combine(HarnessFixtures.SetPath(HarnessFixtures.Primary), RandnFixture.FileName),
            Path.Combine(HarnessFixtures.SetPath(HarnessFixtures.Second), RandnFixture.FileName),
            "--candidate", HarnessFixtures.PortCommand()], stdout, stderr);

        var lines = stdout.ToString().TrimEnd().Split('\n');
        Assert.Equal(0, code);
        Assert.StartsWith("ok   torch-2.6-cpu/trained-betas-v-trailing [candidate, torch2-cpu]: 83 cases", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("ok   torch-2.6-cpu/randn [candidate, torch2-cpu]: 491 cases, 0 failed; worst ULP float64 0, float32 0, float16 0, bfloat16 0", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("ok   torch-1.13-cpu/randn [candidate, torch113-cpu]: 491 cases, 0 failed", lines[2], StringComparison.Ordinal);
        Assert.Equal("1065 passed, 0 failed", lines[^1]);
    }
}
