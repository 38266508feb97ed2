using CogDdim.Cli;
using CogDdim.Config;
using CogDdim.Fixtures;

var usage = "usage: cogddim <command> [options]\n\ncommands:\n"
    + string.Concat(Commands.All.Select(c => $"  {c.Name,-12} {c.Summary}\n"))
    + "\nRun `cogddim <command> --help` for a command's options.";

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.WriteLine(usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    var command = Commands.All.FirstOrDefault(c => c.Name == args[0]);
    if (command.Run is null)
    {
        throw new UsageException($"unknown command '{args[0]}'");
    }

    return command.Run(args[1..], Console.Out, Console.Error);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"cogddim: {e.Message}");
    Console.Error.WriteLine("Run `cogddim --help` for usage.");
    return 2;
}
catch (Exception e) when (e is FixtureFormatException or ConfigException or FileNotFoundException or DirectoryNotFoundException or IOException)
{
    Console.Error.WriteLine($"cogddim: {e.Message}");
    return 2;
}
