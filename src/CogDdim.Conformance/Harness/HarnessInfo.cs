using System.Runtime.InteropServices;

namespace CogDdim.Harness;

/// <summary>What produced a report: the harness version and the machine it ran on.</summary>
public static class HarnessInfo
{
    /// <summary>Bumped when a report's meaning changes; reports carry it (<c>harness.version</c>).</summary>
    public const string Version = "cogddim-harness/1.0";

    public static string Platform =>
        $"{RuntimeInformation.OSDescription.Trim()}; {RuntimeInformation.OSArchitecture}; {RuntimeInformation.FrameworkDescription}";
}
