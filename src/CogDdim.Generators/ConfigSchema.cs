using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using CogDdim.Generators.Json;

namespace CogDdim.Generators;

/// <summary>What the schema says about one key: its JSON type, default, allowed strings and numeric bounds.</summary>
internal sealed class KeySchema
{
    public KeySchema(string key, string type, bool nullable, string? defaultText, string? defaultJson, IReadOnlyList<string> allowed, double? minimum, double? maximum, int? minItems, string? constant)
    {
        Key = key;
        DefaultJson = defaultJson;
        Type = type;
        Nullable = nullable;
        DefaultText = defaultText;
        Allowed = allowed;
        Minimum = minimum;
        Maximum = maximum;
        MinItems = minItems;
        Constant = constant;
    }

    public string Key { get; }

    /// <summary>integer, number, string, boolean or array (of numbers).</summary>
    public string Type { get; }

    public bool Nullable { get; }

    /// <summary>The default as JSON text (numbers and strings as written in the schema).</summary>
    public string? DefaultText { get; }

    /// <summary>The default as JSON (strings quoted), as diagnostics show it.</summary>
    public string? DefaultJson { get; }

    public IReadOnlyList<string> Allowed { get; }

    public double? Minimum { get; }

    public double? Maximum { get; }

    public int? MinItems { get; }

    /// <summary>A value the key should have (<c>_class_name</c>); another value is a warning, not an error.</summary>
    public string? Constant { get; }
}

/// <summary>
/// <c>schemas/cogvideox-ddim.schema.json</c>, embedded in the generator: the single source of truth for the keys the
/// generator accepts and how it validates them.
/// </summary>
internal static class ConfigSchema
{
    private static readonly Lazy<IReadOnlyDictionary<string, KeySchema>> LazyKeys = new(Load);

    private static readonly Lazy<IReadOnlyList<string>> LazyArguments = new(() => Keys.Keys.Where(static k => !k.StartsWith("_", StringComparison.Ordinal)).ToArray());

    public static IReadOnlyDictionary<string, KeySchema> Keys => LazyKeys.Value;

    /// <summary>The constructor arguments (the keys without <c>_class_name</c> and <c>_diffusers_version</c>).</summary>
    public static IReadOnlyList<string> Arguments => LazyArguments.Value;

    private static IReadOnlyDictionary<string, KeySchema> Load()
    {
        using var stream = typeof(ConfigSchema).Assembly.GetManifestResourceStream("cogvideox-ddim.schema.json")
            ?? throw new InvalidOperationException("the embedded schema cogvideox-ddim.schema.json is missing");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var root = JsonReader.Parse(text);
        var result = new Dictionary<string, KeySchema>(StringComparer.Ordinal);
        foreach (var property in root.Property("properties")!.Properties!)
        {
            var node = property.Value;
            var typeNode = node.Property("type")!;
            string type;
            var nullable = false;
            if (typeNode.Kind == JsonKind.Array)
            {
                type = typeNode.Items![0].Text!;
                nullable = typeNode.Items.Exists(i => i.Text == "null");
            }
            else
            {
                type = typeNode.Text!;
            }

            var allowed = new List<string>();
            if (node.Property("enum") is { } enumNode)
            {
                allowed.AddRange(enumNode.Items!.ConvertAll(i => i.Text!));
            }

            var defaultNode = node.Property("default");
            result[property.Name] = new KeySchema(
                property.Name,
                type,
                nullable,
                defaultNode is null ? null : defaultNode.Kind switch
                {
                    JsonKind.True => "true",
                    JsonKind.False => "false",
                    JsonKind.Null => "null",
                    _ => defaultNode.Text,
                },
                ConfigModel.DefaultJson(defaultNode),
                allowed,
                Number(node.Property("minimum")),
                Number(node.Property("maximum")),
                node.Property("minItems") is { } minItems ? int.Parse(minItems.Text!, CultureInfo.InvariantCulture) : null,
                node.Property("const")?.Text);
        }

        return result;
    }

    private static double? Number(JsonNode? node) =>
        node is null ? null : double.Parse(node.Text!, NumberStyles.Float, CultureInfo.InvariantCulture);
}
