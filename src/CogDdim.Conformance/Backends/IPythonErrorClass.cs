namespace CogDdim.Backends;

/// <summary>
/// An exception that stands for a Python exception of a named class (a port's error answer, for instance): a recorded
/// error matches it when the class names are equal (<see cref="ErrorClasses.Classify"/> gives that name and no other).
/// </summary>
public interface IPythonErrorClass
{
    /// <summary>The Python class name, as diffusers' fixtures record it (<c>ValueError</c>, <c>RuntimeError</c>, …).</summary>
    string PythonClass { get; }
}
