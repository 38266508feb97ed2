using System.Diagnostics;
using CogDdim.Harness;

namespace CogDdim.Conformance.Harness;

/// <summary>
/// Ports that crash, hang, write garbage or answer nonsense: each run ends within its timeouts with every case
/// failed and a verdict that says what happened. The suite is small (83 cases) so that each test takes seconds.
/// The tests assert verdicts (which timeout fired, how often the port broke, what was abandoned), never how long a
/// run took on this machine: a loaded machine may be slow, but it does not change which limit ended a run.
/// </summary>
public sealed class HostileCandidateTests
{
    private static readonly global::CogDdim.Fixtures.FixtureSuite Small = HarnessFixtures.Suite(HarnessFixtures.Primary, "trained-betas-v-trailing");

    private static HarnessReport RunHostile(string script, string? mode = null, double callSeconds = 1, int maxRestarts = 3, double startSeconds = 60) =>
        HarnessFixtures.Run(HarnessFixtures.Options(Command(script, mode), callSeconds, maxRestarts, startSeconds), [Small]);

    private static string Command(string script, string? mode = null) =>
        $"{HarnessFixtures.Quote(HarnessFixtures.Python)} {HarnessFixtures.Quote(HarnessFixtures.Hostile(script))}" + (mode is null ? string.Empty : " " + mode);

