using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CogDdim.Harness;

/// <summary>
/// Finds and kills the processes a port left behind. Each port runs with <see cref="CandidateProcess.TokenVariable"/>
/// set to a value of its own, which everything it forks inherits; once the port has exited, its children are no longer
/// in its process tree (they are reparented), but their environment still names the token. Linux reads it from
/// <c>/proc/PID/environ</c>; elsewhere only the process-tree kill applies.
/// </summary>
public static class PortProcesses
{
    /// <summary>The ids of live processes whose environment holds <c>TOKEN_VARIABLE=<paramref name="token"/></c>.</summary>
    public static IReadOnlyList<int> Find(string token) => FindByEnvironment(CandidateProcess.TokenVariable, token);

    /// <summary>The ids of live processes (other than this one) whose environment holds <c>VARIABLE=VALUE</c>.</summary>
    public static IReadOnlyList<int> FindByEnvironment(string variable, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(variable);
        ArgumentException.ThrowIfNullOrEmpty(value);
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        var needle = Encoding.UTF8.GetBytes($"{variable}={value}\0");
        var self = Environment.ProcessId;
        var found = new List<int>();
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateDirectories("/proc");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        foreach (var dir in entries)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == self)
            {
                continue;
            }

            try
            {
                var environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
                if (environ.AsSpan().IndexOf(needle) >= 0 && !IsZombie(dir))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone, or another user's: not ours to kill.
            }
        }

        return found;
    }

    /// <summary>Kills every live process <see cref="Find"/> names (a few rounds, for those forked meanwhile).</summary>
    public static void KillAll(string token)
    {
        for (var round = 0; round < 5; round++)
        {
            var pids = Find(token);
            if (pids.Count == 0)
            {
                return;
            }

            foreach (var pid in pids)
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(1000);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Exited meanwhile.
                }
            }
        }
    }

    private static bool IsZombie(string dir)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
