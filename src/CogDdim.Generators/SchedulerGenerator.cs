using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace CogDdim.Generators;

/// <summary>
/// scheduler_config.json (or cogddim-fixture/1) AdditionalFiles → one specialized CogVideoXDDIMScheduler class each,
/// or diagnostics that point into the JSON. Pipeline: inputs (path, text, metadata) → <see cref="Parser"/> →
/// <see cref="SchedulerSpec"/> (equatable) → <see cref="Emitter"/>; diagnostics go out through their own output.
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

        var allSpecs = specs.Collect()
            .Select(static (all, _) => new EquatableArray<SchedulerSpec>(Sorted(all)))
            .WithTrackingName(TrackingNames.AllSpecs);

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

        // One output over all specs: two configs may claim one class name (CDDIM009), and only a view of all of them
        // can keep the first and skip the rest without a hint-name collision inside the compiler.
        // The host-tensor adapter and the registry serve the conformance tools (CogDdim.Conformance's IScheduler); an
        // app's assembly gets them only when its project asks: <CogDdimConformanceAdapter>true</CogDdimConformanceAdapter>.
        var adapter = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.CogDdimConformanceAdapter", out var value)
                && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase));
        context.RegisterSourceOutput(allSpecs.Combine(adapter), static (spc, pair) => EmitAll(spc, pair.Left, pair.Right));
    }

    private static InputFile? ReadInput(AdditionalText file, AnalyzerConfigOptionsProvider options, CancellationToken cancellationToken)
    {
        var metadata = options.GetOptions(file);
        var flag = Metadata(metadata, "CogDdimSchedulerConfig");
        var isSchedulerName = string.Equals(System.IO.Path.GetFileName(file.Path), "scheduler_config.json", StringComparison.OrdinalIgnoreCase);
        var wanted = flag is null ? isSchedulerName : string.Equals(flag, "true", StringComparison.OrdinalIgnoreCase);
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

    private static string? Metadata(AnalyzerConfigOptions options, string name) =>
        options.TryGetValue(MetadataPrefix + name, out var value) && value.Length > 0 ? value : null;

    private static void EmitAll(SourceProductionContext context, EquatableArray<SchedulerSpec> all, bool adapter)
    {
        var unique = new List<SchedulerSpec>();
        var byName = new Dictionary<string, SchedulerSpec>(StringComparer.Ordinal);
        foreach (var spec in all)
        {
            if (byName.TryGetValue(spec.FullName, out var first))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateClassName, FileStart(spec.FilePath),
                    first.FilePath, spec.FilePath, spec.FullName));
                continue;
            }

            byName[spec.FullName] = spec;
            if (EmitScheduler(context, spec, adapter))
            {
                unique.Add(spec);
            }
        }

        if (adapter && unique.Count > 0)
        {
            context.AddSource("CogDdim.Generated.GeneratedSchedulers.g.cs", SourceText.From(Emitter.EmitRegistry(unique), System.Text.Encoding.UTF8));
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

    private static bool EmitScheduler(SourceProductionContext context, SchedulerSpec spec, bool adapter)
    {
        context.CancellationToken.ThrowIfCancellationRequested();
        try
        {
            if (!TableMath.HasFusedMultiplyAdd)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NoFusedMultiplyAdd, FileStart(spec.FilePath)));
                return false;
            }

            context.AddSource(Emitter.HintName(spec), SourceText.From(Emitter.Emit(spec, adapter), System.Text.Encoding.UTF8));
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, FileStart(spec.FilePath), $"{e.GetType().Name}: {e.Message}"));
            return false;
        }
    }

    /// <summary>Specs in a stable order (by path), so the registry does not depend on the order files arrive in.</summary>
    private static SchedulerSpec[] Sorted(ImmutableArray<SchedulerSpec> all)
    {
        var array = all.ToArray();
        Array.Sort(array, static (a, b) => string.CompareOrdinal(a.FilePath, b.FilePath));
        return array;
    }

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
