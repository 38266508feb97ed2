using CogDdim.Fixtures;

namespace CogDdim.Conformance.TorchBackendTests;

/// <summary>The committed fixture sets, found above the test assembly.</summary>
internal static class TorchTestData
{
    public const string Torch26 = "torch-2.6-cpu";
    public const string Torch113 = "torch-1.13-cpu";

    /// <summary>
    /// The device the fixture and property tests run on: cpu, or what <c>COGDDIM_TORCH_DEVICE</c> names
    /// (scripts/gpu-check.sh sets it to cuda).
    /// </summary>
    public static string DeviceName { get; } = Environment.GetEnvironmentVariable("COGDDIM_TORCH_DEVICE") is { Length: > 0 } name ? name : "cpu";

    private static readonly Lazy<string> FixturesRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "fixtures", "diffusers-0.37.0");
            if (File.Exists(Path.Combine(dir.FullName, "CogDdim.sln")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"no fixtures/diffusers-0.37.0 above {AppContext.BaseDirectory}");
    });

    private static readonly Dictionary<string, FixtureSuite> Cache = [];

    public static string SetPath(string set) => Path.Combine(FixturesRoot.Value, set);

    public static IEnumerable<string> SuiteNames(string set) =>
        Directory.GetFiles(SetPath(set), "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    /// <summary>xunit member data: (set, suite) for every committed suite of both sets.</summary>
    public static TheoryData<string, string> AllSuites()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in new[] { Torch26, Torch113 })
        {
            foreach (var name in SuiteNames(set))
            {
                data.Add(set, name);
            }
        }

        return data;
    }

    public static FixtureSuite Suite(string set, string name)
    {
        var path = Path.Combine(SetPath(set), name + ".json");
        lock (Cache)
        {
            if (!Cache.TryGetValue(path, out var suite))
            {
                suite = FixtureReader.ReadFile(path);
                Cache[path] = suite;
            }

            return suite;
        }
    }
}
