using CogDdim.Config;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>What a port said about itself in its hello reply.</summary>
/// <param name="Protocol">The protocol it speaks: <c>cogddim-candidate/1</c>.</param>
/// <param name="Name">The port's name.</param>
/// <param name="Version">The port's version.</param>
/// <param name="DTypes">The dtypes it implements; a case with other input dtypes is skipped.</param>
/// <param name="Calls">The scheduler calls it implements (<c>schedule</c> required); a case of another call is skipped.</param>
public sealed record CandidateHandshake(string Protocol, string Name, string Version, ImmutableArray<string> DTypes, ImmutableArray<string> Calls)
{
    /// <summary>Whether the port listed the dtype in its hello <c>dtypes</c>.</summary>
    /// <param name="dtype">An input tensor's dtype.</param>
    public bool Supports(DType dtype) => DTypes.Contains(dtype.Name());

    /// <summary>Whether the port listed the call in its hello <c>calls</c>.</summary>
    /// <param name="call">A scheduler call, e.g. <c>step</c>.</param>
    public bool Supports(string call) => Calls.Contains(call);

    /// <summary>Whether another hello reply says the same, field by field (a restarted port must give the same one).</summary>
    /// <param name="other">The later hello reply.</param>
    public bool SameAs(CandidateHandshake other) =>
        other is not null && Protocol == other.Protocol && Name == other.Name && Version == other.Version
        && DTypes.SequenceEqual(other.DTypes) && Calls.SequenceEqual(other.Calls);
}

/// <summary>Something that went wrong with the port process, kept for the report.</summary>
/// <param name="Verdict">One of <see cref="CandidateVerdicts"/>.</param>
/// <param name="Call">The call that was running.</param>
/// <param name="Message">What happened, with the exit code and stderr tail where there are.</param>
public sealed record CandidateIncident(string Verdict, string Call, string Message);

/// <summary>A reply: the <c>result</c> object, or the port's error class and message.</summary>
public sealed class CandidateReply : IDisposable
{
    private readonly JsonDocument _document;

    internal CandidateReply(JsonDocument document, JsonElement? result, string? errorType, string? errorMessage)
    {
        _document = document;
        Result = result;
        ErrorType = errorType;
        ErrorMessage = errorMessage;
    }

    /// <summary>The reply's <c>result</c> object when <c>ok</c> is true; null for an error reply.</summary>
    public JsonElement? Result { get; }

    /// <summary>The reply's <c>error.type</c> (a Python exception class or <c>Unsupported</c>); null when <c>ok</c>.</summary>
    public string? ErrorType { get; }

    /// <summary>The reply's <c>error.message</c>; null when <c>ok</c>.</summary>
    public string? ErrorMessage { get; }

    /// <summary>Releases the parsed reply; <see cref="Result"/> is unusable after.</summary>
    public void Dispose() => _document.Dispose();
}

/// <summary>
/// Talks <c>cogddim-candidate/1</c> with a port process: starts it and shakes hands on first use, numbers and checks
/// every exchange, starts the port again after a crash, a hang or garbage (up to
/// <see cref="CandidateOptions.MaxRestarts"/> times), and stops sending once the whole-run deadline has passed.
/// After that, or when the port cannot even shake hands, every call fails at once: the run ends, it never hangs.
/// </summary>
public sealed class CandidateClient : IDisposable
{
    private readonly CandidateOptions _options;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<CandidateIncident> _incidents = [];
    private CandidateProcess? _process;
    private long _nextId;
    private int _restarts;
    private string? _abandoned;

