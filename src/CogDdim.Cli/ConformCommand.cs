using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CogDdim.Backends;
using CogDdim.Conformance;
using CogDdim.Fixtures;
using CogDdim.Harness;
using CogDdim.Semantics;

namespace CogDdim.Cli;

/// <summary><c>cogddim conform [PATH…] [--backend NAME | --candidate CMD] [--format …] [--tolerance …] …</c>.</summary>
public static class ConformCommand
{
    public const string Usage = """
        usage: cogddim conform [PATH...] [--backend NAME | --candidate "COMMAND LINE"] [--format text|json|markdown|junit]
                               [--output FILE] [--tolerance exact|torch|ulp:N|ulp:DTYPE=N,...] [--expected-failures FILE]
                               [--suite GLOB]... [--profile NAME] [--start-timeout S] [--call-timeout S] [--run-timeout S] [--repro DIR]
                               [--coverage] [--verbose]

        Runs every case of every cogddim-fixture/1 suite and every cogddim-randn/1 file (randn.cogddim-randn: torch's
        generator, reported as the suite SET/randn) found in PATH (files or folders, searched recursively; default:
        the repository's fixtures/) through a backend and compares every recorded bit.
          --backend NAME        which implementation to check (default: reference)
          --candidate CMD       check a port in any language instead: CMD is started as a child process and spoken
                                to in cogddim-candidate/1 (docs/candidate-protocol.md)
          --format FORMAT       text (default), json (docs/schemas/cogddim-harness-report-1.schema.json), markdown
                                or junit; printed before the closing line, or written to --output FILE
          --output FILE         write the --format report to FILE; stdout keeps the text summary
          --tolerance T         exact (default: same bits), torch (torch.testing.assert_close's defaults),
                                ulp:N (every dtype) or ulp:float16=2,bfloat16=4 (the dtypes named; others exact)
          --expected-failures F a cogddim-expected-failures/1 manifest: failures with a reason each
          --suite GLOB          only suites whose name or set/name matches (repeatable)
          --profile NAME        force a semantics profile (torch2-cpu, torch113-cpu, opmath) instead of each suite's own
          --start-timeout S     seconds a freshly started candidate may take to answer hello (default 30)
          --call-timeout S      seconds a candidate may take to answer one request (default 20)
          --run-timeout S       seconds the whole candidate run may take (default 1800)
          --repro DIR           write the request that reproduces each failing group's worst case to DIR
          --coverage            print which config values and dtypes the fixtures exercise, and what they miss; run nothing
          --verbose             list every failing case and every quantity, not only the first 20 failures
        Prints one line per suite and ends with "N passed, M failed" (cases); when a --format other than text is
        printed to stdout, the closing line goes to stderr, so that stdout holds only the report.
        Exit status: 0 all passed, 1 a case failed or nothing was checked (every case skipped), 2 bad usage or
        unreadable input (a fixture or config that cannot be read, a candidate that cannot start or shake hands).
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var options = CommandLine.Parse(args,
            ["backend", "format", "profile", "device", "candidate", "tolerance", "expected-failures", "start-timeout", "call-timeout", "run-timeout", "output", "repro", "suite"],
            ["verbose", "help", "fast", "coverage"]);
        if (options.Flag("help"))
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        var format = options.Choice("format", "text", [.. ReportWriters.Formats]);
        var startTimeout = Seconds(options, "start-timeout", 30);
        var callTimeout = Seconds(options, "call-timeout", 20);
        var runTimeout = Seconds(options, "run-timeout", 1800);
        var tolerance = ParseTolerance(options.Value("tolerance") ?? "exact");
        var manifest = options.Value("expected-failures") is { } manifestPath ? ReadManifest(manifestPath) : ExpectedFailureManifest.None;
        SemanticsProfile? profile = null;
        if (options.Value("profile") is { } profileName)
        {
            profile = SemanticsProfile.FindByName(profileName)
                ?? throw new UsageException($"--profile {profileName}: unknown; available: {string.Join(", ", SemanticsProfile.Named.Select(p => p.Name))}");
        }

        var paths = options.Positionals.Count > 0
            ? options.Positionals
            : [RepositoryPaths.FindFixtures() ?? throw new UsageException("no PATH given and no repository fixtures/ folder found")];

        var files = new List<string>();
        var randnFiles = new List<string>();
        foreach (var path in paths)
        {
            if (!path.EndsWith(".cogddim-randn", StringComparison.Ordinal))
            {
                files.AddRange(FixtureReader.FindFiles(path));
            }

            randnFiles.AddRange(RandnFixture.FindFiles(path));
        }

        if (files.Count == 0 && randnFiles.Count == 0)
        {
            throw new UsageException($"no fixture files (*.json, {RandnFixture.FileName}) under {string.Join(", ", paths)}");
        }

        // The scheduler suites, then each set's randn file (torch's generator: the randn call), as suites named SET/randn.
        var suites = files.Select(FixtureReader.ReadFile)
            .Concat(randnFiles.Select(f => RandnFixture.ReadFile(f).ToSuite()))
            .Where(s => Selected(s, options.Values("suite"))).ToList();
        if (suites.Count == 0)
        {
            throw new UsageException($"--suite {string.Join(", ", options.Values("suite"))}: no suite matches");
        }

        if (options.Flag("coverage"))
        {
            stdout.WriteLine(CoverageMatrix.Build(suites).ToText());
            return 0;
        }

        if (options.Value("candidate") is not null && options.Value("backend") is not null)
        {
            throw new UsageException("--candidate and --backend exclude each other");
        }

        var candidate = options.Value("candidate") is { } command ? CandidateBackendFor(command, startTimeout, callTimeout, runTimeout) : null;
        if (candidate is not null && !Connect(candidate, stderr))
        {
            return 2;
        }

        var backend = candidate ?? BackendRegistry.Create(options.Value("backend") ?? "reference", options);
        var runner = new ConformanceRunner(backend) { Tolerance = tolerance };
        var results = new List<(FixtureSuite, SuiteResult)>();
        var started = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        var streamText = format == "text" || options.Value("output") is not null;
        // When a report format owns stdout (`> report.xml`), the closing line and notes go to stderr.
        var summary = streamText ? stdout : stderr;
        try
        {
            foreach (var suite in suites)
            {
                var result = runner.Run(suite, profile);
                results.Add((suite, result));
                if (streamText)
                {
                    stdout.WriteLine(ReportWriters.SuiteLine(result));
                }
            }
        }
        finally
        {
            (backend as IDisposable)?.Dispose();
        }

        var client = candidate?.Client;
        var run = new RunInfo(
            HarnessInfo.Version,
            HarnessInfo.Platform,
            backend.Name,
            tolerance.Name,
            suites.Select(s => s.SetName).Distinct().ToList(),
            paths.Select(Path.GetFullPath).ToList(),
            options.Value("expected-failures"),
            options.Value("candidate"),
            client?.Handshake,
            client?.Incidents ?? [],
            client?.Restarts ?? 0,
            client?.AbandonedBecause,
            started,
            watch.Elapsed.TotalSeconds);
        var report = HarnessReport.Build(run, results, manifest);

        if (streamText)
        {
            stdout.Write(ReportWriters.Text(report, options.Flag("verbose")));
        }

        if (format != "text")
        {
            var written = ReportWriters.Write(report, format);
            if (options.Value("output") is { } output)
            {
                File.WriteAllText(output, written);
            }
            else
            {
                stdout.WriteLine(written);
            }
        }

        if (options.Value("repro") is { } reproDir)
        {
            WriteRepro(report, reproDir, summary);
        }

        summary.WriteLine(report.ClosingLine);
        if (report.Passed == 0 && report.Failed == 0)
        {
            // A tool that passes what it did not check would let a port that implements nothing through CI.
            var why = report.Suites.SelectMany(s => s.Cases).Select(c => c.Case.SkipReason).FirstOrDefault(r => r is not null);
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cogddim: nothing was checked: all {report.Skipped} cases were skipped{(why is null ? string.Empty : $" (the first: {why})")}; a run that checks nothing fails"));
            return 1;
        }

        return report.Failed == 0 ? 0 : 1;
    }

    /// <summary>The per-suite line of the plain runner (kept for callers of this command's API).</summary>
    public static string SuiteLine(SuiteResult result) => ReportWriters.SuiteLine(result);

    /// <summary>
    /// Starts the port and shakes hands before any case runs: a port that cannot start (a missing interpreter or
    /// module, a crash on import, a wrong protocol) is unusable input, one message and exit 2, not thousands of
    /// failed cases.
    /// </summary>
    private static bool Connect(CandidateBackend candidate, TextWriter stderr)
    {
        try
        {
            candidate.Client.Connect();
            return true;
        }
        catch (CandidateFailureException e)
        {
            candidate.Dispose();
            stderr.WriteLine($"cogddim: the candidate cannot be used: {e.Message}");
            return false;
        }
    }

    private static CandidateBackend CandidateBackendFor(string command, TimeSpan startTimeout, TimeSpan callTimeout, TimeSpan runTimeout)
    {
        try
        {
            CommandLineSplitter.Split(command);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--candidate: {e.Message}");
        }

        return new CandidateBackend(new CandidateOptions
        {
            CommandLine = command,
            StartTimeout = startTimeout,
            CallTimeout = callTimeout,
            RunTimeout = runTimeout,
        });
    }

    private static TimeSpan Seconds(CommandLine options, string name, double fallback)
    {
        var text = options.Value(name);
        if (text is null)
        {
            return TimeSpan.FromSeconds(fallback);
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < 1e6
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"--{name} {text}: expected a positive number of seconds");
    }

    private static Tolerance ParseTolerance(string text)
    {
        try
        {
            return Tolerance.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--tolerance: {e.Message}");
        }
    }

    private static ExpectedFailureManifest ReadManifest(string path)
    {
        try
        {
            return ExpectedFailureManifest.ReadFile(path);
        }
        catch (FormatException e)
        {
            throw new UsageException($"--expected-failures: {e.Message}");
        }
    }

    private static bool Selected(FixtureSuite suite, IReadOnlyList<string> globs) =>
        globs.Count == 0 || globs.Any(g => Glob(g).IsMatch(suite.Name) || Glob(g).IsMatch($"{suite.SetName}/{suite.Name}"));

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant);

    /// <summary>A portable file name for a group: safe characters only, and short (long names end in a hash of the whole).</summary>
    public static string ReproFileName(string group)
    {
        var name = Regex.Replace(group, "[^A-Za-z0-9_.-]", "-");
        if (name.Length > 120)
        {
            var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(group)))[..12];
            name = $"{name[..100]}-{hash.ToLowerInvariant()}";
        }

        return name + ".jsonl";
    }

    private static void WriteRepro(HarnessReport report, string directory, TextWriter stdout)
    {
        Directory.CreateDirectory(directory);
        var count = 0;
        foreach (var suite in report.Suites)
        {
            foreach (var g in suite.Groups.Where(g => g.FailedCases > 0 && g.Worst?.Request is not null))
            {
                var name = ReproFileName($"{suite.Result.Set}_{suite.Result.Suite}_{g.Kind}_{g.Quantity}_{g.DType}");
                File.WriteAllText(Path.Combine(directory, name), g.Worst!.Request + "\n");
                count++;
            }
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} reproducing requests written to {directory} (pipe one into the port: PORT < FILE)"));
    }
}
