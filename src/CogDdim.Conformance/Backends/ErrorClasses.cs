namespace CogDdim.Backends;

/// <summary>Maps a recorded Python exception class to the .NET exceptions that count as the same failure.</summary>
public static class ErrorClasses
{
    /// <summary>
    /// Whether <paramref name="exception"/> classifies as the Python exception class a fixture or a candidate recorded
    /// (<c>ValueError</c>, <c>IndexError</c>, <c>NotImplementedError</c>, <c>ZeroDivisionError</c>, <c>TypeError</c>,
    /// <c>RuntimeError</c>); an unknown class matches nothing.
    /// </summary>
    /// <param name="pythonType">The recorded <c>error.type</c>, e.g. <c>ValueError</c>.</param>
    /// <param name="exception">What the backend threw.</param>
    public static bool Matches(string pythonType, Exception exception) => pythonType switch
    {
        "ValueError" => exception is ArgumentException or InvalidOperationException,
        "IndexError" => exception is ArgumentOutOfRangeException or IndexOutOfRangeException,
        "NotImplementedError" => exception is NotSupportedException,
        "ZeroDivisionError" => exception is DivideByZeroException or ArgumentOutOfRangeException,
        "TypeError" => exception is ArgumentException,
        "RuntimeError" => exception is ArgumentException or InvalidOperationException,
        _ => false,
    };

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
