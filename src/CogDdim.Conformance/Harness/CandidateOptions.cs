namespace CogDdim.Harness;

/// <summary>How to start a candidate port and how long to wait for it.</summary>
public sealed record CandidateOptions
{
    /// <summary>The port's command line: split like a POSIX shell would (quotes, backslashes), no shell is run.</summary>
    public required string CommandLine { get; init; }

    /// <summary>Where the port runs; the harness's own directory when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The longest the harness waits for one reply to a scheduler call.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The longest the harness waits for the hello reply of a freshly started port (its start-up included).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest the whole run may take; the cases left when it is reached fail without being sent.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How many times a port that crashed, hung or answered garbage is started again before it is abandoned.</summary>
    public int MaxRestarts { get; init; } = 3;

    /// <summary>A reply line longer than this is garbage (protects the harness from a port that never writes a newline).</summary>
    public int MaxReplyBytes { get; init; } = 64 << 20;

    /// <summary>Extra environment variables for the port.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>A broken candidate: crashed, hung, closed its output, answered garbage or broke the protocol.</summary>
public sealed class CandidateFailureException(string verdict, string message, Exception? inner = null)
    : Conformance.BackendFailureException(message, inner)
{
    /// <summary>One of <see cref="CandidateVerdicts"/>.</summary>
    public string Verdict { get; } = verdict;
}

/// <summary>The ways a candidate process can break, as reports name them.</summary>
public static class CandidateVerdicts
{
    /// <summary>No hello within <see cref="CandidateOptions.StartTimeout"/>, or no reply within <see cref="CandidateOptions.CallTimeout"/>.</summary>
    public const string Timeout = "timeout";
    /// <summary>The port exited or closed its stdout.</summary>
    public const string Crashed = "crashed";
    /// <summary>A reply line that is not JSON, or longer than <see cref="CandidateOptions.MaxReplyBytes"/>.</summary>
    public const string Garbage = "garbage";
    /// <summary>JSON that is not a reply: wrong <c>id</c>, no <c>ok</c>, no <c>result</c> or <c>error</c>, a malformed tensor.</summary>
    public const string ProtocolError = "protocol-error";
    /// <summary>The command could not be started.</summary>
    public const string StartFailed = "start-failed";
    /// <summary>The port broke more than <see cref="CandidateOptions.MaxRestarts"/> times; every later case fails at once.</summary>
    public const string Abandoned = "abandoned";
    /// <summary>The run passed <see cref="CandidateOptions.RunTimeout"/>; every later case fails at once.</summary>
    public const string RunTimeout = "run-timeout";
}
