using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CogDdim.Config;

/// <summary>
/// The rules every CogDdim JSON reader applies before it looks at a value (the config reader and the fixture reader):
/// the text is UTF-8, with or without a UTF-8 byte order mark (skipped); UTF-16 and UTF-32 are refused by name; every
/// byte is valid UTF-8; no string or key holds an unpaired surrogate escape such as <c>\ud800</c>; no object names
/// the same key twice. Every problem is a <see cref="JsonRuleException"/> with a 1-based line and column (columns
/// count UTF-16 characters, as editors and compiler diagnostics do).
/// </summary>
internal static partial class JsonDocumentRules
{
    /// <summary>Checks <paramref name="utf8"/> against the rules and parses it.</summary>
    /// <exception cref="JsonRuleException">The text breaks a rule or is not JSON.</exception>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, int maxDepth)
    {
        var text = WithoutBom(utf8);
        Validate(text.Span, maxDepth);
        try
        {
            return JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException e)
        {
            // Validate has read every token already; this is only a guard.
            throw FromJsonException(text.Span, e);
        }
    }

    /// <summary>The text after a UTF-8 byte order mark, or all of it; UTF-16 and UTF-32 are refused.</summary>
    public static ReadOnlyMemory<byte> WithoutBom(ReadOnlyMemory<byte> bytes)
    {
        var b = bytes.Span;
        if (b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
        {
            return bytes[3..];
        }

        var encoding =
            b.Length >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0 ? "UTF-32 (little-endian)"
            : b.Length >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF ? "UTF-32 (big-endian)"
            : b.Length >= 2 && b[0] == 0xFF && b[1] == 0xFE ? "UTF-16 (little-endian)"
            : b.Length >= 2 && b[0] == 0xFE && b[1] == 0xFF ? "UTF-16 (big-endian)"
            : b.Length >= 2 && (b[0] == 0) != (b[1] == 0) ? "UTF-16 or UTF-32 without a byte order mark"
            : null;
        if (encoding is not null)
        {
            throw new JsonRuleException(1, 1, $"the text is {encoding}; JSON must be UTF-8 (with or without a byte order mark)");
        }

        return bytes;
    }

    /// <summary>Reads every token once: valid UTF-8, no unpaired surrogate, no duplicate key, well-formed JSON.</summary>
    public static void Validate(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            var offset = FirstInvalidUtf8(utf8);
            var (line, column) = Position(utf8, offset);
            throw new JsonRuleException(line, column,
                string.Create(CultureInfo.InvariantCulture, $"the byte 0x{utf8[offset]:X2} is not valid UTF-8"));
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth });
        var keys = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        keys.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        keys.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = StringOf(ref reader, utf8);
                        if (!keys.Peek().Add(name))
                        {
                            var (line, column) = Position(utf8, (int)reader.TokenStartIndex);
                            throw new JsonRuleException(line, column, $"the key \"{Shorten(name)}\" appears twice in one object");
                        }

                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        StringOf(ref reader, utf8);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw FromJsonException(utf8, e);
        }
    }

    /// <summary>
    /// The 1-based line and column of the value at <paramref name="jsonPath"/> (<c>$</c>, <c>$.key</c>,
    /// <c>$.list[3].key</c>), or null when the text has no such value. Used for messages only.
    /// </summary>
    public static (int Line, int Column)? Locate(ReadOnlyMemory<byte> utf8, string jsonPath)
    {
        ArgumentNullException.ThrowIfNull(jsonPath);
        var span = WithoutBomLenient(utf8.Span);
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = 256 });
        var path = new List<string>();
        var index = new List<int>();
        string? pendingKey = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    pendingKey = reader.GetString();
                    continue;
                }

                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    path.RemoveAt(path.Count - 1);
                    index.RemoveAt(index.Count - 1);
                    continue;
                }

                // A value: its path is its parent's plus the key or the array index.
                string here;
                if (path.Count == 0)
                {
                    here = "$";
                }
                else if (index[^1] >= 0)
                {
                    here = string.Create(CultureInfo.InvariantCulture, $"{path[^1]}[{index[^1]}]");
                    index[^1]++;
                }
                else
                {
                    here = path[^1] + "." + pendingKey;
                }

                if (string.Equals(here, jsonPath, StringComparison.Ordinal))
                {
                    var offset = (int)reader.TokenStartIndex + (utf8.Length - span.Length);
                    return Position(utf8.Span, offset);
                }

                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    path.Add(here);
                    index.Add(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }

        return null;
    }

    /// <summary>The 1-based line and column of a byte offset (the column counts UTF-16 characters).</summary>
    public static (int Line, int Column) Position(ReadOnlySpan<byte> utf8, int offset)
    {
        offset = Math.Clamp(offset, 0, utf8.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        // Invalid bytes count one character each, so a column is given even where the line is not UTF-8.
        var column = new UTF8Encoding(false, false).GetCharCount(utf8[lineStart..offset]) + 1;
        return (line, column);
    }

    /// <summary>A quoted value for a message: at most <paramref name="max"/> characters, the rest said as a count.</summary>
    public static string Shorten(string text, int max = 80)
    {
        ArgumentNullException.ThrowIfNull(text);
        var clean = new StringBuilder(Math.Min(text.Length, max + 1));
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, max)))
        {
            clean.Append(char.IsControl(c) ? '\uFFFD' : c);
        }

        return text.Length <= max
            ? clean.ToString()
            : string.Create(CultureInfo.InvariantCulture, $"{clean}… ({text.Length} characters)");
    }

    private static string StringOf(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            var (line, column) = Position(utf8, (int)reader.TokenStartIndex);
            throw new JsonRuleException(line, column,
                "a string holds an unpaired surrogate escape (such as \\ud800 without its \\udc00-\\udfff partner), which is not text");
        }
    }

    private static ReadOnlySpan<byte> WithoutBomLenient(ReadOnlySpan<byte> b) =>
        b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? b[3..] : b;

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return 0;
    }

    private static JsonRuleException FromJsonException(ReadOnlySpan<byte> utf8, JsonException e)
    {
        var line = (int)(e.LineNumber ?? 0);
        var bytesInLine = (int)(e.BytePositionInLine ?? 0);
        var offset = 0;
        for (var l = 0; l < line && offset < utf8.Length; offset++)
        {
            if (utf8[offset] == (byte)'\n')
            {
                l++;
            }
        }

        var (oneBasedLine, column) = Position(utf8, Math.Min(utf8.Length, offset + bytesInLine));
        return new JsonRuleException(oneBasedLine, column, $"not valid JSON: {WithoutPosition(e.Message)}", e);
    }

    /// <summary>System.Text.Json's message without its own 0-based "LineNumber: … | BytePositionInLine: …" tail.</summary>
    private static string WithoutPosition(string message) => PositionTail().Replace(message, string.Empty).TrimEnd(' ', '.') + ".";

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$")]
    private static partial Regex PositionTail();
}

/// <summary>A JSON text that breaks one of <see cref="JsonDocumentRules"/>, with where (1-based line and column).</summary>
internal sealed class JsonRuleException : Exception
{
    public JsonRuleException(int line, int column, string detail, Exception? inner = null)
        : base(string.Create(CultureInfo.InvariantCulture, $"line {line}, column {column}: {detail}"), inner)
    {
        Line = line;
        Column = column;
        Detail = detail;
    }

    /// <summary>1-based.</summary>
    public int Line { get; }

    /// <summary>1-based, in UTF-16 characters.</summary>
    public int Column { get; }

    /// <summary>The problem, without the position.</summary>
    public string Detail { get; }
}
