using Microsoft.CodeAnalysis;
using static CogDdim.Generators.Tests.GeneratorHarness;

namespace CogDdim.Generators.Tests;

/// <summary>A CogVideoXDPMScheduler config: no "other class" warning, and a class whose step is the runtime's DPM scheduler.</summary>
public sealed class DpmGeneratorTests
{
    [Fact]
    public void A_dpm_class_name_is_recognized_and_delegates_to_the_runtime()
    {
        const string json = "{\"_class_name\": \"CogVideoXDPMScheduler\", \"beta_schedule\": \"scaled_linear\", \"timestep_spacing\": \"trailing\"}";
        var (result, output) = Run(new HarnessOptions(Adapter: true), [new ConfigFile("/app/models/dpm/scheduler_config.json", json)]);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CDDIM008");
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var source = string.Concat(result.GeneratedTrees.Select(t => t.ToString()));
        Assert.Contains("a CogVideoXDPMScheduler specialized", source, StringComparison.Ordinal);
        Assert.Contains("public static global::CogDdim.IDpmSpanScheduler Create() => global::CogDdim.SpanScheduler.CreateDpm(Config, Profile);", source, StringComparison.Ordinal);
        Assert.Contains("IsDpm: true", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_class_name_still_warns()
    {
        var diagnostics = Diagnose("{\"_class_name\": \"DPMSolverMultistepScheduler\"}");
        Assert.Contains(diagnostics, d => d.Id == "CDDIM008");
    }
}
