using System.Text.RegularExpressions;

namespace CogDdim.Backends;

/// <summary>
/// Maps each Python exception class the fixtures can record to exactly one .NET exception type, and checks that an
/// error message names what diffusers' message names.
/// </summary>
/// <remarks>
/// An exception is classified by the nearest of these types among its own type and its base types: an
/// <see cref="ArgumentOutOfRangeException"/> is an IndexError, never a ValueError, although it derives from
/// <see cref="ArgumentException"/>; an exception of none of these types (an <see cref="IndexOutOfRangeException"/>
/// from a stray array access, a <see cref="NullReferenceException"/>) is no Python class at all, so it matches no
/// recorded error.
/// </remarks>
public static partial class ErrorClasses
{
    /// <summary>The Python class → .NET exception type map: one type per class, no type twice.</summary>
    public static IReadOnlyList<(string PythonType, Type DotNetType)> Map { get; } =
    [
        ("ValueError", typeof(ArgumentException)),
        ("IndexError", typeof(ArgumentOutOfRangeException)),
        ("NotImplementedError", typeof(NotSupportedException)),
        ("ZeroDivisionError", typeof(DivideByZeroException)),
        ("TypeError", typeof(InvalidCastException)),
        ("RuntimeError", typeof(InvalidOperationException)),
    ];

    /// <summary>The Python class an exception stands for, or null when its type is in no way one of <see cref="Map"/>'s.</summary>
    /// <remarks>An error that names its own Python class (a port's answer, <see cref="IPythonErrorClass"/>) is that
    /// class and no other: a port's TypeError never passes for diffusers' RuntimeError through a shared .NET type.</remarks>
    public static string? Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is IPythonErrorClass named)
        {
            return named.PythonClass;
        }

        for (var type = exception.GetType(); type is not null; type = type.BaseType)
        {
            foreach (var (pythonType, dotNetType) in Map)
            {
                if (type == dotNetType)
                {
                    return pythonType;
                }
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="exception"/> classifies as <paramref name="pythonType"/>.</summary>
    public static bool Matches(string pythonType, Exception exception) =>
        Classify(exception) is { } found && string.Equals(found, pythonType, StringComparison.Ordinal);

    /// <summary>The one .NET exception type of a Python class, by name, for messages.</summary>
    public static string Expected(string pythonType) =>
        Map.FirstOrDefault(m => m.PythonType == pythonType).DotNetType?.Name ?? $"no known .NET equivalent of {pythonType}";

    /// <summary>
    /// What a diffusers message names: every name in backticks or quotes (the last part of a dotted name, so
    /// <c>`self.config.train_timesteps`</c> names <c>train_timesteps</c> and <c>&lt;class 'a.b.C'&gt;</c> names C),
    /// every snake_case key, every integer, and each of <paramref name="values"/> (a config's rejected values, say
    /// "cubic") that the message holds as a word.
    /// </summary>
    public static IReadOnlyList<string> NamesIn(string message, IEnumerable<string>? values = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var names = new List<string>();
        void Add(string name)
        {
            if (name.Length > 0 && !names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        foreach (Match m in Quoted().Matches(message))
        {
            var inner = m.Groups["inner"].Value;
            Add(inner[(inner.LastIndexOf('.') + 1)..]);
        }

        foreach (Match m in SnakeCase().Matches(message))
        {
            Add(m.Value);
        }

        foreach (Match m in Integer().Matches(message))
        {
            Add(m.Value);
        }

        foreach (var value in values ?? [])
        {
            if (!string.IsNullOrEmpty(value) && Regex.IsMatch(message, $@"(?<![\w.]){Regex.Escape(value)}(?![\w])"))
            {
                Add(value);
            }
        }

        return names;
    }

    /// <summary>
    /// The names of <paramref name="recordedMessage"/> (see <see cref="NamesIn"/>) that <paramref name="actualMessage"/>
    /// does not contain; empty when it names them all (in any wording).
    /// </summary>
    public static IReadOnlyList<string> MissingNames(string recordedMessage, string actualMessage, IEnumerable<string>? values = null)
    {
        ArgumentNullException.ThrowIfNull(actualMessage);
        return [.. NamesIn(recordedMessage, values).Where(n => !actualMessage.Contains(n, StringComparison.Ordinal))];
    }

    [GeneratedRegex(@"`(?<inner>[^`\s]+)`|'(?<inner>[^'\s]+)'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"(?<![\w.`'])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w`'])")]
    private static partial Regex SnakeCase();

    [GeneratedRegex(@"(?<![\w.])-?\d+(?![\w.]|\.\d)")]
    private static partial Regex Integer();
}
