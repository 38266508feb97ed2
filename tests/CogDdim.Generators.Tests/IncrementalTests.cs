extern alias gen;

using System.Collections;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static CogDdim.Generators.Tests.GeneratorHarness;
using gen::CogDdim.Generators;

namespace CogDdim.Generators.Tests;

/// <summary>
/// The generator caches: an unrelated C# edit and a whitespace-only edit of the JSON leave its outputs cached or
/// unchanged; a changed value regenerates. No symbol, syntax node or compilation travels down the pipeline.
/// </summary>
public sealed class IncrementalTests
{
    private const string ConfigPath = "/app/CogVideoX-5b/scheduler/scheduler_config.json";

    private static (GeneratorDriver Driver, Compilation Compilation, AdditionalText Text) FirstRun(string json)
    {
        var compilation = CreateCompilation("namespace Sample.App; public static class Marker { }");
        var driver = Driver([new ConfigFile(ConfigPath, json)], out var texts).RunGenerators(compilation);
        return (driver, compilation, texts.Single());
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static IncrementalStepRunReason[] OutputReasons(GeneratorRunResult result) =>
        result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    [Fact]
    public void UnrelatedCSharpEdit_LeavesEverythingCached()
    {
        var (driver, compilation, _) = FirstRun(TestConfig("cogvideox-5b.json"));
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Sample.App; public static class Other { }", LatestParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results[0];
        Assert.NotEmpty(Reasons(result, TrackingNames.Inputs));
        Assert.NotEmpty(Reasons(result, TrackingNames.Specs));
        Assert.NotEmpty(OutputReasons(result));
        Assert.All(Reasons(result, TrackingNames.Inputs), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(result, TrackingNames.Specs), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(result, TrackingNames.Emitted), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(OutputReasons(result), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void WhitespaceOnlyJsonEdit_LeavesTheSpecAndOutputsUnchanged()
    {
        var json = TestConfig("cogvideox-5b.json");
        var (driver, compilation, text) = FirstRun(json);
        var reformatted = json.Replace("\n  ", "\n\t\t", StringComparison.Ordinal).Replace(": ", " :   ", StringComparison.Ordinal);
        Assert.NotEqual(json, reformatted);
        driver = driver.ReplaceAdditionalText(text, new InMemoryAdditionalText(ConfigPath, reformatted));
        var result = driver.RunGenerators(compilation).GetRunResult().Results[0];
        var all = string.Join("; ", result.TrackedSteps.Select(kv => kv.Key + "=" + string.Join(",", Reasons(result, kv.Key))));
        Assert.True(Reasons(result, TrackingNames.Inputs).SequenceEqual([IncrementalStepRunReason.Modified]), all);
        Assert.True(Reasons(result, TrackingNames.Parsed).SequenceEqual([IncrementalStepRunReason.Unchanged]), all);
        // Parsing ran again and produced an equal result, so everything after it was taken from the cache.
        Assert.True(Reasons(result, TrackingNames.Specs).SequenceEqual([IncrementalStepRunReason.Cached]), all);
        Assert.True(Reasons(result, TrackingNames.AllSpecs).SequenceEqual([IncrementalStepRunReason.Cached]), all);
        Assert.NotEmpty(OutputReasons(result));
        Assert.All(OutputReasons(result), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void ChangedValue_Regenerates()
    {
        var json = TestConfig("cogvideox-5b.json");
        var (driver, compilation, text) = FirstRun(json);
        var changed = json.Replace("\"snr_shift_scale\": 1.0", "\"snr_shift_scale\": 2.0", StringComparison.Ordinal);
        Assert.NotEqual(json, changed);
        driver = driver.ReplaceAdditionalText(text, new InMemoryAdditionalText(ConfigPath, changed));
        var run = driver.RunGenerators(compilation).GetRunResult();
        var result = run.Results[0];
        Assert.Equal([IncrementalStepRunReason.Modified], Reasons(result, TrackingNames.Specs));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(result));
        Assert.Contains("public const double SnrShiftScale = 2D;", result.GeneratedSources.Single(s => s.HintName == "Sample.App.CogVideoX5b.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    private static readonly string[] SeveralPaths =
    [
        "/app/CogVideoX-2b/scheduler/scheduler_config.json",
        "/app/CogVideoX-5b/scheduler/scheduler_config.json",
        "/app/configs/linear/scheduler_config.json",
        "/app/configs/trained/scheduler_config.json",
    ];

    private static (GeneratorDriver Driver, Compilation Compilation, IReadOnlyList<AdditionalText> Texts) SeveralConfigs()
    {
        string[] names = ["cogvideox-2b.json", "cogvideox-5b.json", "linear-sample-linspace.json", "trained-betas-epsilon.json"];
        var files = SeveralPaths.Select((path, i) => new ConfigFile(path, TestConfig(names[i]))).ToArray();
        var compilation = CreateCompilation("namespace Sample.App; public static class Marker { }");
        var driver = Driver(files, new HarnessOptions(Adapter: true), out var texts).RunGenerators(compilation);
        return (driver, compilation, texts);
    }

    private static Dictionary<string, string> Sources(GeneratorRunResult result) =>
        result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    [Fact]
    public void SeveralConfigs_EditingOneRecomputesAndReEmitsOnlyThatOne()
    {
        var (driver, compilation, texts) = SeveralConfigs();
        var before = Sources(driver.GetRunResult().Results[0]);
        Assert.Equal(5, before.Count); // four classes and the registry

        var json = TestConfig("linear-sample-linspace.json");
        var changed = json.Replace("\"snr_shift_scale\": 2.0", "\"snr_shift_scale\": 2.5", StringComparison.Ordinal);
        Assert.NotEqual(json, changed);
        driver = driver.ReplaceAdditionalText(texts[2], new InMemoryAdditionalText(SeveralPaths[2], changed));
        var result = driver.RunGenerators(compilation).GetRunResult().Results[0];
        var all = string.Join("; ", result.TrackedSteps.Select(kv => kv.Key + "=" + string.Join(",", Reasons(result, kv.Key))));

        // Tables and C# are computed again for the edited config alone; the others come from the cache.
        var emitted = Reasons(result, TrackingNames.Emitted);
        Assert.True(emitted.Count(r => r == IncrementalStepRunReason.Modified) == 1, all);
        Assert.True(emitted.Count(r => r == IncrementalStepRunReason.Cached) == 3, all);

        // Only its source output ran again; names did not change, so the registry was not rebuilt.
        var outputs = OutputReasons(result);
        Assert.True(outputs.Count(r => r == IncrementalStepRunReason.Modified) == 1, string.Join(",", outputs));
        Assert.True(outputs.All(r => r is IncrementalStepRunReason.Modified or IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged), string.Join(",", outputs));
        var after = Sources(result);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.Equal(["Sample.App.Linear.g.cs"], before.Keys.Where(k => before[k] != after[k]).ToArray());
    }

    [Fact]
    public void SeveralConfigs_AnUnrelatedEditOrAWhitespaceEditRegeneratesNothing()
    {
        var (driver, compilation, texts) = SeveralConfigs();
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Sample.App; public static class Other { }", LatestParseOptions));
        var result = driver.RunGenerators(edited).GetRunResult().Results[0];
        Assert.All(Reasons(result, TrackingNames.Emitted), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(OutputReasons(result), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));

        var json = TestConfig("cogvideox-5b.json");
        var reformatted = json.Replace("\n  ", "\n\t\t", StringComparison.Ordinal);
        Assert.NotEqual(json, reformatted);
        driver = driver.RunGenerators(edited).ReplaceAdditionalText(texts[1], new InMemoryAdditionalText(SeveralPaths[1], reformatted));
        result = driver.RunGenerators(edited).GetRunResult().Results[0];
        var all = string.Join("; ", result.TrackedSteps.Select(kv => kv.Key + "=" + string.Join(",", Reasons(result, kv.Key))));
        Assert.True(Reasons(result, TrackingNames.Inputs).Count(r => r == IncrementalStepRunReason.Modified) == 1, all);
        Assert.All(Reasons(result, TrackingNames.Emitted), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(OutputReasons(result), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void NoSymbolSyntaxOrCompilationInAnyStepOutput()
    {
        var (driver, _, _) = FirstRun(TestConfig("cogvideox-5b.json"));
        var result = driver.GetRunResult().Results[0];
        Assert.NotEmpty(result.TrackedSteps);
        string[] ours = [TrackingNames.Inputs, TrackingNames.Parsed, TrackingNames.Specs, TrackingNames.Diagnostics, TrackingNames.Emitted, TrackingNames.AllSpecs, TrackingNames.References];
        Assert.All(ours, name => Assert.True(result.TrackedSteps.ContainsKey(name), name));

        // Roslyn's own input steps (AdditionalTexts, AnalyzerConfigOptions…) hold what the compiler gives; every step
        // of ours must hold plain data.
        foreach (var (name, steps) in result.TrackedSteps.Where(kv => ours.Contains(kv.Key)))
        {
            foreach (var output in steps.SelectMany(s => s.Outputs))
            {
                AssertPlainData(output.Value, name, 0);
            }
        }
    }

    private static void AssertPlainData(object? value, string step, int depth)
    {
        if (value is null || depth > 6 || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        Assert.False(value is ISymbol or SyntaxNode or Compilation or SemanticModel or AdditionalText or SyntaxTree,
            $"step {step} outputs a {value.GetType().FullName}");
        if (value is IEnumerable items)
        {
            foreach (var item in items.Cast<object?>().Take(20))
            {
                AssertPlainData(item, step, depth + 1);
            }

            return;
        }

        foreach (var property in value.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0))
        {
            AssertPlainData(property.GetValue(value), step, depth + 1);
        }
    }
}
