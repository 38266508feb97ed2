using System.Diagnostics;
using CogDdim.Conformance;
using CogDdim.Fixtures;
using CogDdim.Harness;

namespace CogDdim.Conformance.Harness;

/// <summary>Paths, interpreters and small runs the harness tests share.</summary>
internal static class HarnessFixtures
{
    public const string Primary = "torch-2.6-cpu";
    public const string Second = "torch-1.13-cpu";

    public static string RepoRoot { get; } = FindRoot();

    public static string SetPath(string set) => Path.Combine(RepoRoot, "fixtures", "diffusers-0.37.0", set);

    public static FixtureSuite Suite(string set, string name) => FixtureReader.ReadFile(Path.Combine(SetPath(set), name + ".json"));

    public static IReadOnlyList<FixtureSuite> Set(string set) => FixtureReader.FindFiles(SetPath(set)).Select(FixtureReader.ReadFile).ToList();

    public static string Hostile(string script) => Path.Combine(RepoRoot, "tests", "Conformance", "Harness", "Hostile", script);

    public static string PythonPort => Path.Combine(RepoRoot, "examples", "python-numpy", "cogddim_port.py");

    /// <summary>Any python3 (the hostile candidates need only the standard library).</summary>
    public static string Python { get; } = FindPython(needsNumpy: false);

    /// <summary>A python3 that imports numpy (Debian: apt-get install -y python3-numpy).</summary>
    public static string PythonWithNumpy { get; } = FindPython(needsNumpy: true);

    public static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static CandidateOptions Options(string commandLine, double callSeconds = 20, int maxRestarts = 3, double startSeconds = 60) => new()
    {
        CommandLine = commandLine,
        CallTimeout = TimeSpan.FromSeconds(callSeconds),
        StartTimeout = TimeSpan.FromSeconds(startSeconds),
        RunTimeout = TimeSpan.FromMinutes(5),
        MaxRestarts = maxRestarts,
    };

    /// <summary>Runs suites through a candidate and builds the report, as <c>cogddim conform --candidate</c> does.</summary>
    public static HarnessReport Run(CandidateOptions options, IEnumerable<FixtureSuite> suites, Tolerance? tolerance = null, ExpectedFailureManifest? manifest = null)
    {
        using var backend = new CandidateBackend(options);
        var runner = new ConformanceRunner(backend) { Tolerance = tolerance ?? Tolerance.Exact };
        var results = suites.Select(s => (s, runner.Run(s))).ToList();
        var client = backend.Client;
        var run = new RunInfo(HarnessInfo.Version, HarnessInfo.Platform, backend.Name, runner.Tolerance.Name,
            results.Select(r => r.s.SetName).Distinct().ToList(), [], null, options.CommandLine, client.Handshake, [.. client.Incidents],
            client.Restarts, client.AbandonedBecause, DateTimeOffset.UtcNow, 0);
        return HarnessReport.Build(run, results, manifest);
    }

    public static string PortCommand(string? mutant = null) =>
        $"{Quote(PythonWithNumpy)} {Quote(PythonPort)}" + (mutant is null ? string.Empty : $" --mutant {mutant}");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CogDdim.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no CogDdim.sln above {AppContext.BaseDirectory}");
    }

    private static string FindPython(bool needsNumpy)
    {
        var candidates = new[] { "python3", "/usr/bin/python3" };
        foreach (var candidate in candidates)
        {
            if (Works(candidate, needsNumpy ? "import numpy" : "pass"))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(needsNumpy
            ? "no python3 with numpy found (tried python3 and /usr/bin/python3): install it with `apt-get install -y python3-numpy`"
            : "no python3 found");
    }

    private static bool Works(string python, string code)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(python, ["-c", code]) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (process is null)
            {
                return false;
            }

            if (!process.WaitForExit(30_000))
            {
                process.Kill();
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
