using CogDdim.Config;
using CogDdim.Fixtures;

namespace CogDdim.Cli;

/// <summary>The whole command line: dispatch, usage errors (exit 2) and unreadable input (exit 2).</summary>
public static class CliApp
{
    public static string Usage =>
        "usage: cogddim <command> [options]\n\ncommands:\n"
        + string.Concat(Commands.All.Select(c => $"  {c.Name,-12} {c.Summary}\n"))
        + "\nRun `cogddim <command> --help` for a command's options.";

    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count == 0 || args[0] is "--help" or "-h" or "help")
        {
            (args.Count == 0 ? stderr : stdout).WriteLine(Usage);
            return args.Count == 0 ? 2 : 0;
        }

        try
        {
            var command = Commands.All.FirstOrDefault(c => c.Name == args[0]);
            if (command.Run is null)
            {
                throw new UsageException($"unknown command '{args[0]}'");
            }

            return command.Run(args.Skip(1).ToList(), stdout, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"cogddim: {e.Message}");
            stderr.WriteLine("Run `cogddim --help` for usage.");
            return 2;
        }
        catch (Exception e) when (e is FixtureFormatException or ConfigException or FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            stderr.WriteLine($"cogddim: {e.Message}");
            return 2;
        }
    }
}
