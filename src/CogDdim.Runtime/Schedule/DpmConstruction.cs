namespace CogDdim.Scheduling;

/// <summary>
/// The DPM schedulers build diffusers' shared <c>__init__</c> (the DDIM schedule); where that fails as diffusers'
/// constructor fails, the error names the class the caller asked for, as diffusers' own message does
/// (<c>cubic is not implemented for &lt;class '…CogVideoXDPMScheduler'&gt;</c>).
/// </summary>
public static class DpmConstruction
{
    private const string DdimClass = "CogVideoXDDIMScheduler";
    private const string DpmClass = "CogVideoXDPMScheduler";

    /// <summary>Runs <paramref name="build"/>; an unknown beta_schedule's <see cref="NotSupportedException"/> names CogVideoXDPMScheduler.</summary>
    public static T Build<T>(Func<T> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        try
        {
            return build();
        }
        catch (NotSupportedException e) when (e.Message.EndsWith(" is not implemented for " + DdimClass, StringComparison.Ordinal))
        {
            throw new NotSupportedException(e.Message[..^DdimClass.Length] + DpmClass, e);
        }
    }
}