    /// <summary>A client for the port <paramref name="options"/> describes; nothing starts until the first call or <see cref="Connect"/>.</summary>
    /// <param name="options">The command line, timeouts and restart limit.</param>
    public CandidateClient(CandidateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>How the port is started and how long the client waits for it.</summary>
    public CandidateOptions Options => _options;

    /// <summary>The hello reply, once the port has started (null before, or if it never shook hands).</summary>
    public CandidateHandshake? Handshake { get; private set; }

    /// <summary>Every time the port broke (timed out, crashed, answered garbage or broke the protocol), in order.</summary>
    public IReadOnlyList<CandidateIncident> Incidents => _incidents;

    /// <summary>How many times the port was started again after it broke.</summary>
    public int Restarts => _restarts;

    /// <summary>Why the client stopped talking to the port, or null while it still does.</summary>
    public string? AbandonedBecause => _abandoned;

    /// <summary>The number of requests sent so far, hello and shutdown included (the next request's <c>id</c>).</summary>
    public int Exchanges => (int)_nextId;

    /// <summary>Starts the port and shakes hands now (else the first call does it).</summary>
    public CandidateHandshake Connect(string? forCall = null)
    {
        EnsureStarted(forCall ?? CandidateProtocol.Hello);
        return Handshake!;
    }

    /// <summary>
    /// Sends one scheduler call (<paramref name="build"/> gets the request id) and returns the reply. Throws
    /// <see cref="CandidateFailureException"/> when the port broke; the next call starts it again if it may.
    /// </summary>
    public CandidateReply Call(string call, Func<long, string> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var process = EnsureStarted(call);
        var id = _nextId++;
        var what = string.Create(CultureInfo.InvariantCulture, $"{call} (request {id})");
        try
        {
            var line = process.Exchange(build(id), what, NextTimeout(process, what, _options.CallTimeout));
            return Parse(process, line, id, what);
        }
        catch (CandidateFailureException e)
        {
            Broke(e, call);
            throw;
        }
    }

    private TimeSpan NextTimeout(CandidateProcess process, string what, TimeSpan limit)
    {
        var left = _options.RunTimeout - _clock.Elapsed;
        if (left <= TimeSpan.Zero)
        {
            process.Kill();
            _abandoned = $"the whole-run timeout of {CandidateProcess.Seconds(_options.RunTimeout)} was reached";
            throw Record(new CandidateFailureException(CandidateVerdicts.RunTimeout, $"candidate not asked {what}: {_abandoned}"), what);
        }

        return left < limit ? left : limit;
    }

    private CandidateProcess EnsureStarted(string call)
    {
        if (_abandoned is not null)
        {
            throw new CandidateFailureException(CandidateVerdicts.Abandoned, $"candidate not asked {call}: {_abandoned}");
        }

        if (_process is not null)
        {
            return _process;
        }

        CandidateProcess process;
        try
        {
            process = CandidateProcess.Start(_options);
        }
        catch (CandidateFailureException e)
        {
            _abandoned = $"it could not be started: {e.Message}";
            Record(e, CandidateProtocol.Hello);
            throw;
        }

        try
        {
            var id = _nextId++;
            var what = string.Create(CultureInfo.InvariantCulture, $"hello (request {id})");
            var line = process.Exchange(CandidateProtocol.HelloRequest(id, HarnessInfo.Version), what, NextTimeout(process, what, _options.StartTimeout));
            using var reply = Parse(process, line, id, what);
            var handshake = ReadHandshake(process, reply, what);
            if (Handshake is not null && !handshake.SameAs(Handshake))
            {
                throw process.Failure(CandidateVerdicts.ProtocolError, "changed its hello reply after a restart");
            }

            Handshake = handshake;
            _process = process;
            return process;
        }
        catch (CandidateFailureException e)
        {
            process.Dispose();
            // A port that cannot shake hands will not do better on the next try.
            _abandoned = $"it failed its handshake: {e.Message}";
            Record(e, CandidateProtocol.Hello);
            throw;
        }
    }

    /// <summary>The port broke (a reply that breaks the protocol, say): recorded, the process killed, restarted on the next call if it may.</summary>
    internal void Broke(CandidateFailureException e, string call)
    {
        if (e.Verdict is CandidateVerdicts.Abandoned or CandidateVerdicts.RunTimeout)
        {
            return;
        }

        Record(e, call);
        _process?.Dispose();
        _process = null;
        if (++_restarts > _options.MaxRestarts)
        {
            _abandoned = string.Create(CultureInfo.InvariantCulture, $"it broke {_restarts} times (the last: {e.Message})");
        }
    }

    private CandidateFailureException Record(CandidateFailureException e, string call)
    {
        _incidents.Add(new CandidateIncident(e.Verdict, call, e.Message));
        return e;
    }

    private static CandidateReply Parse(CandidateProcess process, string line, long id, string what)
    {
        JsonDocument document;
        try
        {
            // The readers' own rules: no unpaired surrogate, no duplicate key, so every string below reads safely.
            document = JsonDocumentRules.Parse(System.Text.Encoding.UTF8.GetBytes(line), 64);
        }
        catch (JsonRuleException e)
        {
            process.Kill();
            // Not JSON at all is garbage; JSON that breaks the rules (an unpaired surrogate, a key twice) breaks the protocol.
            throw e.InnerException is JsonException
                ? process.Failure(CandidateVerdicts.Garbage, $"answered {what} with a line that is not JSON ({e.Message}): {CandidateProcess.Quote(line.Length > 120 ? line[..120] : line)}")
                : process.Failure(CandidateVerdicts.ProtocolError, $"answered {what} with a line that breaks the protocol's JSON rules ({e.Message}): {CandidateProcess.Quote(line.Length > 120 ? line[..120] : line)}");
        }

        try
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Broken($"answered {what} with a JSON {root.ValueKind}, not an object");
            }

            if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number
                || !idElement.TryGetInt64(out var replyId) || replyId != id)
            {
                throw Broken(string.Create(CultureInfo.InvariantCulture,
                    $"answered {what} with the id {(root.TryGetProperty("id", out var got) ? JsonDocumentRules.Shorten(got.GetRawText(), 40) : "(missing)")}, not {id}"));
            }

