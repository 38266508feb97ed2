using System.Collections.Immutable;
using System.Text.Json;

namespace CogDdim.Config;

/// <summary>How <see cref="SchedulerConfigReader"/> treats enum strings diffusers' constructor accepts but its later calls reject.</summary>
public enum ConfigStrictness
{
    /// <summary>Every value must be one diffusers can run with; anything else is a <see cref="ConfigException"/>.</summary>
    Strict,

    /// <summary>
    /// Accept what diffusers' constructor accepts: unknown strings for beta_schedule, prediction_type and
    /// timestep_spacing are kept in <see cref="SchedulerConfig.DeferredInvalidValues"/>, so that the scheduler fails
    /// in the call where diffusers fails. Used to replay fixtures that record those failures.
    /// </summary>
    DiffusersCompatible,
}

/// <summary>A problem in a config that does not stop it from loading; diffusers would ignore it silently.</summary>
/// <param name="Key">The JSON key the warning is about.</param>
/// <param name="Message">What is wrong, without the key.</param>
public sealed record ConfigWarning(string Key, string Message)
{
    /// <summary>1-based line of the key in the config text, where the text was read (null for a parsed element).</summary>
    public int? Line { get; init; }

    /// <summary>1-based column (UTF-16 characters), with <see cref="Line"/>.</summary>
    public int? Column { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        Line is { } line
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"line {line}, column {Column}: {JsonDocumentRules.Shorten(Key)}: {Message}")
            : $"{JsonDocumentRules.Shorten(Key)}: {Message}";
}

/// <summary>A config as <see cref="SchedulerConfigReader"/> read it, with what it warned about and the metadata keys.</summary>
/// <param name="Config">The constructor arguments; keys the config leaves out have diffusers' defaults.</param>
/// <param name="Warnings">Unknown keys, a <c>_class_name</c> other than <see cref="SchedulerConfigReader.ExpectedClassName"/>, a shift scale ≤ 0: read on, as diffusers does.</param>
/// <param name="ClassName"><c>_class_name</c>, or null when the config has none.</param>
/// <param name="DiffusersVersion"><c>_diffusers_version</c>, or null when the config has none.</param>
public sealed record ConfigLoadResult(
    SchedulerConfig Config,
    IReadOnlyList<ConfigWarning> Warnings,
    string? ClassName,
    string? DiffusersVersion);

/// <summary>A config value that cannot be used, with where it is and what would be allowed.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>A problem with <paramref name="key"/> (empty for the config as a whole) of the config read from <paramref name="source"/>.</summary>
    /// <param name="source">The file path or other name of the config, prefixed to the message.</param>
    /// <param name="key">The JSON key at fault, or empty.</param>
    /// <param name="message">What is wrong and what would be allowed.</param>
    public ConfigException(string source, string key, string message)
        : this(source, key, message, null, null)
    {
    }

    /// <summary>A problem at a 1-based <paramref name="line"/> and <paramref name="column"/> of the source text.</summary>
    public ConfigException(string source, string key, string message, int? line, int? column, Exception? inner = null)
        : base(Format(source, key, message, line, column), inner)
    {
        Source = source;
        Key = key;
        Detail = message;
        Line = line;
        Column = column;
    }

    /// <summary>The file path or other name of the config (hides <see cref="Exception.Source"/>).</summary>
    public new string Source { get; }

    /// <summary>The JSON key at fault; empty when the config as a whole is (unreadable, not JSON, not an object).</summary>
    public string Key { get; }

    /// <summary>The problem alone, without the source, the position or the key.</summary>
    public string Detail { get; }

    /// <summary>1-based line of the problem in the source text, where the text was read (null for a parsed element).</summary>
    public int? Line { get; }

    /// <summary>1-based column (UTF-16 characters), with <see cref="Line"/>.</summary>
    public int? Column { get; }

    /// <summary>The same problem at a position.</summary>
    internal ConfigException At(int line, int column) => new(Source, Key, Detail, line, column, this);

    private static string Format(string source, string key, string message, int? line, int? column) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{source}: {(line is { } l ? $"line {l}, column {column}: " : string.Empty)}{(key.Length == 0 ? string.Empty : $"key '{key}': ")}{message}");
}

