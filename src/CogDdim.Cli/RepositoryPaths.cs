namespace CogDdim.Cli;

public static class RepositoryPaths
{
    /// <summary>
    /// The committed <c>fixtures/</c> folder: that of a clone of this repository above the working directory or above
    /// the program, else the copy the installed tool carries beside itself (<c>fixtures/</c> in its own folder).
    /// </summary>
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

        var packaged = Path.Combine(AppContext.BaseDirectory, "fixtures");
        return Directory.Exists(packaged) ? packaged : null;
    }
}
