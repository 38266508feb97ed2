using System;
using System.Collections.Generic;
using System.Text;

namespace CogDdim.Generators.Json;

/// <summary>A JSON syntax error at a character offset.</summary>
internal sealed class JsonSyntaxException : Exception
{
    public JsonSyntaxException(int offset, int length, string message)
        : base(message)
    {
        Offset = offset;
        Length = length;
    }

    public int Offset { get; }

    public int Length { get; }
}

/// <summary>
/// A strict RFC 8259 reader (no comments, no trailing commas) that keeps the offsets of every token. It reads in one
/// linear pass and refuses nesting deeper than <see cref="MaxDepth"/>, so no input can make it recurse without bound
/// or run long: 10 MB of garbage fails at its first wrong character.
/// </summary>
internal sealed class JsonReader
{
    public const int MaxDepth = 64;

    private readonly string _text;
    private int _position;

    private JsonReader(string text)
    {
        _text = text;
    }

    public static JsonNode Parse(string text)
    {
        var reader = new JsonReader(text);
        reader.SkipWhitespace();
        if (reader._position >= text.Length)
        {
            throw new JsonSyntaxException(0, 0, "the file is empty");
        }

        var root = reader.ReadValue(0);
        reader.SkipWhitespace();
        if (reader._position < text.Length)
        {
            throw new JsonSyntaxException(reader._position, 1, $"unexpected {reader.Describe(reader._position)} after the end of the JSON value");
        }

        return root;
    }

    private JsonNode ReadValue(int depth)
    {
        if (_position >= _text.Length)
        {
            throw Truncated("a value");
        }

        var c = _text[_position];
        switch (c)
        {
            case '{':
                return ReadObject(depth + 1);
            case '[':
                return ReadArray(depth + 1);
            case '"':
                var start = _position;
                var s = ReadString();
                return new JsonNode(JsonKind.String, start, _position, s);
            case 't':
                return ReadLiteral("true", JsonKind.True);
            case 'f':
                return ReadLiteral("false", JsonKind.False);
            case 'n':
                return ReadLiteral("null", JsonKind.Null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return ReadNumber();
                }

                throw new JsonSyntaxException(_position, 1, $"unexpected {Describe(_position)}; expected a value");
        }
    }