/// <summary>Reads a diffusers <c>scheduler_config.json</c> (or a fixture's <c>config</c> object).</summary>
public static class SchedulerConfigReader
{
    /// <summary>The <c>_class_name</c> a CogVideoX DDIM config has; any other is a warning, not an error.</summary>
    public const string ExpectedClassName = "CogVideoXDDIMScheduler";

    /// <summary>
    /// Reads a config file under <see cref="JsonDocumentRules"/>' rules (UTF-8 with or without a byte order mark, no
    /// invalid UTF-8 or unpaired surrogate, no duplicate key); every problem names its 1-based line and column.
    /// </summary>
    public static ConfigLoadResult ReadFile(string path, ConfigStrictness strictness = ConfigStrictness.Strict)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, string.Empty, $"cannot be read: {e.Message}");
        }

        return Read(bytes, path, strictness);
    }

    /// <summary>Reads a config from JSON text (at most 64 levels deep).</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">The name messages give the config.</param>
    /// <param name="strictness">Whether unknown enum strings are errors (the default) or kept for the call that fails in diffusers.</param>
    /// <exception cref="ConfigException">The text is not valid JSON, not an object, or a value cannot be used (see <see cref="Read(JsonElement, string, ConfigStrictness)"/>).</exception>
    public static ConfigLoadResult Read(string json, string source = "config", ConfigStrictness strictness = ConfigStrictness.Strict)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Read(System.Text.Encoding.UTF8.GetBytes(json), source, strictness);
    }

    /// <summary>Reads UTF-8 config text (see <see cref="ReadFile"/> for the rules).</summary>
    public static ConfigLoadResult Read(ReadOnlyMemory<byte> utf8Json, string source, ConfigStrictness strictness = ConfigStrictness.Strict)
    {
        JsonDocument document;
        try
        {
            document = JsonDocumentRules.Parse(utf8Json, MaxDepth);
        }
        catch (JsonRuleException e)
        {
            throw new ConfigException(source, string.Empty, e.Detail, e.Line, e.Column, e);
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, source, strictness, utf8Json);
            }
            catch (ConfigException e) when (e.Line is null
                && JsonDocumentRules.Locate(utf8Json, e.Key.Length == 0 ? "$" : "$." + e.Key) is { } position)
            {
                throw e.At(position.Line, position.Column);
            }
        }
    }

    private const int MaxDepth = 64;

    /// <summary>Reads a config already parsed as a JSON object (a fixture's <c>config</c>); errors carry no position.</summary>
    public static ConfigLoadResult Read(JsonElement root, string source, ConfigStrictness strictness) => Read(root, source, strictness, null);

    /// <summary><paramref name="utf8Json"/>: the JSON the element was parsed from, for the positions of near-miss keys.</summary>
    private static ConfigLoadResult Read(JsonElement root, string source, ConfigStrictness strictness, ReadOnlyMemory<byte>? utf8Json)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException(source, string.Empty, $"must be a JSON object, not {Describe(root.ValueKind)}");
        }

        var warnings = new List<ConfigWarning>();
        var deferred = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var config = new SchedulerConfig();
        string? className = null, version = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);

        foreach (var property in root.EnumerateObject())
        {
            var key = property.Name;
            var value = property.Value;
            if (!seen.Add(key))
            {
                throw new ConfigException(source, key, "appears twice in one object");
            }

            switch (key)
            {
                case ConfigKeys.NumTrainTimesteps:
                    var t = ReadInt(source, key, value);
                    if (t < 1 || t > SchedulerConfig.MaxTrainTimesteps)
                    {
                        throw new ConfigException(source, key,
                            $"value {t} is out of range; allowed: 1 to {SchedulerConfig.MaxTrainTimesteps}");
                    }

                    config = config with { NumTrainTimesteps = t };
                    break;
                case ConfigKeys.BetaStart:
                    config = config with { BetaStart = ReadDouble(source, key, value) };
                    break;
                case ConfigKeys.BetaEnd:
                    config = config with { BetaEnd = ReadDouble(source, key, value) };
                    break;
                case ConfigKeys.BetaSchedule:
                    var schedule = ReadString(source, key, value);
                    if (ConfigNames.TryParseBetaSchedule(schedule, out var parsedSchedule))
                    {
                        config = config with { BetaSchedule = parsedSchedule };
                    }
                    else
                    {
                        Defer(source, key, schedule, ConfigNames.BetaSchedules);
                    }

                    break;
                case ConfigKeys.TrainedBetas:
                    config = config with { TrainedBetas = ReadBetas(source, key, value) };
                    break;
                case ConfigKeys.ClipSample:
                    config = config with { ClipSample = ReadBool(source, key, value) };
                    break;
                case ConfigKeys.SetAlphaToOne:
                    config = config with { SetAlphaToOne = ReadBool(source, key, value) };
                    break;
                case ConfigKeys.StepsOffset:
                    config = config with { StepsOffset = ReadInt(source, key, value) };
                    break;
                case ConfigKeys.PredictionType:
                    var prediction = ReadString(source, key, value);
                    if (ConfigNames.TryParsePredictionType(prediction, out var parsedPrediction))
                    {
                        config = config with { PredictionType = parsedPrediction };
                    }
                    else
                    {
                        Defer(source, key, prediction, ConfigNames.PredictionTypes);
                    }

                    break;
                case ConfigKeys.ClipSampleRange:
                    config = config with { ClipSampleRange = ReadDouble(source, key, value) };
                    break;
                case ConfigKeys.SampleMaxValue:
                    config = config with { SampleMaxValue = ReadDouble(source, key, value) };
                    break;
                case ConfigKeys.TimestepSpacing:
                    var spacing = ReadString(source, key, value);
                    if (ConfigNames.TryParseTimestepSpacing(spacing, out var parsedSpacing))
                    {
                        config = config with { TimestepSpacing = parsedSpacing };
                    }
                    else
                    {
                        Defer(source, key, spacing, ConfigNames.TimestepSpacings);
                    }

                    break;
                case ConfigKeys.RescaleBetasZeroSnr:
                    config = config with { RescaleBetasZeroSnr = ReadBool(source, key, value) };
                    break;
                case ConfigKeys.SnrShiftScale:
                    config = config with { SnrShiftScale = ReadDouble(source, key, value) };
                    break;
                case ConfigKeys.ClassName:
                    className = ReadString(source, key, value);
                    if (className != ExpectedClassName)
                    {
                        warnings.Add(new ConfigWarning(key,
                            $"names {JsonDocumentRules.Shorten(className)}, not {ExpectedClassName}; the config is read as a {ExpectedClassName} config"));
                    }

                    break;
                case ConfigKeys.DiffusersVersion:
                    version = ReadString(source, key, value);
                    break;
                default:
                    if (NearMiss(root, key, utf8Json, source, strictness) is { } nearMiss)
                    {
                        warnings.Add(nearMiss);
                        break;
                    }

                    warnings.Add(new ConfigWarning(key, "is not a CogVideoXDDIMScheduler argument; ignored, as diffusers ignores it"));
                    break;
            }
        }

        if (config.TrainedBetas is { } betas && betas.Length != config.NumTrainTimesteps)
        {
            throw new ConfigException(source, ConfigKeys.TrainedBetas,
                $"has {betas.Length} values but num_train_timesteps is {config.NumTrainTimesteps}; they must be equal");
        }

        if (config.SnrShiftScale <= 0)
        {
            warnings.Add(new ConfigWarning(ConfigKeys.SnrShiftScale,
                $"is {config.SnrShiftScale.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; a shift scale ≤ 0 makes alphas_cumprod negative or infinite"));
        }

        config = config with { DeferredInvalidValues = deferred.ToImmutable() };
        if (Scheduling.ScheduleChecks.ComplexLinspaceKey(config) is { } complexKey && strictness == ConfigStrictness.Strict)
        {
            throw new ConfigException(source, complexKey,
                $"is negative with beta_schedule scaled_linear: diffusers raises RuntimeError at construction ({Scheduling.ScheduleChecks.ComplexLinspaceMessage}), because Python's {complexKey} ** 0.5 is complex");
        }

        // diffusers accepts these configs and computes NaN in every step: say so, naming the key and the entry.
        if (Scheduling.ScheduleChecks.FirstNonFinite(config) is { } nonFinite)
        {
            warnings.Add(new ConfigWarning(nonFinite.Key, nonFinite.Message));
        }

        return new ConfigLoadResult(config, warnings, className, version);

        void Defer(string src, string key, string raw, IReadOnlyList<string> allowed)
        {
            if (strictness == ConfigStrictness.Strict)
            {
                throw new ConfigException(src, key, $"value \"{JsonDocumentRules.Shorten(raw)}\" is not allowed; allowed: {string.Join(", ", allowed)}");
            }

            deferred[key] = raw;
        }
    }

    /// <summary>
    /// An unknown key a small edit away from an argument the config does not give (<see cref="KeySuggestions"/>, the
    /// generator's CDDIM019): an error when strict, a warning otherwise (diffusers ignores it and uses the default).
    /// </summary>
    private static ConfigWarning? NearMiss(JsonElement root, string key, ReadOnlyMemory<byte>? utf8Json, string source, ConfigStrictness strictness)
    {
        if (KeySuggestions.NearMiss(key, ConfigKeys.All) is not { } argument || root.TryGetProperty(argument, out _))
        {
            return null;
        }

        var message = KeySuggestions.NearMissDetail(key, argument, ConfigKeys.DefaultJson(argument) ?? "null");
        var position = utf8Json is { } utf8 ? KeySuggestions.FindTopLevelKey(System.Text.Encoding.UTF8.GetString(utf8.Span), key) : null;
        if (strictness == ConfigStrictness.Strict)
        {
            throw new ConfigException(source, key, message, position?.Line, position?.Column);
        }

        return new ConfigWarning(key, message) { Line = position?.Line, Column = position?.Column };
    }

    private static int ReadInt(string source, string key, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(source, key, value, "an integer");
        }

        if (!value.TryGetInt32(out var result))
        {
            var raw = value.GetRawText();
            throw new ConfigException(source, key, raw.AsSpan().IndexOfAny(".eE") >= 0
                ? $"value {Truncate(raw)} is not written as an integer (it has a fraction or an exponent); expected an integer"
                : $"value {Truncate(raw)} is outside the 32-bit integer range ({int.MinValue} to {int.MaxValue})");
        }

        return result;
    }

    private static double ReadDouble(string source, string key, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(source, key, value, "a number");
        }

        if (!value.TryGetDouble(out var result) || !double.IsFinite(result))
        {
            throw new ConfigException(source, key, $"value {Truncate(value.GetRawText())} is not a finite double");
        }

        return result;
    }

    private static bool ReadBool(string source, string key, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw WrongType(source, key, value, "true or false"),
    };

    private static string ReadString(string source, string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? GetString(source, key, value) : throw WrongType(source, key, value, "a string");

    /// <summary>A string value; an unpaired surrogate (only in an element not read through the rules) is a ConfigException.</summary>
    private static string GetString(string source, string key, JsonElement value)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new ConfigException(source, key, "value holds an unpaired surrogate escape (such as \\ud800), which is not text");
        }
    }

    private static ImmutableArray<double>? ReadBetas(string source, string key, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(source, key, value, "null or an array of numbers");
        }

        var builder = ImmutableArray.CreateBuilder<double>(value.GetArrayLength());
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            builder.Add(ReadDouble(source, $"{key}[{index}]", item));
            index++;
        }

        if (builder.Count == 0)
        {
            throw new ConfigException(source, key, "is an empty array; give one beta per training timestep or null");
        }

        return builder.MoveToImmutable();
    }

    private static ConfigException WrongType(string source, string key, JsonElement value, string expected) =>
        new(source, key, value.ValueKind is JsonValueKind.Null or JsonValueKind.Object or JsonValueKind.Array
            ? $"value is {Describe(value.ValueKind)}; expected {expected}"
            : $"value {Truncate(value.GetRawText())} is {Describe(value.ValueKind)}; expected {expected}");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };

    private static string Truncate(string raw) => JsonDocumentRules.Shorten(raw, 60);
}
