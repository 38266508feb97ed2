using System.Diagnostics;
using CogDdim.Cli;
using CogDdim.Harness;

namespace CogDdim.Conformance.Harness;

/// <summary>
/// Issue 14's hostile ports: a port that implements nothing, one that cannot start, replies with a string id or a lone
/// surrogate, megabyte error messages, forked children (alive after a clean shutdown, or holding stdout after the
/// parent crashed), and the Python class a port names. Every run ends with a clear verdict and no process left.
/// </summary>
public sealed class HostilePortTests
{
    private const string Mark = "COGDDIM_TEST_PORT_MARK";

    private static readonly global::CogDdim.Fixtures.FixtureSuite Small = HarnessFixtures.Suite(HarnessFixtures.Primary, "trained-betas-v-trailing");

    private static string Speaker(string mode) =>
        $"{HarnessFixtures.Quote(HarnessFixtures.Python)} {HarnessFixtures.Quote(HarnessFixtures.Hostile("protocol_speaker.py"))} {mode}";

    /// <summary>Runs the speaker in a mode with a mark in its environment; asserts that nothing marked outlives the run.</summary>
    private static HarnessReport RunMarked(string mode, double callSeconds = 20, int maxRestarts = 3, global::CogDdim.Fixtures.FixtureSuite? suite = null)
    {
        var mark = Guid.NewGuid().ToString("N");
        var options = HarnessFixtures.Options(Speaker(mode), callSeconds, maxRestarts) with
        {
            Environment = new Dictionary<string, string> { [Mark] = mark },
        };
        var report = HarnessFixtures.Run(options, [suite ?? Small]);
        AssertNothingLeft(mark);
        return report;
    }

    internal static void AssertNothingLeft(string mark)
    {
        // A killed process may take a moment to be reaped.
        var watch = Stopwatch.StartNew();
        IReadOnlyList<int> left;
        do
        {
            left = PortProcesses.FindByEnvironment(Mark, mark);
        }
        while (left.Count > 0 && watch.Elapsed < TimeSpan.FromSeconds(5) && Sleep());

        Assert.True(left.Count == 0, $"port processes still running after the run: {string.Join(", ", left)}");

        static bool Sleep()
        {
            Thread.Sleep(100);
            return true;
        }
    }

    [Fact]
    public void A_port_that_answers_Unsupported_to_schedule_fails_and_the_command_exits_1()
    {
        var report = RunMarked("unsupported");

        Assert.Equal(0, report.Passed);
        var failed = Assert.Single(report.Suites[0].Cases, c => c.Outcome == CaseOutcome.Failed);
        Assert.Contains("schedule is required", failed.Case.Failure, StringComparison.Ordinal);

        var (code, stdout, stderr) = Cli("conform", Path.Combine(HarnessFixtures.SetPath(HarnessFixtures.Primary), "trained-betas-v-trailing.json"),
            "--candidate", Speaker("unsupported"));
        Assert.Equal(1, code);
        Assert.EndsWith("0 passed, 1 failed", stdout.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public void A_port_that_cannot_start_is_one_clear_error_and_exit_2()
    {
        var command = $"{HarnessFixtures.Quote(HarnessFixtures.Python)} -c \"import no_such_module_cogddim\"";
        var (code, stdout, stderr) = Cli("conform", HarnessFixtures.SetPath(HarnessFixtures.Primary), "--candidate", command);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        var lines = stderr.TrimEnd().Split('\n');
        var line = Assert.Single(lines);
        Assert.StartsWith("cogddim: the candidate cannot be used: candidate exited with code 1 before answering hello", line, StringComparison.Ordinal);
        Assert.Contains("No module named", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reply_with_a_string_id_is_a_protocol_error_and_the_port_is_killed()
    {
        var report = RunMarked("string-id", maxRestarts: 1);

        Assert.Equal(0, report.Passed);
        Assert.Equal(CandidateVerdicts.ProtocolError, report.Run.Incidents[0].Verdict);
        Assert.Contains("with the id \"", report.Run.Incidents[0].Message, StringComparison.Ordinal);
        Assert.Contains("broke 2 times", report.Run.Abandoned, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reply_with_a_lone_surrogate_is_a_protocol_error_not_an_unexpected_failure()
    {
        var report = RunMarked("surrogate", maxRestarts: 1);

        var steps = report.Suites[0].Cases.Where(c => c.Case.Kind == CaseKinds.Step).ToList();
        Assert.All(steps, c => Assert.True(c.Case.BackendFailure, c.Case.Failure));
        Assert.DoesNotContain(steps, c => c.Case.Failure!.Contains("unexpected", StringComparison.Ordinal));
        Assert.Equal(CandidateVerdicts.ProtocolError, report.Run.Incidents[0].Verdict);
        Assert.Contains("unpaired surrogate", report.Run.Incidents[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Megabyte_error_messages_are_cut_to_a_bounded_quote()
    {
        var report = RunMarked("huge-error");

        var steps = report.Suites[0].Cases.Where(c => c.Case.Kind == CaseKinds.Step).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, c =>
        {
            Assert.Equal(CaseOutcome.Failed, c.Outcome);
            Assert.InRange(c.Case.Failure!.Length, 1, 2 * CandidateClient.MaxMessageChars);
            Assert.Contains("(4194304 characters)", c.Case.Failure, StringComparison.Ordinal);
        });
        Assert.InRange(ReportWriters.Json(report).Length, 1, 2_000_000);
    }

    [Fact]
    public void A_forked_child_of_a_port_does_not_outlive_a_clean_shutdown()
    {
        var report = RunMarked("fork-orphan");

        Assert.Empty(report.Run.Incidents);
        Assert.True(report.Passed > 0);
    }

    [Fact]
    public void A_port_that_crashes_while_its_child_holds_stdout_is_a_crash_not_a_timeout()
    {
        var watch = Stopwatch.StartNew();
        var report = RunMarked("fork-crash", callSeconds: 20, maxRestarts: 0);

        var incident = report.Run.Incidents[0];
        Assert.Equal(CandidateVerdicts.Crashed, incident.Verdict);
        Assert.Contains("exited with code 9 before answering step", incident.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}: waited for the call timeout");
    }

    [Theory]
    [InlineData("RuntimeError", true)]
    [InlineData("TypeError", false)]
    [InlineData("ValueError", false)]
    public void A_port_error_matches_a_recorded_error_only_with_the_same_Python_class(string answered, bool passes)
    {
        var suite = HostileFixtures.ComplexLinspaceSuite();
        var report = RunMarked("error-" + answered, suite: suite);

        var construct = Assert.Single(report.Suites[0].Cases);
        Assert.Equal(passes ? CaseOutcome.Passed : CaseOutcome.Failed, construct.Outcome);
    }

    [Theory]
    [InlineData("python")]
    [InlineData("node")]
    public void The_example_ports_answer_RuntimeError_where_diffusers_does(string port)
    {
        var command = port == "python"
            ? HarnessFixtures.PortCommand()
            : $"node {HarnessFixtures.Quote(Path.Combine(HarnessFixtures.RepoRoot, "examples", "node", "cogddim-port.mjs"))}";
        var report = HarnessFixtures.Run(HarnessFixtures.Options(command), [HostileFixtures.ComplexLinspaceSuite()]);

        var construct = Assert.Single(report.Suites[0].Cases);
        Assert.True(construct.Outcome == CaseOutcome.Passed, construct.Case.Failure);
    }

    private static (int Code, string Stdout, string Stderr) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