    private JsonNode ReadObject(int depth)
    {
        var start = _position;
        CheckDepth(depth);
        _position++;
        var properties = new List<JsonProperty>();
        SkipWhitespace();
        if (Peek() == '}')
        {
            _position++;
            return new JsonNode(JsonKind.Object, start, _position, properties: properties);
        }

        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"')
            {
                throw _position >= _text.Length ? Truncated("a property name") : new JsonSyntaxException(_position, 1, $"unexpected {Describe(_position)}; expected a property name in double quotes");
            }

            var nameStart = _position;
            var name = ReadString();
            var nameEnd = _position;
            SkipWhitespace();
            if (Peek() != ':')
            {
                throw _position >= _text.Length ? Truncated("':'") : new JsonSyntaxException(_position, 1, $"unexpected {Describe(_position)}; expected ':' after the property name");
            }

            _position++;
            SkipWhitespace();
            var value = ReadValue(depth);
            properties.Add(new JsonProperty(name, nameStart, nameEnd, value));
            SkipWhitespace();
            var next = Peek();
            if (next == ',')
            {
                _position++;
                continue;
            }

            if (next == '}')
            {
                _position++;
                return new JsonNode(JsonKind.Object, start, _position, properties: properties);
            }

            throw _position >= _text.Length ? Truncated("',' or '}'") : new JsonSyntaxException(_position, 1, $"unexpected {Describe(_position)}; expected ',' or '}}'");
        }
    }

    private JsonNode ReadArray(int depth)
    {
        var start = _position;
        CheckDepth(depth);
        _position++;
        var items = new List<JsonNode>();
        SkipWhitespace();
        if (Peek() == ']')
        {
            _position++;
            return new JsonNode(JsonKind.Array, start, _position, items: items);
        }

        while (true)
        {
            SkipWhitespace();
            items.Add(ReadValue(depth));
            SkipWhitespace();
            var next = Peek();
            if (next == ',')
            {
                _position++;
                continue;
            }

            if (next == ']')
            {
                _position++;
                return new JsonNode(JsonKind.Array, start, _position, items: items);
            }

            throw _position >= _text.Length ? Truncated("',' or ']'") : new JsonSyntaxException(_position, 1, $"unexpected {Describe(_position)}; expected ',' or ']'");
        }
    }

    private string ReadString()
    {
        var start = _position;
        _position++;
        StringBuilder? builder = null;
        var runStart = _position;
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw new JsonSyntaxException(start, 1, "the string starting here is not closed before the end of the file");
            }

            var c = _text[_position];
            if (c == '"')
            {
                var result = builder is null
                    ? _text.Substring(runStart, _position - runStart)
                    : builder.Append(_text, runStart, _position - runStart).ToString();
                _position++;
                return result;
            }

            if (c < ' ')
            {
                throw new JsonSyntaxException(_position, 1, "a control character must be escaped inside a string");
            }

            if (c != '\\')
            {
                _position++;
                continue;
            }

            builder ??= new StringBuilder();
            builder.Append(_text, runStart, _position - runStart);
            if (_position + 1 >= _text.Length)
            {
                throw new JsonSyntaxException(start, 1, "the string starting here is not closed before the end of the file");
            }

            var escape = _text[_position + 1];
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (_position + 6 > _text.Length || !TryHex(_text.Substring(_position + 2, 4), out var code))
                    {
                        throw new JsonSyntaxException(_position, Math.Min(6, _text.Length - _position), "\\u must be followed by four hexadecimal digits");
                    }

                    builder.Append((char)code);
                    _position += 4;
                    break;
                default:
                    throw new JsonSyntaxException(_position, 2, $"unknown escape '\\{escape}'");
            }

            _position += 2;
            runStart = _position;
        }
    }

    private JsonNode ReadNumber()
    {
        var start = _position;
        if (Peek() == '-')
        {
            _position++;
        }

        if (Peek() == '0')
        {
            _position++;
        }
        else if (IsDigit(Peek()))
        {
            SkipDigits();
        }
        else
        {
            throw NumberError(start, "a digit must follow '-'");
        }

        if (Peek() == '.')
        {
            _position++;
            if (!IsDigit(Peek()))
            {
                throw NumberError(start, "a digit must follow the decimal point");
            }

            SkipDigits();
        }

        if (Peek() is 'e' or 'E')
        {
            _position++;
            if (Peek() is '+' or '-')
            {
                _position++;
            }

            if (!IsDigit(Peek()))
            {
                throw NumberError(start, "a digit must follow the exponent");
            }

            SkipDigits();
        }

        return new JsonNode(JsonKind.Number, start, _position, _text.Substring(start, _position - start));
    }

    private JsonNode ReadLiteral(string literal, JsonKind kind)
    {
        var start = _position;
        if (string.CompareOrdinal(_text, _position, literal, 0, literal.Length) != 0)
        {
            var rest = _text.Length - start;
            if (rest < literal.Length && string.CompareOrdinal(_text, start, literal, 0, rest) == 0)
            {
                throw Truncated($"the rest of '{literal}'");
            }

            var length = 1;
            while (start + length < _text.Length && char.IsLetter(_text[start + length]))
            {
                length++;
            }

            throw new JsonSyntaxException(start, length, $"unexpected '{Excerpt(start, length)}'; expected a value (true, false, null, a number, a string, an array or an object)");
        }

        _position += literal.Length;
        return new JsonNode(kind, start, _position);
    }

    private void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new JsonSyntaxException(_position, 1, $"nesting deeper than {MaxDepth} levels");
        }
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            {
                return;
            }

            _position++;
        }
    }

    private void SkipDigits()
    {
        while (IsDigit(Peek()))
        {
            _position++;
        }
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private static bool TryHex(string s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            var digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0)
            {
                return false;
            }

            value = (value * 16) + digit;
        }

        return true;
    }

    private JsonSyntaxException NumberError(int start, string message) =>
        new(start, Math.Max(1, _position - start + 1 <= _text.Length - start ? _position - start + 1 : _position - start), message);

    private JsonSyntaxException Truncated(string expected) =>
        new(_text.Length, 0, $"the file ends where {expected} was expected (truncated?)");

    private string Describe(int offset)
    {
        var c = _text[offset];
        return c < ' ' || c > '~' ? $"character U+{(int)c:X4}" : $"character '{c}'";
    }

    private string Excerpt(int start, int length) => _text.Substring(start, Math.Min(length, 20));
}