            if (!root.TryGetProperty("ok", out var ok) || ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw Broken($"answered {what} without \"ok\": true or false");
            }

            if (ok.ValueKind == JsonValueKind.True)
            {
                if (!root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
                {
                    throw Broken($"answered {what} with \"ok\": true but no \"result\" object");
                }

                return new CandidateReply(document, result, null, null);
            }

            if (!root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object
                || !error.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                throw Broken($"answered {what} with \"ok\": false but no \"error\": {{\"type\": …}}");
            }

            // Bounded: a run keeps every failing case's message, and a port may answer megabytes.
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                ? JsonDocumentRules.Shorten(m.GetString()!, MaxMessageChars)
                : string.Empty;
            return new CandidateReply(document, null, JsonDocumentRules.Shorten(type.GetString()!, 80), message);
        }
        catch
        {
            document.Dispose();
            throw;
        }

        CandidateFailureException Broken(string message)
        {
            process.Kill();
            return process.Failure(CandidateVerdicts.ProtocolError, message);
        }
    }

    /// <summary>The most of a port's error message that is kept and quoted.</summary>
    public const int MaxMessageChars = 1000;

    private static CandidateHandshake ReadHandshake(CandidateProcess process, CandidateReply reply, string what)
    {
        if (reply.Result is not { } result)
        {
            throw process.Failure(CandidateVerdicts.ProtocolError, $"refused {what}: {reply.ErrorType}: {reply.ErrorMessage}");
        }

        string Text(string name) =>
            result.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? JsonDocumentRules.Shorten(value.GetString()!, 200) : string.Empty;

        ImmutableArray<string> Names(string name, IReadOnlyCollection<string> known)
        {
            if (!result.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array
                || list.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                throw process.Failure(CandidateVerdicts.ProtocolError, $"answered {what} without a \"{name}\" list of strings");
            }

            var names = list.EnumerateArray().Select(e => e.GetString()!).ToImmutableArray();
            var unknown = names.Where(n => !known.Contains(n)).ToList();
            return unknown.Count == 0
                ? names
                : throw process.Failure(CandidateVerdicts.ProtocolError,
                    $"lists unknown {name} in its hello reply: {JsonDocumentRules.Shorten(string.Join(", ", unknown), 300)}");
        }

        var protocol = Text("protocol");
        if (protocol != CandidateProtocol.Version)
        {
            throw process.Failure(CandidateVerdicts.ProtocolError, $"speaks protocol \"{JsonDocumentRules.Shorten(protocol)}\", not \"{CandidateProtocol.Version}\"");
        }

        var calls = Names("calls", CandidateProtocol.Calls);
        if (!calls.Contains(CandidateProtocol.Schedule))
        {
            throw process.Failure(CandidateVerdicts.ProtocolError, "does not offer the required \"schedule\" call");
        }

        var dtypes = Names("dtypes", DTypes.FloatingPoint.Select(d => d.Name()).ToList());
        return new CandidateHandshake(protocol, Text("name"), Text("version"), dtypes, calls);
    }

    /// <summary>Asks the port to shut down, waits a moment, then makes sure it is gone.</summary>
    public void Dispose()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            var id = _nextId++;
            _process.Exchange(CandidateProtocol.ShutdownRequest(id), "shutdown", TimeSpan.FromSeconds(2)).GetHashCode();
        }
        catch (CandidateFailureException)
        {
            // It is being closed anyway.
        }

        _process.Close(TimeSpan.FromSeconds(2));
        _process.Dispose();
        _process = null;
    }
}
