using System.Text.Json;

namespace CogDdim.Conformance.Harness;

/// <summary>
/// Checks a JSON value against the subset of JSON Schema the committed schemas use (type, required, properties,
/// items, enum, const, $ref to $defs, oneOf), so that a schema and the code that writes its documents cannot drift apart.
/// </summary>
internal static class SchemaCheck
{
    public static void Validate(JsonElement value, string repoRoot, string schemaFile = "cogddim-harness-report-1.schema.json", string? definition = null)
    {
        using var schemaDocument = JsonDocument.Parse(File.ReadAllText(Path.Combine(repoRoot, "docs", "schemas", schemaFile)));
        var root = schemaDocument.RootElement;
        var schema = definition is null ? root : root.GetProperty("$defs").GetProperty(definition);
        var errors = new List<string>();
        Check(value, schema, root, "$", errors);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    private static void Check(JsonElement value, JsonElement schema, JsonElement root, string path, List<string> errors)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!["#/$defs/".Length..];
            Check(value, root.GetProperty("$defs").GetProperty(name), root, path, errors);
            return;
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var matching = oneOf.EnumerateArray().Count(option =>
            {
                var inner = new List<string>();
                Check(value, option, root, path, inner);
                return inner.Count == 0;
            });
            if (matching != 1)
            {
                errors.Add($"{path}: matches {matching} of the oneOf options, not exactly one");
            }

            return;
        }

        if (schema.TryGetProperty("type", out var type) && !TypeMatches(value, type))
        {
            errors.Add($"{path}: {value.ValueKind} is not {type.GetRawText()}");
            return;
        }

        if (schema.TryGetProperty("const", out var constant) && value.GetRawText() != constant.GetRawText())
        {
            errors.Add($"{path}: {value.GetRawText()} is not {constant.GetRawText()}");
        }

        if (schema.TryGetProperty("enum", out var choices) && !choices.EnumerateArray().Any(c => c.GetRawText() == value.GetRawText()))
        {
            errors.Add($"{path}: {value.GetRawText()} is not one of {choices.GetRawText()}");
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var key in required.EnumerateArray().Select(k => k.GetString()!).Where(k => !value.TryGetProperty(k, out _)))
                {
                    errors.Add($"{path}: missing \"{key}\"");
                }
            }

            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    if (value.TryGetProperty(property.Name, out var child))
                    {
                        Check(child, property.Value, root, $"{path}.{property.Name}", errors);
                    }
                }
            }

            if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in value.EnumerateObject().Where(p => !schema.TryGetProperty("properties", out var known) || !known.TryGetProperty(p.Name, out _)))
                {
                    Check(property.Value, additional, root, $"{path}.{property.Name}", errors);
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(item, items, root, $"{path}[{i++}]", errors);
            }
        }
    }

    private static bool TypeMatches(JsonElement value, JsonElement type) => type.ValueKind == JsonValueKind.Array
        ? type.EnumerateArray().Any(t => TypeMatches(value, t))
        : type.GetString() switch
        {
            "object" => value.ValueKind == JsonValueKind.Object,
            "array" => value.ValueKind == JsonValueKind.Array,
            "string" => value.ValueKind == JsonValueKind.String,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "null" => value.ValueKind == JsonValueKind.Null,
            "number" => value.ValueKind == JsonValueKind.Number,
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            _ => false,
        };
}