    /// <summary>The limit a Timeout incident says fired ("timed out after 1.5 s on …"), in seconds.</summary>
    private static double StatedLimit(CandidateIncident incident)
    {
        var match = System.Text.RegularExpressions.Regex.Match(incident.Message, @"timed out after (?<s>[0-9.]+) s on ");
        Assert.True(match.Success, incident.Message);
        return double.Parse(match.Groups["s"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void AllFailed(HarnessReport report)
    {
        Assert.Equal(Small.Steps.Length + Small.Trajectories.Length + Small.AddNoise.Length + Small.GetVelocity.Length
            + Small.SetTimesteps.Length + Small.Errors.Length + 1, report.Suites[0].Cases.Count);
        Assert.Equal(0, report.Passed);
        Assert.Equal(report.Suites[0].Cases.Count, report.Failed);
    }

    [Fact]
    public void A_candidate_that_never_answers_is_abandoned_after_one_handshake_timeout()
    {
        var report = RunHostile("sleep_forever.py", startSeconds: 1);

        // One incident: the handshake's own 1 s limit fired once, and the port was never started again.
        AllFailed(report);
        var incident = Assert.Single(report.Run.Incidents);
        Assert.Equal(CandidateVerdicts.Timeout, incident.Verdict);
        Assert.Contains("timed out after 1 s on hello", incident.Message, StringComparison.Ordinal);
        Assert.Contains("failed its handshake", report.Run.Abandoned, StringComparison.Ordinal);
        Assert.Equal(DiagnosisHints.Process, report.Hints[0].Code);
    }

    [Fact]
    public void A_candidate_that_exits_at_once_is_reported_as_crashed_with_its_exit_code_and_stderr()
    {
        var report = RunHostile("exit_at_once.py");

        AllFailed(report);
        var incident = Assert.Single(report.Run.Incidents);
        Assert.Equal(CandidateVerdicts.Crashed, incident.Verdict);
        Assert.Contains("exited with code 3 before answering hello", incident.Message, StringComparison.Ordinal);
        Assert.Contains("exit_at_once: bye", incident.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candidate_that_prints_random_bytes_is_reported_as_garbage()
    {
        var report = RunHostile("random_bytes.py");

        AllFailed(report);
        var incident = Assert.Single(report.Run.Incidents);
        Assert.Equal(CandidateVerdicts.Garbage, incident.Verdict);
        Assert.Contains("not JSON", incident.Message, StringComparison.Ordinal);
        // The junit report stays well-formed XML whatever bytes the port wrote.
        System.Xml.Linq.XDocument.Parse(ReportWriters.JUnit(report));
    }

    [Fact]
    public void A_reply_line_that_never_ends_is_cut_off_at_the_limit()
    {
        var command = $"{HarnessFixtures.Quote(HarnessFixtures.Python)} {HarnessFixtures.Quote(HarnessFixtures.Hostile("endless_line.py"))}";
        var options = HarnessFixtures.Options(command, callSeconds: 20) with { MaxReplyBytes = 1 << 20 };
        var report = HarnessFixtures.Run(options, [Small]);

        Assert.Equal(0, report.Passed);
        var incident = Assert.Single(report.Run.Incidents);
        Assert.Equal(CandidateVerdicts.Garbage, incident.Verdict);
        Assert.Contains("longer than 1048576 bytes", incident.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candidate_that_answers_NaN_everywhere_fails_every_value_case_with_class_mismatches_and_the_NaN_hint()
    {
        var report = RunHostile("protocol_speaker.py", "nan", callSeconds: 20);

        Assert.Empty(report.Run.Incidents);
        var suite = report.Suites[0];
        var values = suite.Cases.Where(c => c.Case.Kind is CaseKinds.Step or CaseKinds.Trajectory or CaseKinds.AddNoise or CaseKinds.GetVelocity).ToList();
        Assert.All(values, c => Assert.Equal(CaseOutcome.Failed, c.Outcome));
        var steps = suite.Groups.Single(g => g.Key == "step/prev_sample" && g.DType == "float32");
        Assert.Equal(steps.Elements, steps.ClassMismatches);
        Assert.Contains(report.Hints, h => h.Code == DiagnosisHints.NaN);
    }

    [Fact]
    public void A_candidate_that_answers_the_wrong_shape_gets_structural_failures_and_the_shape_hint()
    {
        var report = RunHostile("protocol_speaker.py", "wrong-shape", callSeconds: 20);

        var step = report.Suites[0].Cases.First(c => c.Case.Kind == CaseKinds.Step);
        Assert.Equal(CaseOutcome.Failed, step.Outcome);
        Assert.Contains("got shape [1], expected [", step.Case.Describe(), StringComparison.Ordinal);
        Assert.Contains(report.Hints, h => h.Code == DiagnosisHints.ShapeOrDType);
    }

    [Fact]
    public void A_candidate_that_hangs_on_step_is_restarted_then_abandoned_and_the_run_ends()
    {
        var report = RunHostile("protocol_speaker.py", "hang-on-step", callSeconds: 5, maxRestarts: 2);

        // maxRestarts 2: the port may break 3 times, and every break is the call limit firing (on a step, or on a
        // call a loaded machine made slow: the verdict and the count are the same), then the run abandons it.
        Assert.Equal(3, report.Run.Incidents.Count);
        Assert.All(report.Run.Incidents, i => Assert.Equal(CandidateVerdicts.Timeout, i.Verdict));
        Assert.All(report.Run.Incidents, i => Assert.Equal(5.0, StatedLimit(i)));
        Assert.Contains(report.Run.Incidents, i => i.Message.Contains("timed out after 5 s on step", StringComparison.Ordinal));
        Assert.Equal(3, report.Run.Restarts);
        Assert.Contains("broke 3 times", report.Run.Abandoned, StringComparison.Ordinal);
        var steps = report.Suites[0].Cases.Where(c => c.Case.Kind == CaseKinds.Step).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, c => Assert.True(c.Case.BackendFailure && c.Outcome == CaseOutcome.Failed));
        Assert.Contains("not asked", steps[^1].Case.Failure, StringComparison.Ordinal);
        Assert.Contains("it broke 3 times", steps[^1].Case.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candidate_that_crashes_on_step_is_restarted_and_the_calls_before_pass()
    {
        var report = RunHostile("protocol_speaker.py", "crash-on-step", callSeconds: 20, maxRestarts: 2);

        var cases = report.Suites[0].Cases;
        var steps = cases.Where(c => c.Case.Kind == CaseKinds.Step).ToList();
        Assert.All(steps.Take(3), c => Assert.Contains("exited with code 9 before answering step", c.Case.Failure, StringComparison.Ordinal));
        Assert.All(steps, c => Assert.True(c.Case.BackendFailure));
        Assert.Equal(3, report.Run.Incidents.Count(i => i.Verdict == CandidateVerdicts.Crashed));
        Assert.Equal(2, report.Run.Restarts - 1);
        // set_timesteps runs before step, while the port still answers: the speaker's timesteps are right for N = 1.
        Assert.Contains(cases, c => c.Case.Kind == CaseKinds.SetTimesteps && c.Outcome == CaseOutcome.Passed);
    }

    [Fact]
    public void A_reply_with_another_id_is_a_protocol_error()
    {
        var report = RunHostile("protocol_speaker.py", "wrong-id", callSeconds: 20, maxRestarts: 0);

        AllFailed(report);
        Assert.Equal(CandidateVerdicts.ProtocolError, report.Run.Incidents[0].Verdict);
        Assert.Contains("with the id 12345", report.Run.Incidents[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_that_does_not_exist_fails_to_start_cleanly()
    {
        var report = HarnessFixtures.Run(HarnessFixtures.Options("/nonexistent/port --flag"), [Small]);

        AllFailed(report);
        Assert.Equal(CandidateVerdicts.StartFailed, report.Run.Incidents[0].Verdict);
    }

    [Fact]
    public void The_whole_run_timeout_stops_a_slow_candidate()
    {
        // The call limit (600 s) is far beyond the run's (5 s): the hanging step's wait is cut to what is left of
        // the run, which the incident states, and the run is abandoned by its own deadline, not by restarts.
        var options = HarnessFixtures.Options(Command("protocol_speaker.py", "hang-on-step"), callSeconds: 600, maxRestarts: 100) with { RunTimeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        var report = HarnessFixtures.Run(options, [Small]);

        var steps = report.Suites[0].Cases.Where(c => c.Case.Kind == CaseKinds.Step).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, c => Assert.Equal(CaseOutcome.Failed, c.Outcome));
        Assert.Contains("whole-run timeout of 5 s", report.Run.Abandoned, StringComparison.Ordinal);
        Assert.Contains(report.Run.Incidents, i => i.Verdict == CandidateVerdicts.RunTimeout);
        var timeouts = report.Run.Incidents.Where(i => i.Verdict == CandidateVerdicts.Timeout).ToList();
        Assert.All(timeouts, i => Assert.InRange(StatedLimit(i), 0.0, 5.0));
        Assert.True(report.Run.Restarts < 100, $"{report.Run.Restarts} starts: the restarts, not the run deadline, ended it");
        // Only a hang guard: 600 s is the call limit that would have ended the step had the deadline not cut it.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(600), $"took {watch.Elapsed}");
    }
}
