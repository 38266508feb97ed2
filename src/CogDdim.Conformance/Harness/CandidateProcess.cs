using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace CogDdim.Harness;

/// <summary>
/// One running port: writes request lines to its stdin and waits, with a deadline, for one reply line on its stdout.
/// Its stderr is drained into a short tail for messages. Every failure kills the process; nothing here blocks
/// past the deadline a caller gives.
/// </summary>
internal sealed class CandidateProcess : IDisposable
{
    private const int StderrTailChars = 2000;

    /// <summary>
    /// Set in every port's environment to a value of its own, inherited by whatever the port forks: after the port
    /// has exited its orphans (reparented away from it, so no longer in its process tree) are found by it and killed.
    /// </summary>
    public const string TokenVariable = "COGDDIM_CANDIDATE_TOKEN";

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private readonly Process _process;
    private readonly Channel<ReplyLine> _lines = Channel.CreateUnbounded<ReplyLine>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly StringBuilder _stderr = new();
    private readonly int _maxReplyBytes;
    private Task? _pendingWrite;
    private Task _stderrReader = Task.CompletedTask;

    private readonly string _token;

    private CandidateProcess(Process process, int maxReplyBytes, string token)
    {
        _process = process;
        _maxReplyBytes = maxReplyBytes;
        _token = token;
    }

    /// <summary>What came back on stdout: a line, the end of the stream, an overlong line or one that is not UTF-8.</summary>
    private readonly record struct ReplyLine(string? Text, bool Overlong, bool NotUtf8 = false);

    public static CandidateProcess Start(CandidateOptions options)
    {
        var argv = CommandLineSplitter.Split(options.CommandLine);
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? string.Empty,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in options.Environment)
        {
            info.Environment[name] = value;
        }

        var token = Guid.NewGuid().ToString("N");
        info.Environment[TokenVariable] = token;

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new CandidateFailureException(CandidateVerdicts.StartFailed, $"could not start the candidate \"{options.CommandLine}\": {e.Message}", e);
        }

        var candidate = new CandidateProcess(process, options.MaxReplyBytes, token);
        _ = Task.Run(candidate.ReadStdout);
        candidate._stderrReader = Task.Run(candidate.ReadStderr);
        return candidate;
    }

    public int Id => _process.Id;

    /// <summary>The last lines the port wrote to stderr (for messages).</summary>
    public string StderrTail
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString().Trim();
            }
        }
    }

    /// <summary>
    /// Sends one request line and returns the reply line. Throws <see cref="CandidateFailureException"/> (and kills
    /// the process) on a timeout, a closed stream, an exit or an overlong line.
    /// </summary>
    public string Exchange(string request, string what, TimeSpan timeout)
    {
        var bytes = Encoding.UTF8.GetBytes(request + "\n");
        var stdin = _process.StandardInput.BaseStream;
        // The write runs apart from the wait: a port that does not read its stdin fills the pipe and would block
        // a plain write forever; killing it on the deadline ends the write too.
        _pendingWrite = Task.Run(() =>
        {
            stdin.Write(bytes);
            stdin.Flush();
        });
        using var cancel = new CancellationTokenSource(timeout);
        ReplyLine reply;
        try
        {
            var read = _lines.Reader.ReadAsync(cancel.Token).AsTask();
            if (!read.IsCompleted)
            {
                // A port that exits without answering is a crash, even where a child it forked still holds its
                // stdout open (the stream then never ends): wait for the line or the exit, whichever comes first.
                var exit = _process.WaitForExitAsync(cancel.Token);
                Task.WhenAny(read, exit).GetAwaiter().GetResult();
                if (!read.IsCompleted && exit.IsCompletedSuccessfully)
                {
                    // A reply written just before exiting may still be on its way through the pipe.
                    Task.WhenAny(read, Task.Delay(500, CancellationToken.None)).GetAwaiter().GetResult();
                    if (!read.IsCompleted)
                    {
                        throw Exited(what);
                    }
                }
            }

            reply = read.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            var wrote = _pendingWrite.IsCompletedSuccessfully ? "no reply" : "it did not read the request";
            Kill();
            throw Failure(CandidateVerdicts.Timeout, $"timed out after {Seconds(timeout)} on {what} ({wrote})");
        }
        catch (ChannelClosedException)
        {
            throw Exited(what);
        }

        if (reply.Overlong)
        {
            Kill();
            throw Failure(CandidateVerdicts.Garbage, $"answered {what} with a line longer than {_maxReplyBytes} bytes without a newline");
        }

        if (reply.NotUtf8)
        {
            Kill();
            throw Failure(CandidateVerdicts.Garbage, $"answered {what} with a line that is not JSON (it is not valid UTF-8)");
        }

        return reply.Text ?? throw Exited(what);
    }

    /// <summary>Closes stdin and gives the port a moment to exit by itself, then kills it.</summary>
    public void Close(TimeSpan grace)
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }

        if (!_process.WaitForExit(grace))
        {
            Kill();
        }
    }

    /// <summary>Kills the port and its process tree, then every process it left behind (see <see cref="TokenVariable"/>).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(2000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }

        PortProcesses.KillAll(_token);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    public CandidateFailureException Failure(string verdict, string message)
    {
        var tail = StderrTail;
        return new CandidateFailureException(verdict, tail.Length == 0 ? $"candidate {message}" : $"candidate {message}; its stderr ends: {Quote(tail)}");
    }

    private CandidateFailureException Exited(string what)
    {
        // Give the exit code a moment to arrive after stdout closed.
        var exited = _process.WaitForExit(2000);
        // Its last words on stderr are the best clue to why it exited: let the reader catch up with them.
        _stderrReader.Wait(TimeSpan.FromSeconds(1));
        var how = exited
            ? string.Create(CultureInfo.InvariantCulture, $"exited with code {_process.ExitCode}")
            : "closed its stdout";
        Kill();
        return Failure(CandidateVerdicts.Crashed, $"{how} before answering {what}");
    }

    private async Task ReadStdout()
    {
        var stream = _process.StandardOutput.BaseStream;
        var buffer = new byte[64 * 1024];
        var line = new MemoryStream();
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                var start = 0;
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] != (byte)'\n')
                    {
                        continue;
                    }

                    line.Write(buffer, start, i - start);
                    _lines.Writer.TryWrite(DecodeLine(line));
                    line.SetLength(0);
                    start = i + 1;
                }

                line.Write(buffer, start, read - start);
                if (line.Length > _maxReplyBytes)
                {
                    _lines.Writer.TryWrite(new ReplyLine(null, true));
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process went away; the channel's completion says so.
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    private static ReplyLine DecodeLine(MemoryStream line)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(line.GetBuffer(), 0, (int)line.Length);
        }
        catch (DecoderFallbackException)
        {
            return new ReplyLine(null, false, NotUtf8: true);
        }

        return new ReplyLine(text.EndsWith('\r') ? text[..^1] : text, false);
    }

    private async Task ReadStderr()
    {
        var buffer = new char[4096];
        try
        {
            while (true)
            {
                var read = await _process.StandardError.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                lock (_stderr)
                {
                    _stderr.Append(buffer, 0, read);
                    if (_stderr.Length > StderrTailChars)
                    {
                        _stderr.Remove(0, _stderr.Length - StderrTailChars);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process went away.
        }
    }

    internal static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.###} s");

    internal static string Quote(string text)
    {
        var oneLine = text.Replace("\r", string.Empty, StringComparison.Ordinal).Replace('\n', '|');
        return "\"" + (oneLine.Length > 300 ? "…" + oneLine[^300..] : oneLine) + "\"";
    }
}
