extern alias gen;

using System.Collections.Immutable;
using System.Globalization;
using Basic.Reference.Assemblies;
using CogDdim.Config;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using gen::CogDdim.Generators;

namespace CogDdim.Generators.Tests;

/// <summary>An AdditionalFile held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}

/// <summary>build_property.* and per-file build_metadata.AdditionalFiles.* as MSBuild would pass them.</summary>
internal sealed class TestOptionsProvider(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> perFile, IReadOnlyDictionary<string, string> global)
    : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(global);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(new Dictionary<string, string>());

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        new Options(perFile.TryGetValue(textFile.Path, out var options) ? options : new Dictionary<string, string>());

    private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}

/// <summary>A config file and its item metadata (names without the build_metadata prefix).</summary>
internal sealed record ConfigFile(string Path, string Text, IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>
/// How the harness's compilation looks: the conformance adapter asked for (CogDdimConformanceAdapter), the project
/// directory MSBuild would pass, and which CogDdim assemblies the compilation references.
/// </summary>
internal sealed record HarnessOptions(bool Adapter = false, string? ProjectDirectory = null, bool Runtime = true, bool Conformance = true, string RootNamespace = GeneratorHarness.RootNamespace);

/// <summary>Runs the generator in a CSharpGeneratorDriver, the way the compiler does.</summary>
internal static class GeneratorHarness
{
    public const string RootNamespace = "Sample.App";

    public static readonly CSharpParseOptions LatestParseOptions = new(LanguageVersion.Latest);

    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(new HarnessOptions(), sources);

    public static CSharpCompilation CreateCompilation(HarnessOptions options, params string[] sources)
    {
        var references = new List<MetadataReference>(Net100.References.All);
        if (options.Runtime)
        {
            references.Add(MetadataReference.CreateFromFile(typeof(SchedulerConfig).Assembly.Location));
        }

        if (options.Conformance)
        {
            references.Add(MetadataReference.CreateFromFile(typeof(CogDdim.Backends.IScheduler).Assembly.Location));
        }

        return CSharpCompilation.Create(
            "GeneratorTestAssembly",
            sources.Select(s => CSharpSyntaxTree.ParseText(s, LatestParseOptions)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }

    public static GeneratorDriver Driver(IEnumerable<ConfigFile> files) => Driver(files, out _);

    public static GeneratorDriver Driver(IEnumerable<ConfigFile> files, out IReadOnlyList<AdditionalText> texts) => Driver(files, new HarnessOptions(), out texts);

    public static GeneratorDriver Driver(IEnumerable<ConfigFile> files, HarnessOptions options, out IReadOnlyList<AdditionalText> texts)
    {
        var list = files.ToList();
        texts = list.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToList();
        var perFile = list.ToDictionary(
            f => f.Path,
            f => (IReadOnlyDictionary<string, string>)(f.Metadata ?? new Dictionary<string, string>())
                .ToDictionary(kv => "build_metadata.AdditionalFiles." + kv.Key, kv => kv.Value));
        var global = new Dictionary<string, string> { ["build_property.RootNamespace"] = options.RootNamespace };
        if (options.Adapter)
        {
            global["build_property.CogDdimConformanceAdapter"] = "true";
        }

        if (options.ProjectDirectory is { } directory)
        {
            global["build_property.MSBuildProjectDirectory"] = directory;
        }

        return CSharpGeneratorDriver.Create(
            [new SchedulerGenerator().AsSourceGenerator()],
            texts,
            LatestParseOptions,
            new TestOptionsProvider(perFile, global),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>Runs once; returns the run result and the compilation with the generated sources.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params ConfigFile[] files) => Run(new HarnessOptions(), files);

    /// <summary>Runs once under <paramref name="options"/>; <paramref name="sources"/> replace the marker source when given.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(HarnessOptions options, ConfigFile[] files, params string[] sources)
    {
        var compilation = CreateCompilation(options, sources.Length > 0 ? sources : ["namespace Sample.App; public static class Marker { }"]);
        var driver = Driver(files, options, out _).RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>The diagnostics of one config file given as JSON text.</summary>
    public static ImmutableArray<Diagnostic> Diagnose(string json, IReadOnlyDictionary<string, string>? metadata = null, string path = "/app/models/test/scheduler_config.json") =>
        Run(new ConfigFile(path, json, metadata)).Result.Diagnostics;

    public static string TestConfig(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestConfigs", name));

    /// <summary>Text of the span a diagnostic points at, and its 1-based line and column as the compiler prints them.</summary>
    public static (string Id, string Message, string SpanText, int Line, int Column) Describe(Diagnostic d, string json)
    {
        var span = d.Location.SourceSpan;
        var line = d.Location.GetLineSpan().StartLinePosition;
        return (d.Id, d.GetMessage(CultureInfo.InvariantCulture), json.Substring(span.Start, span.Length), line.Line + 1, line.Character + 1);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CogDdim.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("no CogDdim.sln above " + AppContext.BaseDirectory);
    }
}
