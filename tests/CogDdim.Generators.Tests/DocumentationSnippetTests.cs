using System.Text.RegularExpressions;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CogDdim.Generators.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md and docs/**/*.md compiles, as a user would paste it: each block is a
/// program (or, without top-level statements, a library) of its own, compiled against the packages' assemblies and
/// with the generator run over CogVideoX-5b's <c>scheduler_config.json</c> (so <c>CogVideoX5b</c> exists, in the global
/// namespace as in an app whose root namespace is empty). A snippet that no longer compiles fails here.
/// </summary>
public sealed partial class DocumentationSnippetTests
{
    [Fact]
    public void The_documents_have_csharp_snippets()
    {
        // A renamed fence (```cs, ```c#) would silently take a snippet out of this test.
        Assert.True(Snippets().Count() >= 5, "fewer C# snippets than the README alone holds");
        foreach (var document in Documents())
        {
            var text = File.ReadAllText(document);
            Assert.DoesNotMatch(OtherCSharpFence(), text);
        }
    }

    [Theory]
    [MemberData(nameof(SnippetIds))]
    public void Snippet_compiles(string id)
    {
        var snippet = Snippets().Single(s => s.Id == id);
        var tree = CSharpSyntaxTree.ParseText(snippet.Code, GeneratorHarness.LatestParseOptions, path: snippet.Id);
        var kind = tree.GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any()
            ? OutputKind.ConsoleApplication
            : OutputKind.DynamicallyLinkedLibrary;
        // A new console project's implicit usings (ImplicitUsings is on in `dotnet new console`).
        var implicitUsings = CSharpSyntaxTree.ParseText(
            "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;",
            GeneratorHarness.LatestParseOptions);
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [tree, implicitUsings],
            References(),
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
        var config = File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot(), "samples", "CogVideoX5bSample", "CogVideoX-5b", "scheduler", "scheduler_config.json"));
        var driver = GeneratorHarness.Driver([new ConfigFile("/app/CogVideoX-5b/scheduler/scheduler_config.json", config)], new HarnessOptions(RootNamespace: ""), out _);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var problems = generatorDiagnostics.Concat(output.GetDiagnostics())
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString())
            .ToList();
        Assert.True(problems.Count == 0, $"{snippet.Id} does not compile:\n{string.Join("\n", problems)}\n--- snippet ---\n{snippet.Code}");
    }

    public static TheoryData<string> SnippetIds() => new(Snippets().Select(s => s.Id));

    private sealed record Snippet(string Id, string Code);

    private static IEnumerable<Snippet> Snippets()
    {
        foreach (var document in Documents())
        {
            var lines = File.ReadAllLines(document);
            var relative = Path.GetRelativePath(GeneratorHarness.RepositoryRoot(), document);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim() != "```csharp")
                {
                    continue;
                }

                var start = i + 1;
                var end = start;
                while (end < lines.Length && lines[end].Trim() != "```")
                {
                    end++;
                }

                yield return new Snippet($"{relative}:{start}", string.Join("\n", lines[start..end]));
                i = end;
            }
        }
    }

    private static IEnumerable<string> Documents()
    {
        var root = GeneratorHarness.RepositoryRoot();
        return new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);
    }

    private static IEnumerable<MetadataReference> References() =>
        Net100.References.All.Concat(new[]
        {
            typeof(CogDdim.Config.SchedulerConfig),
            typeof(CogDdim.Reference.ReferenceScheduler<>),
            typeof(CogDdim.Tensors.HostTensor),
            typeof(CogDdim.Torch.TorchScheduler),
            typeof(TorchSharp.torch),
            typeof(CogDdim.OnnxRuntime.OnnxRuntimeInterop),
            typeof(Microsoft.ML.OnnxRuntime.Float16),
            typeof(System.Numerics.Tensors.Tensor),
        }.Select(t => t.Assembly.Location).Distinct().Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)));

    [GeneratedRegex(@"^\s*```(cs|c#|C#|CSharp|csharp-[a-z]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex OtherCSharpFence();
}
