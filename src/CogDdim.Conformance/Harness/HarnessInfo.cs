using System.Runtime.InteropServices;

namespace CogDdim.Harness;

/// <summary>What produced a report: the harness version and the machine it ran on.</summary>
public static class HarnessInfo
{
    /// <summary>Bumped when a report's meaning changes; reports carry it (<c>harness.version</c>).</summary>
    public const string Version = "cogddim-harness/1.0";

    /// <summary>The OS, architecture and .NET runtime the harness runs on (<c>harness.platform</c>).</summary>
    public static string Platform =>
        $"{RuntimeInformation.OSDescription.Trim()}; {RuntimeInformation.OSArchitecture}; {RuntimeInformation.FrameworkDescription}";
}
