namespace CogDdim.Cli;

public static class RepositoryPaths
{
    /// <summary>The committed <c>fixtures/</c> folder: looked for above the working directory, then above the program.</summary>
    public static string? FindFixtures()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "fixtures");
                if (File.Exists(Path.Combine(dir.FullName, "CogDdim.sln")) && Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
