extern alias gen;

using Microsoft.CodeAnalysis;
using Snapshooter;
using Snapshooter.Xunit;
using static CogDdim.Generators.Tests.GeneratorHarness;
using gen::CogDdim.Generators;

namespace CogDdim.Generators.Tests;

/// <summary>
/// Reviewable baselines of the generated code (tests/CogDdim.Generators.Tests/__snapshots__), and proof that it
/// compiles without a warning. scripts/test.sh runs strict (SNAPSHOOTER_STRICT_MODE=true: a missing snapshot fails;
/// --accept-snapshots writes it), and a snapshot file no test owns fails <see cref="Every_snapshot_file_belongs_to_a_test"/>.
/// </summary>
public sealed class SnapshotTests
{
    public static TheoryData<string, string?> Configs => new()
    {
        { "cogvideox-2b.json", null },
        { "cogvideox-5b.json", null },
        { "linear-sample-linspace.json", null },
        { "trained-betas-epsilon.json", "torch113-cpu" },
        { "cogvideox-5b.json", "opmath" },
    };

    /// <summary>
    /// Every file in __snapshots__ is one that a test here matches against: a snapshot whose test or case is gone
    /// (a renamed config, a dropped profile) fails instead of lingering unreviewed.
    /// </summary>
    [Fact]
    public void Every_snapshot_file_belongs_to_a_test()
    {
        var expected = Configs.Select(row => $"{nameof(SnapshotTests)}.{nameof(GeneratedScheduler_MatchesItsSnapshot)}_{Path.GetFileNameWithoutExtension((string)row[0])}_{(string?)row[1] ?? "torch2-cpu"}.snap")
            .Append($"{nameof(SnapshotTests)}.{nameof(Registry_MatchesItsSnapshot)}.snap")
            .Append($"{nameof(SnapshotTests)}.{nameof(ConfigModelFromTheSchema_MatchesItsSnapshot)}.snap")
            .ToHashSet(StringComparer.Ordinal);
        var folder = Path.Combine(RepositoryRoot(), "tests", "CogDdim.Generators.Tests", "__snapshots__");
        var present = Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).ToList();

        Assert.Equal(expected.Count, present.Count(expected.Contains));
        var orphans = present.Where(f => !expected.Contains(f)).ToList();
        Assert.True(orphans.Count == 0, $"snapshot files no test owns (delete them, or restore their test): {string.Join(", ", orphans)}");
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void GeneratedScheduler_MatchesItsSnapshot(string file, string? profile)
    {
        var source = Generate(file, profile, out _);
        Snapshot.Match(source, SnapshotNameExtension.Create(Path.GetFileNameWithoutExtension(file), profile ?? "torch2-cpu"));
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void GeneratedScheduler_CompilesWithoutWarnings(string file, string? profile)
    {
        Generate(file, profile, out var output);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
    }

    [Fact]
    public void Registry_MatchesItsSnapshot()
    {
        var (result, output) = Run(new HarnessOptions(Adapter: true), [
            new ConfigFile("/app/models/CogVideoX-2b/scheduler/scheduler_config.json", TestConfig("cogvideox-2b.json")),
            new ConfigFile("/app/models/CogVideoX-5b/scheduler/scheduler_config.json", TestConfig("cogvideox-5b.json"))]);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
        Snapshot.Match(result.Results[0].GeneratedSources.Single(s => s.HintName == "CogDdim.Generated.GeneratedSchedulers.g.cs").SourceText.ToString());
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void GeneratedSchedulerWithTheAdapter_CompilesWithoutWarnings(string file, string? profile)
    {
        Generate(file, profile, out var output, adapter: true);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
    }

    [Fact]
    public void GeneratedCode_BindsTheSameUnderTheUsersUsingsAndTypes()
    {
        // A .NET 11 System.Numerics.BFloat16 and TorchSharp's BFloat16 behind global usings, and names of the user's
        // own in the generated class's namespace: every name in the generated code is global::-qualified.
        const string hostile = """
            global using System.Numerics;
            global using TorchSharp;
            namespace System.Numerics { public readonly struct BFloat16 { } }
            namespace TorchSharp { public readonly struct BFloat16 { } public static class torch { } }
            namespace Sample.App
            {
                public readonly struct BFloat16 { }
                public sealed class Span<T> { }
                public sealed class ReadOnlySpan<T> { }
                public static class MemoryMarshal { }
                public sealed class SimdScheduler<T> { }
                public interface ISpanScheduler { }
                public interface IFloatingPointIeee754<T> { }
            }
            namespace Sample.App.CogDdim { public sealed class Config { } public sealed class Scheduling { } }
            namespace Sample.App.System { public sealed class Runtime { } }
            """;
        var (result, output) = Run(new HarnessOptions(Adapter: true), [
            new ConfigFile("/app/models/CogVideoX-5b/scheduler/scheduler_config.json", TestConfig("cogvideox-5b.json")),
            new ConfigFile("/app/configs/trained-betas-epsilon.json", TestConfig("trained-betas-epsilon.json"), new Dictionary<string, string> { ["CogDdimSchedulerConfig"] = "true" })], hostile);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(3, result.Results[0].GeneratedSources.Length);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS8019").Select(d => d.ToString()));
    }

    [Fact]
    public void ConfigModelFromTheSchema_MatchesItsSnapshot()
    {
        // What CogDdim.Runtime compiles as SchedulerConfig's generated part, ConfigKeys, the enums and ConfigNames.
        var schema = File.ReadAllText(Path.Combine(RepositoryRoot(), "schemas", "cogvideox-ddim.schema.json"));
        var (result, _) = Run(new ConfigFile("/repo/schemas/cogvideox-ddim.schema.json", schema, new Dictionary<string, string> { ["CogDdimConfigSchema"] = "true" }));
        Assert.Empty(result.Diagnostics);
        Snapshot.Match(result.Results[0].GeneratedSources.Single(s => s.HintName == ConfigModel.HintName).SourceText.ToString());
    }

    private static string Generate(string file, string? profile, out Compilation output, bool adapter = false)
    {
        var metadata = new Dictionary<string, string> { ["CogDdimSchedulerConfig"] = "true" };
        if (profile is not null)
        {
            metadata["CogDdimProfile"] = profile;
        }

        var (result, compilation) = Run(new HarnessOptions(Adapter: adapter), [new ConfigFile("/app/configs/" + file, TestConfig(file), metadata)]);
        output = compilation;
        Assert.Empty(result.Diagnostics);
        var name = Parser.ToIdentifier(Path.GetFileNameWithoutExtension(file));
        return result.Results[0].GeneratedSources.Single(s => s.HintName == $"Sample.App.{name}.g.cs").SourceText.ToString();
    }
}
