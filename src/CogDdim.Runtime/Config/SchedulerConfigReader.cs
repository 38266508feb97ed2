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
    /// <summary><c>key: message</c>.</summary>
    public override string ToString() => $"{Key}: {Message}";
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
        : base($"{source}: {(key.Length == 0 ? string.Empty : $"key '{key}': ")}{message}")
    {
        Source = source;
        Key = key;
    }

    /// <summary>The file path or other name of the config (hides <see cref="Exception.Source"/>).</summary>
    public new string Source { get; }

    /// <summary>The JSON key at fault; empty when the config as a whole is (unreadable, not JSON, not an object).</summary>
    public string Key { get; }
}

/// <summary>Reads a diffusers <c>scheduler_config.json</c> (or a fixture's <c>config</c> object).</summary>
public static class SchedulerConfigReader
{
    /// <summary>The <c>_class_name</c> a CogVideoX DDIM config has; any other is a warning, not an error.</summary>
    public const string ExpectedClassName = "CogVideoXDDIMScheduler";

    /// <summary>Reads the config file at <paramref name="path"/> (UTF-8 JSON).</summary>
    /// <param name="path">The <c>scheduler_config.json</c> to read.</param>
    /// <param name="strictness">Whether unknown enum strings are errors (the default) or kept for the call that fails in diffusers.</param>
    /// <exception cref="ConfigException">The file cannot be read, is not a JSON object, or a value cannot be used (see <see cref="Read(JsonElement, string, ConfigStrictness)"/>).</exception>
    public static ConfigLoadResult ReadFile(string path, ConfigStrictness strictness = ConfigStrictness.Strict)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, string.Empty, $"cannot be read: {e.Message}");
        }

        return Read(text, path, strictness);
    }

    /// <summary>Reads a config from JSON text (at most 64 levels deep).</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">The name messages give the config.</param>
    /// <param name="strictness">Whether unknown enum strings are errors (the default) or kept for the call that fails in diffusers.</param>
    /// <exception cref="ConfigException">The text is not valid JSON, not an object, or a value cannot be used (see <see cref="Read(JsonElement, string, ConfigStrictness)"/>).</exception>
    public static ConfigLoadResult Read(string json, string source = "config", ConfigStrictness strictness = ConfigStrictness.Strict)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ConfigException(source, string.Empty, $"is not valid JSON: {e.Message}");
        }

        using (document)
        {
            return Read(document.RootElement, source, strictness);
        }
    }

    /// <summary>Reads a config from a JSON object (a <c>scheduler_config.json</c> or a fixture's <c>config</c>).</summary>
    /// <param name="root">The JSON object.</param>
    /// <param name="source">The name messages give the config.</param>
    /// <param name="strictness">Whether unknown enum strings are errors or kept in <see cref="SchedulerConfig.DeferredInvalidValues"/>.</param>
    /// <exception cref="ConfigException">
    /// <paramref name="root"/> is not an object; a key appears twice; a value has the wrong JSON type, is not a finite
    /// double, not a 32-bit integer or out of the schema's range; <c>trained_betas</c> has not num_train_timesteps values;
    /// or (under <see cref="ConfigStrictness.Strict"/>) an enum string is not one of the allowed values.
    /// </exception>
    public static ConfigLoadResult Read(JsonElement root, string source, ConfigStrictness strictness)
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
                throw new ConfigException(source, key, "appears twice");
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
                            $"names {className}, not {ExpectedClassName}; the config is read as a {ExpectedClassName} config"));
                    }

                    break;
                case ConfigKeys.DiffusersVersion:
                    version = ReadString(source, key, value);
                    break;
                default:
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

        return new ConfigLoadResult(config with { DeferredInvalidValues = deferred.ToImmutable() }, warnings, className, version);

        void Defer(string src, string key, string raw, IReadOnlyList<string> allowed)
        {
            if (strictness == ConfigStrictness.Strict)
            {
                throw new ConfigException(src, key, $"value \"{raw}\" is not allowed; allowed: {string.Join(", ", allowed)}");
            }

            deferred[key] = raw;
        }
    }

    private static int ReadInt(string source, string key, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(source, key, value, "an integer");
        }

        if (!value.TryGetInt32(out var result))
        {
            throw new ConfigException(source, key, $"value {value.GetRawText()} is not an integer in the 32-bit range");
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
            throw new ConfigException(source, key, $"value {value.GetRawText()} is not a finite double");
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
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw WrongType(source, key, value, "a string");

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
        new(source, key, $"value {Truncate(value.GetRawText())} is {Describe(value.ValueKind)}; expected {expected}");

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

    private static string Truncate(string raw) => raw.Length <= 60 ? raw : raw[..57] + "...";
}
