using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CogDdim.Conformance;
using CogDdim.Fixtures;
using CogDdim.Semantics;

namespace CogDdim.Cli;

/// <summary><c>cogddim conform [PATH…] [--backend NAME] [--format text|json] [--profile NAME]</c>.</summary>
public static class ConformCommand
{
    public const string Usage = """
        usage: cogddim conform [PATH...] [--backend NAME] [--format text|json] [--profile NAME] [--verbose]

        Runs every case of every cogddim-fixture/1 suite found in PATH (files or folders, searched recursively;
        default: the repository's fixtures/) through a backend and compares every recorded bit.
          --backend NAME   which implementation to check (default: reference)
          --format FORMAT  text (default) or json
          --profile NAME   force a semantics profile (torch2-cpu, torch113-cpu, opmath) instead of each suite's own
          --verbose        list every failing case, not only the first 20
        Prints one line per suite and ends with "N passed, M failed" (cases).
        Exit status: 0 all passed, 1 a case failed, 2 bad usage or unreadable input.
        """;

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var options = CommandLine.Parse(args, ["backend", "format", "profile", "device"], ["verbose", "help", "fast"]);
        if (options.Flag("help"))
        {
            stdout.WriteLine(Usage);
            return 0;
        }

        var format = options.Choice("format", "text", "text", "json");
        var backend = BackendRegistry.Create(options.Value("backend") ?? "reference", options);
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
        foreach (var path in paths)
        {
            files.AddRange(FixtureReader.FindFiles(path));
        }

        if (files.Count == 0)
        {
            throw new UsageException($"no fixture files (*.json) under {string.Join(", ", paths)}");
        }

        var suites = files.Select(FixtureReader.ReadFile).ToList();
        var runner = new ConformanceRunner(backend);
        var results = new List<SuiteResult>();
        var watch = Stopwatch.StartNew();
        try
        {
            foreach (var suite in suites)
            {
                var result = runner.Run(suite, profile);
                results.Add(result);
                if (format == "text")
                {
                    stdout.WriteLine(SuiteLine(result));
                }
            }
        }
        finally
        {
            (backend as IDisposable)?.Dispose();
        }

        var passed = results.Sum(r => r.Passed);
        var failed = results.Sum(r => r.Failed);
        if (format == "json")
        {
            WriteJson(stdout, backend.Name, results, watch.Elapsed);
            stdout.WriteLine();
        }
        else
        {
            var failures = results.SelectMany(r => r.Cases.Where(c => !c.Passed).Select(c => (r, c))).ToList();
            var shown = options.Flag("verbose") ? failures : failures.Take(20).ToList();
            foreach (var (suite, c) in shown)
            {
                stdout.WriteLine($"FAIL {suite.Name} {c.Describe()}");
            }

            if (shown.Count < failures.Count)
            {
                stdout.WriteLine($"... {failures.Count - shown.Count} more failing cases (--verbose lists them all)");
            }
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{passed} passed, {failed} failed"));
        return failed == 0 ? 0 : 1;
    }

    public static string SuiteLine(SuiteResult result)
    {
        var dtypes = result.ByDType();
        var worst = dtypes.Count == 0
            ? string.Empty
            : "; worst ULP " + string.Join(", ", dtypes.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.DType} {d.WorstUlp}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"{(result.Failed == 0 ? "ok  " : "FAIL")} {result.Name} [{result.Backend}, {result.Profile}]: {result.Cases.Count} cases, {result.Failed} failed{worst}");
    }

    private static void WriteJson(TextWriter stdout, string backend, IReadOnlyList<SuiteResult> results, TimeSpan elapsed)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("backend", backend);
            w.WriteNumber("passed", results.Sum(r => r.Passed));
            w.WriteNumber("failed", results.Sum(r => r.Failed));
            w.WriteNumber("seconds", Math.Round(elapsed.TotalSeconds, 3));
            w.WriteStartArray("suites");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("set", r.Set);
                w.WriteString("suite", r.Suite);
                w.WriteString("profile", r.Profile);
                w.WriteNumber("cases", r.Cases.Count);
                w.WriteNumber("failed", r.Failed);
                w.WriteStartObject("worst_ulp");
                foreach (var d in r.ByDType())
                {
                    w.WriteNumber(d.DType, d.WorstUlp);
                }

                w.WriteEndObject();
                w.WriteStartArray("failures");
                foreach (var c in r.Cases.Where(c => !c.Passed))
                {
                    w.WriteStartObject();
                    w.WriteString("kind", c.Kind);
                    w.WriteString("case", c.Id);
                    w.WriteString("dtype", c.DTypeLabel);
                    w.WriteString("detail", c.Describe());
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        stdout.Write(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
