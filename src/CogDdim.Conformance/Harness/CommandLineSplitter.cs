using System.Text;

namespace CogDdim.Harness;

/// <summary>Splits a command line into arguments as a POSIX shell would, without running a shell.</summary>
public static class CommandLineSplitter
{
    /// <summary>
    /// Whitespace separates arguments; <c>'…'</c> is literal; <c>"…"</c> is literal except <c>\"</c> and <c>\\</c>;
    /// outside quotes a backslash takes the next character literally.
    /// </summary>
    public static IReadOnlyList<string> Split(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var args = new List<string>();
        var current = new StringBuilder();
        var inArgument = false;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            if (char.IsWhiteSpace(c))
            {
                if (inArgument)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    inArgument = false;
                }

                continue;
            }

            inArgument = true;
            switch (c)
            {
                case '\'':
                {
                    var end = commandLine.IndexOf('\'', i + 1);
                    if (end < 0)
                    {
                        throw new FormatException($"candidate command line: unterminated ' at {i}");
                    }

                    current.Append(commandLine, i + 1, end - i - 1);
                    i = end;
                    break;
                }

                case '"':
                {
                    var j = i + 1;
                    for (; j < commandLine.Length && commandLine[j] != '"'; j++)
                    {
                        if (commandLine[j] == '\\' && j + 1 < commandLine.Length && commandLine[j + 1] is '"' or '\\')
                        {
                            j++;
                        }

                        current.Append(commandLine[j]);
                    }

                    if (j >= commandLine.Length)
                    {
                        throw new FormatException($"candidate command line: unterminated \" at {i}");
                    }

                    i = j;
                    break;
                }

                case '\\' when i + 1 < commandLine.Length:
                    current.Append(commandLine[++i]);
                    break;
                default:
                    current.Append(c);
                    break;
            }
        }

        if (inArgument)
        {
            args.Add(current.ToString());
        }

        return args.Count > 0 ? args : throw new FormatException("candidate command line is empty");
    }
}
