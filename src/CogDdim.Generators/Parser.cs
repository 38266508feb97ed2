using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using CogDdim.Config;
using CogDdim.Generators.Json;
using CogDdim.Semantics;
using CogDdim.Tensors;
using Microsoft.CodeAnalysis;

namespace CogDdim.Generators;

/// <summary>
/// Turns one AdditionalFile into a <see cref="SchedulerSpec"/> and diagnostics: JSON syntax, then every key against
/// the schema, then the consequences diffusers leaves to run time. Never throws: a failure is CDDIM016.
/// </summary>
internal sealed class Parser
{
    public const string FixtureFormat = "cogddim-fixture/1";
    public const string ExpectedClassName = "CogVideoXDDIMScheduler";

    /// <summary>diffusers' other CogVideoX scheduler, with the same config keys: the generator emits a class that
    /// delegates to the runtime's DPM span scheduler.</summary>
    public const string DpmClassName = "CogVideoXDPMScheduler";

    private string _schedulerClass = ExpectedClassName;

    private readonly InputFile _input;
    private readonly List<DiagnosticInfo> _diagnostics = [];
    private int[]? _lineStarts;
    private bool _hasErrors;

    private Parser(InputFile input)
    {
        _input = input;
    }

    public static ParseResult Parse(InputFile input, CancellationToken cancellationToken)
    {
        var parser = new Parser(input);
        SchedulerSpec? spec;
        try
        {
            spec = parser.Run(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            parser.Report(DiagnosticDescriptors.InternalError, 0, 0, $"{e.GetType().Name}: {e.Message}");
            spec = null;
        }

        return new ParseResult(parser._hasErrors ? null : spec, new EquatableArray<DiagnosticInfo>(parser._diagnostics.ToArray()));
    }

    private SchedulerSpec? Run(CancellationToken cancellationToken)
    {
        JsonNode root;
        try
        {
            root = JsonReader.Parse(_input.Text);
        }
        catch (JsonSyntaxException e)
        {
            Report(DiagnosticDescriptors.InvalidJson, e.Offset, e.Length, e.Message);
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (root.Kind != JsonKind.Object)
        {
            Report(DiagnosticDescriptors.NotAnObject, root, "The scheduler config", root.Describe());
            return null;
        }

        var config = root;
        var profileName = _input.Profile is { Length: > 0 } p ? p : SemanticsProfile.Torch2Cpu.Name;
        SemanticsProfile? profile;
        if (root.Property("format") is { Kind: JsonKind.String, Text: FixtureFormat })
        {
            var fixtureConfig = root.Property("config");
            if (fixtureConfig is not { Kind: JsonKind.Object })
            {
                Report(DiagnosticDescriptors.NotAnObject, fixtureConfig ?? root,
                    "The 'config' of a cogddim-fixture/1 file", fixtureConfig?.Describe() ?? "missing");
                return null;
            }

            config = fixtureConfig;
            profile = FixtureProfile(root);
            if (root.Property("reference")?.Property("class") is { Kind: JsonKind.String, Text: DpmClassName })
            {
                _schedulerClass = DpmClassName;
            }
        }
        else
        {
            profile = SemanticsProfile.FindByName(profileName);
            if (profile is null)
            {
                Report(DiagnosticDescriptors.UnsupportedProfile, 0, 0, $"CogDdimProfile \"{profileName}\" is not a known profile");
            }
        }

        var spec = Config(config);
        var (ns, className) = Names();
        if (spec is null || profile is null || ns is null || className is null)
        {
            return null;
        }

        return new SchedulerSpec(_input.Path, ns, className, profile.Name, spec, _schedulerClass);
    }

    private ConfigSpec? Config(JsonNode config)
    {
        var values = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in config.Properties!)
        {
            given.Add(property.Name);
        }

        foreach (var property in config.Properties!)
        {
            if (values.ContainsKey(property.Name))
            {
                Report(DiagnosticDescriptors.DuplicateKey, property.NameStart, property.NameEnd - property.NameStart, property.Name);
                continue;
            }

            values[property.Name] = property.Value;
            if (property.Name == "$schema")
            {
                continue; // names the JSON Schema for editors; not a config value
            }

            if (!ConfigSchema.Keys.TryGetValue(property.Name, out var schema))
            {
                // A near miss of an argument the file does not give is that argument mistyped: an error (whose
                // severity .editorconfig may lower), which does not stop the class, so a lowered one still builds.
                if (KeySuggestions.NearMiss(property.Name, ConfigSchema.Arguments) is { } argument && !given.Contains(argument))
                {
                    Report(DiagnosticDescriptors.NearMissKey, property.NameStart, property.NameEnd - property.NameStart, blocks: false,
                        property.Name, argument, ConfigSchema.Keys[argument].DefaultJson ?? "null");
                    continue;
                }

                Report(DiagnosticDescriptors.UnknownKey, property.NameStart, property.NameEnd - property.NameStart, property.Name);
                continue;
            }

            Check(schema, property.Value);
        }

        if (_hasErrors)
        {
            return null;
        }

        var spec = new ConfigSpec(
            (int)Integer(values, "num_train_timesteps"),
            Number(values, "beta_start"),
            Number(values, "beta_end"),
            Text(values, "beta_schedule"),
            Betas(values),
            Bool(values, "clip_sample"),
            Bool(values, "set_alpha_to_one"),
            (int)Integer(values, "steps_offset"),
            Text(values, "prediction_type"),
            Number(values, "clip_sample_range"),
            Number(values, "sample_max_value"),
            Text(values, "timestep_spacing"),
            Bool(values, "rescale_betas_zero_snr"),
            Number(values, "snr_shift_scale"));
        Consequences(spec, values);
        return _hasErrors ? null : spec;
    }

    /// <summary>One key against its schema entry: type, allowed values, bounds.</summary>
    private void Check(KeySchema schema, JsonNode value)
    {
        if (value.Kind == JsonKind.Null && schema.Nullable)
        {
            return;
        }

        switch (schema.Type)
        {
            case "integer":
                if (value.Kind != JsonKind.Number || value.Text!.IndexOfAny(['.', 'e', 'E']) >= 0)
                {
                    Report(DiagnosticDescriptors.WrongType, value, schema.Key, Show(value), "an integer");
                    return;
                }

                if (!long.TryParse(value.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                    || integer < schema.Minimum || integer > schema.Maximum)
                {
                    Report(DiagnosticDescriptors.OutOfRange, value, schema.Key, Excerpt(value.Text), Bounds(schema));
                }

                return;
            case "number":
                if (value.Kind != JsonKind.Number)
                {
                    Report(DiagnosticDescriptors.WrongType, value, schema.Key, Show(value), "a number");
                    return;
                }

                var number = ParseDouble(value.Text!);
                if (double.IsInfinity(number) || number < schema.Minimum || number > schema.Maximum)
                {
                    Report(DiagnosticDescriptors.OutOfRange, value, schema.Key, Excerpt(value.Text!), Bounds(schema));
                }

                return;
            case "boolean":
                if (value.Kind is not (JsonKind.True or JsonKind.False))
                {
                    Report(DiagnosticDescriptors.WrongType, value, schema.Key, Show(value), "true or false");
                }

                return;
            case "string":
                if (value.Kind != JsonKind.String)
                {
                    Report(DiagnosticDescriptors.WrongType, value, schema.Key, Show(value), "a string");
                    return;
                }

                if (schema.Constant is { } constant && value.Text == DpmClassName && constant == ExpectedClassName)
                {
                    _schedulerClass = DpmClassName;
                }
                else if (schema.Constant is { } constant2 && value.Text != constant2)
                {
                    Report(DiagnosticDescriptors.OtherSchedulerClass, value, Excerpt(value.Text!));
                }

                if (schema.Allowed.Count > 0 && !Contains(schema.Allowed, value.Text!))
                {
                    var allowed = string.Join(", ", schema.Allowed);
                    if (_input.DiffusersCompatible)
                    {
                        Report(DiagnosticDescriptors.DeferredValue, value, schema.Key, Excerpt(value.Text!), allowed, WhereDiffusersFails(schema.Key));
                    }
                    else
                    {
                        Report(DiagnosticDescriptors.ValueNotAllowed, value, schema.Key, Excerpt(value.Text!), allowed);
                    }
                }

                return;
            case "array":
                if (value.Kind != JsonKind.Array)
                {
                    Report(DiagnosticDescriptors.WrongType, value, schema.Key, Show(value), schema.Nullable ? "null or an array of numbers" : "an array of numbers");
                    return;
                }

                if (value.Items!.Count < schema.MinItems)
                {
                    Report(DiagnosticDescriptors.OutOfRange, value, schema.Key, "an empty array", $"at least {schema.MinItems} value, one per training timestep");
                    return;
                }

                for (var i = 0; i < value.Items.Count; i++)
                {
                    var item = value.Items[i];
                    var itemKey = string.Format(CultureInfo.InvariantCulture, "{0}[{1}]", schema.Key, i);
                    if (item.Kind != JsonKind.Number)
                    {
                        Report(DiagnosticDescriptors.WrongType, item, itemKey, Show(item), "a number");
                    }
                    else if (double.IsInfinity(ParseDouble(item.Text!)))
                    {
                        Report(DiagnosticDescriptors.OutOfRange, item, itemKey, Excerpt(item.Text!), "finite numbers");
                    }
                }

                return;
        }
    }

    /// <summary>What diffusers accepts but fails on later, or computes into nonsense: warnings that say what happens.</summary>
    private void Consequences(ConfigSpec spec, Dictionary<string, JsonNode> values)
    {
        if (spec.TrainedBetas is { } betas && betas.Length != spec.NumTrainTimesteps)
        {
            Report(DiagnosticDescriptors.TrainedBetasLength, values["trained_betas"],
                betas.Length.ToString(CultureInfo.InvariantCulture), spec.NumTrainTimesteps.ToString(CultureInfo.InvariantCulture));
        }

        if (spec.RescaleBetasZeroSnr && spec.PredictionType == "epsilon")
        {
            Report(DiagnosticDescriptors.EpsilonWithZeroSnr, values["rescale_betas_zero_snr"],
                (spec.NumTrainTimesteps - 1).ToString(CultureInfo.InvariantCulture));
        }

        if (spec.TimestepSpacing == "leading" && spec.StepsOffset > 0 && values.TryGetValue("steps_offset", out var offsetNode))
        {
            long t = spec.NumTrainTimesteps;
            for (long n = 1; n <= t; n++)
            {
                var largest = ((n - 1) * (t / n)) + spec.StepsOffset;
                if (largest > t - 1)
                {
                    Report(DiagnosticDescriptors.LeadingOffsetPastTable, offsetNode,
                        spec.StepsOffset.ToString(CultureInfo.InvariantCulture), n.ToString(CultureInfo.InvariantCulture),
                        largest.ToString(CultureInfo.InvariantCulture), (t - 1).ToString(CultureInfo.InvariantCulture));
                    break;
                }
            }
        }

        if (spec.SnrShiftScale <= 0 && values.TryGetValue("snr_shift_scale", out var shiftNode))
        {
            Report(DiagnosticDescriptors.NonPositiveSnrShift, shiftNode, Excerpt(shiftNode.Text!));
        }
        NonFiniteChecks(spec, values);
    }

    /// <summary>
    /// Issue 14, in one place: a negative beta with scaled_linear (diffusers raises RuntimeError: an error), and a
    /// schedule table with a NaN or infinite entry (diffusers accepts it: a warning naming the key and the entry).
    /// </summary>
    private void NonFiniteChecks(ConfigSpec spec, Dictionary<string, JsonNode> values)
    {
        if (spec.HasFloat64Table && (spec.BetaStart < 0 || spec.BetaEnd < 0))
        {
            var key = spec.BetaStart < 0 ? "beta_start" : "beta_end";
            if (values.TryGetValue(key, out var node))
            {
                Report(DiagnosticDescriptors.ComplexLinspace, node, key, Excerpt(node.Text!));
            }

            return;
        }

        if (spec.ConstructionFails || !CogDdim.Scheduling.TableMath.HasFusedMultiplyAdd
            || (spec.TrainedBetas is { } b && b.Length != spec.NumTrainTimesteps))
        {
            return;
        }

        var tables = Tables.Compute(spec, CogDdim.Semantics.SemanticsProfile.Torch2Cpu);
        var betasOutside = false;
        foreach (var bits in tables.Betas)
        {
            var beta = tables.IsDouble ? BitConverter.Int64BitsToDouble((long)bits) : SingleOf(bits);
            betasOutside |= !(beta >= 0 && beta <= 1);
        }

        foreach (var (table, bits) in new[] { ("betas", tables.Betas), ("alphas_cumprod", tables.AlphasCumprod) })
        {
            for (var i = 0; i < bits.Length; i++)
            {
                var value = tables.IsDouble ? BitConverter.Int64BitsToDouble((long)bits[i]) : SingleOf(bits[i]);
                if (double.IsNaN(value) || double.IsInfinity(value))
                {
                    // The same blame as the runtime reader's (ScheduleChecks.FirstNonFinite), told more briefly.
                    var key = table != "alphas_cumprod" || betasOutside ? (spec.TrainedBetas is not null ? "trained_betas" : "beta_end")
                        : spec.RescaleBetasZeroSnr ? "rescale_betas_zero_snr"
                        : "snr_shift_scale";
                    var node = values.TryGetValue(key, out var n) ? n : null;
                    var text = value.ToString("R", CultureInfo.InvariantCulture);
                    if (node is not null)
                    {
                        Report(DiagnosticDescriptors.NonFiniteTable, node, key, table, i.ToString(CultureInfo.InvariantCulture), text);
                    }
                    else
                    {
                        Report(DiagnosticDescriptors.NonFiniteTable, 0, 0, key, table, i.ToString(CultureInfo.InvariantCulture), text);
                    }

                    return;
                }
            }
        }

        static double SingleOf(ulong bits)
        {
            var bytes = BitConverter.GetBytes((uint)bits);
            return BitConverter.ToSingle(bytes, 0);
        }
    }

    /// <summary><c>reference.semantics</c> of a fixture, matched against the named profiles rule by rule.</summary>
    private SemanticsProfile? FixtureProfile(JsonNode root)
    {
        var semantics = root.Property("reference")?.Property("semantics");
        if (semantics is not { Kind: JsonKind.Object })
        {
            Report(DiagnosticDescriptors.UnsupportedProfile, semantics ?? root, "A cogddim-fixture/1 file needs a reference.semantics object");
            return null;
        }

        foreach (var candidate in SemanticsProfile.Named)
        {
            if (Matches(candidate, semantics))
            {
                return candidate;
            }
        }

        Report(DiagnosticDescriptors.UnsupportedProfile, semantics, "reference.semantics matches no named profile");
        return null;
    }

    /// <summary>Every rule the fixture records must be the profile's: scalar policies, linspace rounding, cumprod accumulator.</summary>
    private static bool Matches(SemanticsProfile profile, JsonNode semantics)
    {
        if (semantics.Property("scalar_policy") is { Kind: JsonKind.Object } policies)
        {
            foreach (var dtype in policies.Properties!)
            {
                if (!DTypes.TryParse(dtype.Name, out var type))
                {
                    return false;
                }

                foreach (var form in dtype.Value.Properties ?? [])
                {
                    var recorded = form.Value.Text == "opmath" ? ScalarPolicy.Opmath : form.Value.Text == "cast" ? (ScalarPolicy?)ScalarPolicy.Cast : null;
                    if (!SemanticsProfile.TryParseForm(form.Name, out var scalarForm) || recorded != profile.PolicyFor(type, scalarForm))
                    {
                        return false;
                    }
                }
            }
        }

        if (semantics.Property("linspace_rounding") is { Kind: JsonKind.Object } linspace)
        {
            foreach (var entry in linspace.Properties!)
            {
                if (!DTypes.TryParse(entry.Name, out var type) || SemanticsProfile.ParseLinspace(entry.Value.Text ?? string.Empty) != profile.LinspaceFor(type))
                {
                    return false;
                }
            }
        }

        var accumulator = profile.CumprodFloat32Accumulator == CumprodAccumulator.Float64 ? "float64" : "float32";
        return semantics.Property("cumprod_float32_accumulator") is not { } recordedAccumulator || recordedAccumulator.Text == accumulator;
    }

    private (string? Namespace, string? ClassName) Names()
    {
        var ns = _input.Namespace is { Length: > 0 } given ? given : _input.RootNamespace ?? string.Empty;
        foreach (var part in ns.Length == 0 ? [] : ns.Split('.'))
        {
            if (!IsIdentifier(part))
            {
                Report(DiagnosticDescriptors.InvalidMetadata, 0, 0, "The namespace", ns, "every dot-separated part must be a C# identifier");
                ns = null;
                break;
            }
        }

        var source = _input.ClassName is { Length: > 0 } name ? name : DefaultClassName(_input.Path);
        var className = ToIdentifier(source);
        if (className.Length == 0)
        {
            Report(DiagnosticDescriptors.InvalidMetadata, 0, 0, "The class name", source, "it has no letter or digit to make a C# identifier from");
            return (ns, null);
        }

        if (Array.IndexOf(Emitter.MemberNames, className) >= 0)
        {
            Report(DiagnosticDescriptors.InvalidMetadata, 0, 0, "The class name", className, "it is the name of a member of the generated class; give the file another CogDdimClassName");
            return (ns, null);
        }

        return (ns, className);
    }

    /// <summary>The file name without extension; for scheduler_config.json, the nearest folder that is not "scheduler".</summary>
    public static string DefaultClassName(string path)
    {
        var parts = path.Replace('\\', '/').Split('/');
        var stem = System.IO.Path.GetFileNameWithoutExtension(parts[parts.Length - 1]);
        if (!string.Equals(stem, "scheduler_config", StringComparison.OrdinalIgnoreCase))
        {
            return stem;
        }

        for (var i = parts.Length - 2; i >= 0; i--)
        {
            if (parts[i].Length > 0 && !string.Equals(parts[i], "scheduler", StringComparison.OrdinalIgnoreCase))
            {
                return parts[i];
            }
        }

        return stem;
    }

    /// <summary>Runs of letters and digits, each capitalized and joined: "cogvideox-5b" → "Cogvideox5b".</summary>
    public static string ToIdentifier(string text)
    {
        var builder = new StringBuilder();
        var startOfRun = true;
        foreach (var c in text)
        {
            if (c < 128 && char.IsLetterOrDigit(c))
            {
                builder.Append(startOfRun ? char.ToUpperInvariant(c) : c);
                startOfRun = false;
            }
            else
            {
                startOfRun = true;
            }
        }

        if (builder.Length > 0 && char.IsDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    private static bool IsIdentifier(string s) =>
        s.Length > 0 && Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(s)
        && Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(s) == Microsoft.CodeAnalysis.CSharp.SyntaxKind.None;

    private static string WhereDiffusersFails(string key) => key switch
    {
        "beta_schedule" => "at construction (NotImplementedError) unless trained_betas is given",
        "prediction_type" => "in step (ValueError)",
        _ => "in set_timesteps (ValueError)",
    };

    private static EquatableArray<double>? Betas(Dictionary<string, JsonNode> values)
    {
        if (!values.TryGetValue("trained_betas", out var node) || node.Kind == JsonKind.Null)
        {
            return null;
        }

        return new EquatableArray<double>(node.Items!.ConvertAll(i => ParseDouble(i.Text!)).ToArray());
    }

    private static long Integer(Dictionary<string, JsonNode> values, string key) =>
        long.Parse(values.TryGetValue(key, out var node) ? node.Text! : ConfigSchema.Keys[key].DefaultText!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static double Number(Dictionary<string, JsonNode> values, string key) =>
        ParseDouble(values.TryGetValue(key, out var node) ? node.Text! : ConfigSchema.Keys[key].DefaultText!);

    private static bool Bool(Dictionary<string, JsonNode> values, string key) =>
        values.TryGetValue(key, out var node) ? node.Kind == JsonKind.True : ConfigSchema.Keys[key].DefaultText == "true";

    private static string Text(Dictionary<string, JsonNode> values, string key) =>
        values.TryGetValue(key, out var node) ? node.Text! : ConfigSchema.Keys[key].DefaultText!;

    /// <summary>Correctly rounded (as Python's float()); a number too large for a double becomes infinity.</summary>
    private static double ParseDouble(string text)
    {
        try
        {
            return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            // .NET Framework throws where .NET Core returns infinity.
            return text.StartsWith("-", StringComparison.Ordinal) ? double.NegativeInfinity : double.PositiveInfinity;
        }
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        foreach (var item in list)
        {
            if (item == value)
            {
                return true;
            }
        }

        return false;
    }

    private static string Bounds(KeySchema schema) =>
        schema.Minimum is { } min && schema.Maximum is { } max
            ? string.Format(CultureInfo.InvariantCulture, "{0} to {1}", min, max)
            : "finite numbers";

    private string Show(JsonNode value) => value.Kind switch
    {
        JsonKind.String => $"a string (\"{Excerpt(value.Text!)}\")",
        JsonKind.Number => $"the number {Excerpt(value.Text!)}",
        JsonKind.True => "the boolean true",
        JsonKind.False => "the boolean false",
        _ => value.Describe(),
    };

    private static string Excerpt(string text) => text.Length <= 40 ? text : text.Substring(0, 37) + "...";

    private void Report(DiagnosticDescriptor descriptor, JsonNode node, params string[] arguments) =>
        Report(descriptor, node.Start, node.End - node.Start, arguments);

    private void Report(DiagnosticDescriptor descriptor, int start, int length, params string[] arguments) =>
        Report(descriptor, start, length, blocks: descriptor.DefaultSeverity == DiagnosticSeverity.Error, arguments);

    /// <summary>A diagnostic; <paramref name="blocks"/>: no class is generated for this file.</summary>
    private void Report(DiagnosticDescriptor descriptor, int start, int length, bool blocks, params string[] arguments)
    {
        if (blocks)
        {
            _hasErrors = true;
        }

        var (startLine, startCharacter) = LinePosition(start);
        var (endLine, endCharacter) = LinePosition(start + length);
        _diagnostics.Add(new DiagnosticInfo(
            descriptor.Id,
            new LocationInfo(_input.Path, start, length, startLine, startCharacter, endLine, endCharacter),
            new EquatableArray<string>(arguments)));
    }

    private (int Line, int Character) LinePosition(int offset)
    {
        _lineStarts ??= KeySuggestions.LineStarts(_input.Text ?? string.Empty);
        var index = Array.BinarySearch(_lineStarts, offset);
        var line = index >= 0 ? index : ~index - 1;
        return (line, offset - _lineStarts[line]);
    }
}
