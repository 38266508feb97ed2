using System.Collections.Generic;

namespace CogDdim.Generators.Json;

internal enum JsonKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>
/// One JSON value with where it sits in the text (<see cref="Start"/> and <see cref="End"/> are character offsets,
/// so every diagnostic can point at the exact token). Numbers keep their text; the caller decides how to read it.
/// </summary>
internal sealed class JsonNode
{
    public JsonNode(JsonKind kind, int start, int end, string? text = null, List<JsonProperty>? properties = null, List<JsonNode>? items = null)
    {
        Kind = kind;
        Start = start;
        End = end;
        Text = text;
        Properties = properties;
        Items = items;
    }

    public JsonKind Kind { get; }

    public int Start { get; }

    public int End { get; }

    /// <summary>The decoded string of a string, the literal text of a number.</summary>
    public string? Text { get; }

    public List<JsonProperty>? Properties { get; }

    public List<JsonNode>? Items { get; }

    public JsonNode? Property(string name)
    {
        if (Properties is null)
        {
            return null;
        }

        foreach (var property in Properties)
        {
            if (property.Name == name)
            {
                return property.Value;
            }
        }

        return null;
    }

    public string Describe() => Kind switch
    {
        JsonKind.Object => "an object",
        JsonKind.Array => "an array",
        JsonKind.String => "a string",
        JsonKind.Number => "a number",
        JsonKind.True or JsonKind.False => "a boolean",
        _ => "null",
    };
}

/// <summary>A member of an object: its name token and its value.</summary>
internal sealed class JsonProperty
{
    public JsonProperty(string name, int nameStart, int nameEnd, JsonNode value)
    {
        Name = name;
        NameStart = nameStart;
        NameEnd = nameEnd;
        Value = value;
    }

    public string Name { get; }

    public int NameStart { get; }

    public int NameEnd { get; }

    public JsonNode Value { get; }
}
