using CogDdim.Cli;
using CogDdim.Config;
using CogDdim.Fixtures;

const string usage = """
    usage: cogddim <command> [options]

    commands:
      conform [PATH...]   check a backend against cogddim-fixture/1 suites (default: the repository's fixtures/)

    Run `cogddim <command> --help` for a command's options.
    """;

if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.WriteLine(usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    return args[0] switch
    {
        "conform" => ConformCommand.Run(args[1..], Console.Out, Console.Error),
        _ => throw new UsageException($"unknown command '{args[0]}'"),
    };
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
