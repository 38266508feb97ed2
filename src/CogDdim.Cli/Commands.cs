namespace CogDdim.Cli;

/// <summary>The <c>cogddim</c> commands: name, one line of help, and the entry point (args after the name).</summary>
public static class Commands
{
    public delegate int Entry(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr);

    public static readonly IReadOnlyList<(string Name, string Summary, Entry Run)> All =
    [
        ("conform", "check a backend against cogddim-fixture/1 suites (default: the repository's fixtures/)", ConformCommand.Run),
        ("precision", "measure what dtypes, torch builds and op order do to a trajectory, against a double-double oracle", PrecisionCommand.Run),
        ("bench", "time one step per backend and dtype on the CogVideoX latent shapes, against a copy-triad over the same bytes", BenchCommand.Run),
        ("backends", "list the backends --backend can name, one per line", ListBackends),
    ];

    private static int ListBackends(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count > 0)
        {
            throw new UsageException("backends takes no arguments");
        }

        foreach (var name in BackendRegistry.Names)
        {
            stdout.WriteLine(name);
        }

        return 0;
    }
}
