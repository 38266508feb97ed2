namespace CogDdim.Cli;

/// <summary>A small POSIX-style parser: positional arguments, <c>--name value</c>, <c>--name=value</c> and flags.</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CommandLine()
    {
    }

    public List<string> Positionals { get; } = [];

    /// <summary>Parses <paramref name="args"/>; <paramref name="valued"/> take a value, <paramref name="flags"/> don't.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags)
    {
        var result = new CommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                result.Positionals.AddRange(args.Skip(i + 1));
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                result.Positionals.Add(arg);
                continue;
            }

            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            if (flags.Contains(name))
            {
                if (value is not null)
                {
                    throw new UsageException($"--{name} takes no value");
                }

                result._flags.Add(name);
            }
            else if (valued.Contains(name))
            {
                if (value is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new UsageException($"--{name} needs a value");
                    }

                    value = args[++i];
                }

                if (!result._options.TryGetValue(name, out var list))
                {
                    result._options[name] = list = [];
                }

                list.Add(value);
            }
            else
            {
                throw new UsageException($"unknown option --{name}");
            }
        }

        return result;
    }

    public bool Flag(string name) => _flags.Contains(name);

    public string? Value(string name) => _options.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> Values(string name) => _options.TryGetValue(name, out var list) ? list : [];

    public string Choice(string name, string fallback, params string[] allowed)
    {
        var value = Value(name) ?? fallback;
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new UsageException($"--{name} {value}: expected one of {string.Join(", ", allowed)}");
    }
}

/// <summary>Bad usage: exit code 2, with the message and a pointer to --help.</summary>
public sealed class UsageException(string message) : Exception(message);
