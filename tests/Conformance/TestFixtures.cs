using System.Collections.Concurrent;
using CogDdim.Fixtures;

namespace CogDdim.Conformance;

/// <summary>The committed fixture sets, found from the test assembly's folder, read once per test run.</summary>
public static class TestFixtures
{
    private static readonly ConcurrentDictionary<string, FixtureSuite> Cache = new(StringComparer.Ordinal);

    public static string RepositoryRoot { get; } = FindRoot();

    public static string FixturesFolder => Path.Combine(RepositoryRoot, "fixtures");

    /// <summary>Every committed suite as "set/name" (e.g. <c>torch-2.6-cpu/cogvideox-5b</c>).</summary>
    public static IReadOnlyList<string> SuiteIds { get; } =
        FixtureReader.FindFiles(Path.Combine(RepositoryRoot, "fixtures"))
            .Select(f => $"{Path.GetFileName(Path.GetDirectoryName(f))}/{Path.GetFileNameWithoutExtension(f)}")
            .ToList();

    public static string PathOf(string suiteId) =>
        Path.Combine(FixturesFolder, "diffusers-0.37.0", suiteId.Replace('/', Path.DirectorySeparatorChar) + ".json");

    public static FixtureSuite Load(string suiteId) => Cache.GetOrAdd(suiteId, id => FixtureReader.ReadFile(PathOf(id)));

    public static TheoryData<string> Suites()
    {
        var data = new TheoryData<string>();
        foreach (var id in SuiteIds)
        {
            data.Add(id);
        }

        return data;
    }

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
}
