namespace CogDdim.Backends;

/// <summary>Maps a recorded Python exception class to the .NET exceptions that count as the same failure.</summary>
public static class ErrorClasses
{
    public static bool Matches(string pythonType, Exception exception) =>
        MatchesNamedClass(pythonType, exception) ?? pythonType switch
    {
        "ValueError" => exception is ArgumentException or InvalidOperationException,
        "IndexError" => exception is ArgumentOutOfRangeException or IndexOutOfRangeException,
        "NotImplementedError" => exception is NotSupportedException,
        "ZeroDivisionError" => exception is DivideByZeroException or ArgumentOutOfRangeException,
        "TypeError" => exception is ArgumentException,
        "RuntimeError" => exception is ArgumentException or InvalidOperationException,
        _ => false,
    };

    /// <summary>
    /// (issue 14) An error that names its Python class (a port's answer, <see cref="IPythonErrorClass"/>) matches
    /// exactly that class; null for every other exception, which the .NET mapping decides.
    /// </summary>
    public static bool? MatchesNamedClass(string pythonType, Exception exception) =>
        exception is IPythonErrorClass named ? string.Equals(named.PythonClass, pythonType, StringComparison.Ordinal) : null;

    /// <summary>The .NET exception names accepted for a Python class, for messages.</summary>
    public static string Expected(string pythonType) => pythonType switch
    {
        "ValueError" => "ArgumentException or InvalidOperationException",
        "IndexError" => "ArgumentOutOfRangeException or IndexOutOfRangeException",
        "NotImplementedError" => "NotSupportedException",
        "ZeroDivisionError" => "DivideByZeroException or ArgumentOutOfRangeException",
        "TypeError" => "ArgumentException",
        "RuntimeError" => "ArgumentException or InvalidOperationException",
        _ => $"no known .NET equivalent of {pythonType}",
    };
}
