using System.Collections.Immutable;
using System.Threading;
using CogDdim.Scheduling;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace CogDdim.Generators;

/// <summary>
/// scheduler_config.json (or cogddim-fixture/1) AdditionalFiles → one specialized CogVideoXDDIMScheduler class each,
/// or diagnostics that point into the JSON. Pipeline, per config: inputs (path, text, metadata) → <see cref="Parser"/>
/// → <see cref="SchedulerSpec"/> (equatable) → tables and C# (<see cref="Emitter"/>) → its own source output. Only
/// the class names (for duplicates and the registry) are collected across configs, so editing one config recomputes
/// and re-emits that config alone.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class SchedulerGenerator : IIncrementalGenerator
{
    private const string MetadataPrefix = "build_metadata.AdditionalFiles.";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var inputs = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, cancellationToken) => ReadInput(pair.Left, pair.Right, cancellationToken))
            .Where(static input => input is not null)
            .Select(static (input, _) => input!)
            .WithTrackingName(TrackingNames.Inputs);

        var parsed = inputs
            .Select(static (input, cancellationToken) => Parser.Parse(input, cancellationToken))
            .WithTrackingName(TrackingNames.Parsed);

        var specs = parsed
            .Select(static (result, _) => result.Spec)
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.Specs);

        var diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        context.RegisterSourceOutput(diagnostics, static (spc, items) =>
        {
            foreach (var item in items)
            {
                spc.ReportDiagnostic(ToDiagnostic(item));
            }
        });

        // CogDdim.Runtime's own build: the schema becomes the config record, its enums, ConfigKeys and ConfigNames.
        var configModel = context.AdditionalTextsProvider
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Where(static pair => string.Equals(Metadata(pair.Right.GetOptions(pair.Left), "CogDdimConfigSchema"), "true", StringComparison.OrdinalIgnoreCase))
            .Select(static (pair, cancellationToken) => (pair.Left.Path, Text: pair.Left.GetText(cancellationToken)?.ToString() ?? string.Empty))
            .WithTrackingName(TrackingNames.Schema);
        context.RegisterSourceOutput(configModel, static (spc, schema) => EmitConfigModel(spc, schema.Path, schema.Text));

        // What the compilation references, as two booleans: the compilation changes with every edit, these do not.
        var references = context.CompilationProvider
            .Select(static (compilation, _) => new References(HasRuntime(compilation), HasConformance(compilation)))
            .WithTrackingName(TrackingNames.References);

        // The host-tensor adapter and the registry serve the conformance tools (CogDdim.Conformance's IScheduler); an
        // app's assembly gets them only when its project asks: <CogDdimConformanceAdapter>true</CogDdimConformanceAdapter>.
        var adapterAsked = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.CogDdimConformanceAdapter", out var value)
                && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase));
        var adapter = adapterAsked.Combine(references)
            .Select(static (pair, _) => pair.Left && pair.Right.HasConformance);

        // The heavy part, per config: tables and C#. Cached per config; a changed config re-runs here alone.
        var emitted = specs.Combine(adapter)
            .Select(static (pair, cancellationToken) => EmitScheduler(pair.Left, pair.Right, cancellationToken))
            .WithTrackingName(TrackingNames.Emitted);

        // Across configs, only names: two configs may claim one class (CDDIM009); the first by path keeps it.
        var names = emitted
            .Select(static (e, _) => new SchedulerName(e.FullName, e.FilePath, e.Source is not null, e.IsDpm))
            .Collect()
            .Select(static (all, _) => Names(all))
            .WithTrackingName(TrackingNames.AllSpecs);

        context.RegisterSourceOutput(emitted.Combine(names).Combine(references), static (spc, item) =>
        {
            var ((scheduler, table), refs) = item;
            if (!refs.HasRuntime || table.IsDuplicate(scheduler.FilePath))
            {
                return;
            }

            if (scheduler.Failure is { } failure)
            {
                spc.ReportDiagnostic(ToDiagnostic(failure));
                return;
            }

            spc.AddSource(scheduler.HintName, SourceText.From(scheduler.Source!, System.Text.Encoding.UTF8));
        });

        context.RegisterSourceOutput(names.Combine(references).Combine(adapterAsked), static (spc, item) =>
        {
            var ((table, refs), asked) = item;
            EmitShared(spc, table, refs, asked);
        });
    }

    private static InputFile? ReadInput(AdditionalText file, AnalyzerConfigOptionsProvider options, CancellationToken cancellationToken)
    {
        var metadata = options.GetOptions(file);
        var flag = Metadata(metadata, "CogDdimSchedulerConfig");
        bool wanted;
        if (flag is not null)
        {
            wanted = string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            // By name only inside the project's own tree: a scheduler_config.json that reaches the compiler from
            // elsewhere (a linked folder, another package's items) needs CogDdimSchedulerConfig="true".
            options.GlobalOptions.TryGetValue("build_property.MSBuildProjectDirectory", out var projectDirectory);
            wanted = string.Equals(System.IO.Path.GetFileName(file.Path), "scheduler_config.json", StringComparison.OrdinalIgnoreCase)
                && IsUnder(file.Path, projectDirectory);
        }

        if (!wanted)
        {
            return null;
        }

        var text = file.GetText(cancellationToken)?.ToString() ?? string.Empty;
        options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var rootNamespace);
        return new InputFile(
            file.Path,
            text,
            Metadata(metadata, "CogDdimClassName"),
            Metadata(metadata, "CogDdimNamespace"),
            Metadata(metadata, "CogDdimProfile"),
            string.Equals(Metadata(metadata, "CogDdimDiffusersCompatible"), "true", StringComparison.OrdinalIgnoreCase),
            rootNamespace);
    }

    /// <summary>Whether <paramref name="path"/> lies in <paramref name="directory"/> or below (true when the directory is not known).</summary>
    internal static bool IsUnder(string path, string? directory)
    {
        if (directory is not { Length: > 0 })
        {
            return true;
        }

        // The compiler passes an item given as ../x/scheduler_config.json as <project>/../x/scheduler_config.json.
        var comparison = directory.Length >= 2 && directory[1] == ':' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var root = Normalize(directory).TrimEnd('/') + "/";
        return Normalize(path).StartsWith(root, comparison);
    }

    /// <summary>Forward slashes, no "." or ".." segments, no doubled separators (pure text: no file system access).</summary>
    private static string Normalize(string path)
    {
        var parts = path.Replace('\\', '/').Split('/');
        var kept = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part == "." || (part.Length == 0 && i > 0 && i < parts.Length - 1))
            {
                continue;
            }

            if (part == ".." && kept.Count > 1)
            {
                kept.RemoveAt(kept.Count - 1);
                continue;
            }

            kept.Add(part);
        }

        return string.Join("/", kept);
    }

    private static string? Metadata(AnalyzerConfigOptions options, string name) =>
        options.TryGetValue(MetadataPrefix + name, out var value) && value.Length > 0 ? value : null;

    /// <summary>The generated schedulers need CogDdim.Runtime, at least as new as this generator (DdimSchedule.FromTables).</summary>
    private static bool HasRuntime(Compilation compilation) =>
        compilation.GetTypeByMetadataName("CogDdim.ISpanScheduler") is not null
        && compilation.GetTypeByMetadataName("CogDdim.Config.SchedulerConfig") is not null
        && compilation.GetTypeByMetadataName("CogDdim.SimdScheduler`1") is not null
        && compilation.GetTypeByMetadataName("CogDdim.Scheduling.DdimSchedule`1") is { } schedule
        && !schedule.GetMembers("FromTables").IsEmpty;

    private static bool HasConformance(Compilation compilation) =>
        compilation.GetTypeByMetadataName("CogDdim.Backends.SpanSchedulerAdapter`1") is not null
        && compilation.GetTypeByMetadataName("CogDdim.Backends.ISchedulerBackend") is not null;

    private static EmittedScheduler EmitScheduler(SchedulerSpec spec, bool adapter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var hintName = Emitter.HintName(spec);
        if (!TableMath.HasFusedMultiplyAdd)
        {
            return new EmittedScheduler(spec.FullName, spec.FilePath, hintName, null, FileDiagnostic(DiagnosticDescriptors.NoFusedMultiplyAdd, spec.FilePath));
        }

        try
        {
            return new EmittedScheduler(spec.FullName, spec.FilePath, hintName, Emitter.Emit(spec, adapter), null, spec.IsDpm);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new EmittedScheduler(spec.FullName, spec.FilePath, hintName, null,
                FileDiagnostic(DiagnosticDescriptors.InternalError, spec.FilePath, $"{e.GetType().Name}: {e.Message}"));
        }
    }

    /// <summary>The names in a stable order (by path), the first claim of each class kept, later ones duplicates.</summary>
    private static NameTable Names(ImmutableArray<SchedulerName> all)
    {
        var sorted = all.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.FilePath, b.FilePath));
        var kept = new List<SchedulerName>();
        var duplicates = new List<DuplicateName>();
        var byName = new Dictionary<string, SchedulerName>(StringComparer.Ordinal);
        foreach (var name in sorted)
        {
            if (byName.TryGetValue(name.FullName, out var first))
            {
                duplicates.Add(new DuplicateName(name.FullName, first.FilePath, name.FilePath));
                continue;
            }

            byName[name.FullName] = name;
            kept.Add(name);
        }

        return new NameTable(new EquatableArray<SchedulerName>(kept.ToArray()), new EquatableArray<DuplicateName>(duplicates.ToArray()));
    }

    /// <summary>What concerns all configs at once: duplicates, a missing reference, the registry.</summary>
    private static void EmitShared(SourceProductionContext context, NameTable table, References references, bool adapterAsked)
    {
        if (table.Kept.Length == 0)
        {
            return;
        }

        if (!references.HasRuntime)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RuntimeNotReferenced, FileStart(table.Kept[0].FilePath),
                table.Kept.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return;
        }

        foreach (var duplicate in table.Duplicates)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateClassName, FileStart(duplicate.Path),
                duplicate.FirstPath, duplicate.Path, duplicate.FullName));
        }

        if (!adapterAsked)
        {
            return;
        }

        if (!references.HasConformance)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ConformanceNotReferenced, FileStart(table.Kept[0].FilePath)));
            return;
        }

        var emitted = table.Kept.Where(static n => n.Emitted).ToList();
        if (emitted.Count > 0)
        {
            context.AddSource("CogDdim.Generated.GeneratedSchedulers.g.cs", SourceText.From(Emitter.EmitRegistry(emitted), System.Text.Encoding.UTF8));
        }
    }

    private static void EmitConfigModel(SourceProductionContext context, string path, string text)
    {
        try
        {
            context.AddSource(ConfigModel.HintName, SourceText.From(ConfigModel.Emit(ConfigModel.Parse(text)), System.Text.Encoding.UTF8));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, FileStart(path), ConfigModel.Describe(e)));
        }
    }

    private static DiagnosticInfo FileDiagnostic(DiagnosticDescriptor descriptor, string path, params string[] arguments) =>
        new(descriptor.Id, new LocationInfo(path, 0, 0, 0, 0, 0, 0), new EquatableArray<string>(arguments));

    private static Location FileStart(string path) =>
        Location.Create(path, new TextSpan(0, 0), new LinePositionSpan(new LinePosition(0, 0), new LinePosition(0, 0)));

    internal static Diagnostic ToDiagnostic(DiagnosticInfo info)
    {
        var descriptor = DiagnosticDescriptors.Find(info.Id) ?? DiagnosticDescriptors.InternalError;
        var location = info.Location is { } l
            ? Location.Create(l.Path, new TextSpan(l.Start, l.Length),
                new LinePositionSpan(new LinePosition(l.StartLine, l.StartCharacter), new LinePosition(l.EndLine, l.EndCharacter)))
            : Location.None;
        var arguments = new object[info.Arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = info.Arguments[i];
        }

        return Diagnostic.Create(descriptor, location, arguments);
    }
}
