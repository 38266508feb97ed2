using static CogDdim.Generators.Tests.GeneratorHarness;

namespace CogDdim.Generators.Tests;

/// <summary>Issue 14's generator diagnostics: a negative beta with scaled_linear (CDDIM022) and a non-finite schedule (CDDIM023).</summary>
public sealed class NonFiniteDiagnosticTests
{
    [Fact]
    public void A_negative_beta_start_with_scaled_linear_is_an_error_on_the_value()
    {
        const string json = "{\"beta_start\": -0.1, \"beta_schedule\": \"scaled_linear\"}";
        var d = Assert.Single(Diagnose(json), x => x.Id == "CDDIM022");
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, d.Severity);
        Assert.StartsWith("'beta_start' is -0.1, and with beta_schedule scaled_linear diffusers raises RuntimeError", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal("-0.1", json.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
    }

    [Theory]
    [InlineData("{\"num_train_timesteps\": 1, \"rescale_betas_zero_snr\": true, \"prediction_type\": \"v_prediction\"}", "rescale_betas_zero_snr", "alphas_cumprod[0] is NaN")]
    [InlineData("{\"num_train_timesteps\": 3, \"trained_betas\": [0, 0, 0], \"rescale_betas_zero_snr\": true, \"prediction_type\": \"v_prediction\"}", "rescale_betas_zero_snr", "alphas_cumprod[0] is NaN")]
    [InlineData("{\"beta_end\": 2.0, \"rescale_betas_zero_snr\": true, \"prediction_type\": \"v_prediction\"}", "beta_end", "alphas_cumprod[")]
    public void A_non_finite_schedule_is_a_warning_naming_the_key_and_the_entry(string json, string key, string entry)
    {
        var d = Assert.Single(Diagnose(json), x => x.Id == "CDDIM023");
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, d.Severity);
        var message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith($"'{key}' gives a schedule that is not finite", message, StringComparison.Ordinal);
        Assert.Contains(entry, message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_committed_kind_of_config_gives_neither()
    {
        const string json = "{\"beta_start\": 0.00085, \"beta_end\": 0.012, \"rescale_betas_zero_snr\": true, \"prediction_type\": \"v_prediction\"}";
        Assert.DoesNotContain(Diagnose(json), x => x.Id is "CDDIM022" or "CDDIM023");
    }
}
