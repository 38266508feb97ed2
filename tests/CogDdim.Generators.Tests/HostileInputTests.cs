using System.Text;
using static CogDdim.Generators.Tests.GeneratorHarness;

namespace CogDdim.Generators.Tests;

/// <summary>Malformed and hostile files give diagnostics (so a failed build), never an exception or a hang.</summary>
public sealed class HostileInputTests
{
    private static void AssertSingleError(string json, string id, string messageStart)
    {
        var (result, _) = Run(new ConfigFile("/app/scheduler_config.json", json));
        Assert.Null(result.Results[0].Exception);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(id, d.Id);
        var message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(message.StartsWith(messageStart, StringComparison.Ordinal), message);
        Assert.Empty(result.Results[0].GeneratedSources);
    }

    [Fact]
    public void TruncatedConfig()
    {
        var full = TestConfig("cogvideox-5b.json");
        AssertSingleError(full[..(full.Length / 2)], "CDDIM001", "The scheduler config is not valid JSON: the file ends where");
    }

    [Fact]
    public void TruncatedInsideAString()
    {
        AssertSingleError("{\"prediction_type\": \"v_pred", "CDDIM001", "The scheduler config is not valid JSON: the string starting here is not closed");
    }

    [Fact]
    public void EmptyFile()
    {
        AssertSingleError(string.Empty, "CDDIM001", "The scheduler config is not valid JSON: the file is empty");
    }

    [Fact]
    public void DeeplyNestedArrays()
    {
        AssertSingleError(new string('[', 1_000_000), "CDDIM001", "The scheduler config is not valid JSON: nesting deeper than 64 levels");
    }

    [Fact]
    public void DeeplyNestedObjectsInAValue()
    {
        var json = "{\"trained_betas\": " + string.Concat(Enumerable.Repeat("{\"a\": ", 100_000));
        AssertSingleError(json, "CDDIM001", "The scheduler config is not valid JSON: nesting deeper than 64 levels");
    }

    [Fact]
    public void HugeNumbers()
    {
        var digits = new string('9', 100_000);
        var (result, _) = Run(new ConfigFile("/app/scheduler_config.json",
            $"{{\"num_train_timesteps\": {digits}, \"beta_start\": {digits}.5, \"snr_shift_scale\": -1e999999}}"));
        Assert.Equal(["CDDIM006", "CDDIM006", "CDDIM006"], result.Diagnostics.Select(d => d.Id));
        Assert.Empty(result.Results[0].GeneratedSources);
    }

    [Fact]
    public void WrongTypesEverywhere()
    {
        const string json = "{\"num_train_timesteps\": [], \"beta_start\": \"x\", \"beta_schedule\": 3, \"trained_betas\": {}, " +
            "\"clip_sample\": \"yes\", \"prediction_type\": null, \"timestep_spacing\": false}";
        var (result, _) = Run(new ConfigFile("/app/scheduler_config.json", json));
        Assert.Equal(7, result.Diagnostics.Count(d => d.Id == "CDDIM004"));
        Assert.Equal(7, result.Diagnostics.Length);
        Assert.Empty(result.Results[0].GeneratedSources);
    }

    [Fact]
    public void TenMegabytesOfGarbage()
    {
        var random = new Random(3);
        var builder = new StringBuilder(10 * 1024 * 1024);
        while (builder.Length < 10 * 1024 * 1024)
        {
            builder.Append((char)random.Next(1, 0xD7FF));
        }

        var (result, _) = Run(new ConfigFile("/app/scheduler_config.json", builder.ToString()));
        Assert.Equal("CDDIM001", Assert.Single(result.Diagnostics).Id);
    }

    [Fact]
    public void TenMegabytesOfValidJsonThatIsNoConfig()
    {
        var json = "[" + string.Join(",", Enumerable.Repeat("0.5", 2_500_000)) + "]";
        AssertSingleError(json, "CDDIM002", "The scheduler config must be a JSON object, not an array");
    }

    [Fact]
    public void BadEscapesAndControlCharacters()
    {
        AssertSingleError("{\"a\\q\": 1}", "CDDIM001", "The scheduler config is not valid JSON: unknown escape '\\q'");
        AssertSingleError("{\"a\u0001\": 1}", "CDDIM001", "The scheduler config is not valid JSON: a control character must be escaped");
        AssertSingleError("{\"a\\u12G4\": 1}", "CDDIM001", "The scheduler config is not valid JSON: \\u must be followed by four hexadecimal digits");
    }
}
