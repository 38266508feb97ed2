using System.Globalization;

namespace CogDdim.Config;

/// <summary>
/// The near-miss rule for unknown config keys, shared by <see cref="SchedulerConfigReader"/> and the source generator
/// (which compiles this file too, linked into CogDdim.Generators): an unknown key a small edit away from a constructor
/// argument (<c>snr_shift_scal</c>, <c>prediction-type</c>, <c>timestep_spacings</c>) is almost certainly that argument
/// mistyped, and diffusers would silently build the scheduler with the argument's default instead. Keys far from every
/// argument stay plain unknown keys (diffusers ignores them). Also the one rule for 1-based line and column in the
/// config text, so that both report a key at the same position.
/// </summary>
internal static class KeySuggestions
{
    /// <summary>
    /// The message after the key: {0} the key, {1} the argument it is near, {2} that argument's default as JSON.
    /// The generator's CDDIM019 is <c>'{0}' </c> followed by this.
    /// </summary>
    public const string NearMissFormat =
        "is not a CogVideoXDDIMScheduler argument; did you mean '{1}'? without it the scheduler uses diffusers' default {2}";

    /// <summary>
    /// The argument among <paramref name="arguments"/> that <paramref name="key"/> is a near miss of, or null. Case and
    /// the separators <c>-</c>, <c>.</c> and space (for <c>_</c>) are ignored; then at most one edit (insertion,
    /// deletion, substitution or swap of neighbours) is allowed for arguments shorter than 10 characters, two for longer.
    /// A key equal to an argument is no near miss.
    /// </summary>
    public static string? NearMiss(string key, IEnumerable<string> arguments)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var normalized = Normalize(key);
        foreach (var argument in arguments)
        {
            if (string.Equals(argument, key, StringComparison.Ordinal))
            {
                return null;
            }

            var allowed = argument.Length < 10 ? 1 : 2;
            var distance = Distance(normalized, Normalize(argument), allowed);
            if (distance <= allowed && distance < bestDistance)
            {
                best = argument;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>The message of a near miss, without the key in front (see <see cref="NearMissFormat"/>).</summary>
    public static string NearMissDetail(string key, string argument, string defaultJson) =>
        string.Format(CultureInfo.InvariantCulture, NearMissFormat, key, argument, defaultJson);

    /// <summary>
    /// Optimal string alignment distance (Levenshtein plus swaps of neighbouring characters), or <paramref name="limit"/>
    /// + 1 when the lengths alone differ by more than <paramref name="limit"/>.
    /// </summary>
    public static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return limit + 1;
        }

        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, previous2[j - 2] + 1);
                }

                current[j] = value;
            }

            (previous2, previous, current) = (previous, current, previous2);
        }

        return previous[b.Length];
    }

    /// <summary>
    /// 1-based line and column (in UTF-16 characters) of <paramref name="offset"/> in <paramref name="text"/>. A line
    /// ends at <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>, as the generator's diagnostics count lines.
    /// </summary>
    public static (int Line, int Column) LineAndColumn(string text, int offset)
    {
        var starts = LineStarts(text);
        var index = Array.BinarySearch(starts, offset);
        var line = index >= 0 ? index : ~index - 1;
        return (line + 1, offset - starts[line] + 1);
    }

    /// <summary>The offset of the first character of every line (see <see cref="LineAndColumn"/> for what ends a line).</summary>
    public static int[] LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                starts.Add(i + 1);
            }
        }

        return starts.ToArray();
    }

#if !NETSTANDARD2_0
    /// <summary>
    /// 1-based line and column of the name of the top-level key <paramref name="key"/> (its opening quote, where the
    /// generator's diagnostic points) in the JSON text, or null when the text cannot be read that far.
    /// </summary>
    public static (int Line, int Column)? FindTopLevelKey(string json, string key)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        var reader = new System.Text.Json.Utf8JsonReader(bytes, new System.Text.Json.JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == System.Text.Json.JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(key))
                {
                    var offset = System.Text.Encoding.UTF8.GetCharCount(bytes, 0, (int)reader.TokenStartIndex);
                    return LineAndColumn(json, offset);
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return null;
    }
#endif

    private static string Normalize(string key)
    {
        var chars = key.ToLowerInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is '-' or '.' or ' ')
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }
}
