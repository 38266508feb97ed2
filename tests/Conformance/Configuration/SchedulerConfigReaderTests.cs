using CogDdim.Config;

namespace CogDdim.Conformance.Configuration;

public sealed class SchedulerConfigReaderTests
{
    // The scheduler_config.json shipped with THUDM/CogVideoX-5b (its values are the cogvideox-5b fixture's config).
    private const string CogVideoX5bJson = """
        {
          "_class_name": "CogVideoXDDIMScheduler",
          "_diffusers_version": "0.31.0.dev0",
          "beta_end": 0.012,
          "beta_schedule": "scaled_linear",
          "beta_start": 0.00085,
          "clip_sample": false,
          "clip_sample_range": 1.0,
          "num_train_timesteps": 1000,
          "prediction_type": "v_prediction",
          "rescale_betas_zero_snr": true,
          "sample_max_value": 1.0,
          "set_alpha_to_one": true,
          "snr_shift_scale": 1.0,
          "steps_offset": 0,
          "timestep_spacing": "trailing",
          "trained_betas": null
        }
        """;

    [Fact]
    public void An_empty_object_gives_diffusers_defaults_for_all_14_keys()
    {
        var config = SchedulerConfigReader.Read("{}").Config;
        Assert.Equal(1000, config.NumTrainTimesteps);
        Assert.Equal(0.00085, config.BetaStart);
        Assert.Equal(0.0120, config.BetaEnd);
        Assert.Equal(BetaSchedule.ScaledLinear, config.BetaSchedule);
        Assert.Null(config.TrainedBetas);
        Assert.True(config.ClipSample);
        Assert.True(config.SetAlphaToOne);
        Assert.Equal(0, config.StepsOffset);
        Assert.Equal(PredictionType.Epsilon, config.PredictionType);
        Assert.Equal(1.0, config.ClipSampleRange);
        Assert.Equal(1.0, config.SampleMaxValue);
        Assert.Equal(TimestepSpacing.Leading, config.TimestepSpacing);
        Assert.False(config.RescaleBetasZeroSnr);
        Assert.Equal(3.0, config.SnrShiftScale);
        Assert.Equal(14, ConfigKeys.All.Count);
    }

    [Fact]
    public void The_defaults_are_the_defaults_fixture_config()
    {
        Assert.Equal(TestFixtures.Load("torch-2.6-cpu/defaults").Config, new SchedulerConfig());
    }

    [Fact]
    public void A_real_CogVideoX_5b_config_loads_without_warnings()
    {
        var result = SchedulerConfigReader.Read(CogVideoX5bJson, "scheduler_config.json");
        Assert.Empty(result.Warnings);
        Assert.Equal("CogVideoXDDIMScheduler", result.ClassName);
        Assert.Equal("0.31.0.dev0", result.DiffusersVersion);
        Assert.Equal(TestFixtures.Load("torch-2.6-cpu/cogvideox-5b").Config, result.Config);
    }

    [Fact]
    public void Unknown_keys_are_warnings_the_caller_can_see()
    {
        var result = SchedulerConfigReader.Read("""{"thresholding": false, "dynamic_thresholding_ratio": 0.995}""");
        Assert.Equal(["thresholding", "dynamic_thresholding_ratio"], result.Warnings.Select(w => w.Key));
        Assert.All(result.Warnings, w => Assert.Contains("ignored", w.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Another_class_name_is_a_warning()
    {
        var warning = Assert.Single(SchedulerConfigReader.Read("""{"_class_name": "DDIMScheduler"}""").Warnings);
        Assert.Equal("_class_name", warning.Key);
        Assert.Contains("DDIMScheduler", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"beta_schedule": "cubic"}""", "key 'beta_schedule': value \"cubic\" is not allowed; allowed: linear, scaled_linear, squaredcos_cap_v2")]
    [InlineData("""{"prediction_type": "flow"}""", "key 'prediction_type': value \"flow\" is not allowed; allowed: epsilon, sample, v_prediction")]
    [InlineData("""{"timestep_spacing": "uniform"}""", "key 'timestep_spacing': value \"uniform\" is not allowed; allowed: linspace, leading, trailing")]
    [InlineData("""{"num_train_timesteps": "1000"}""", "key 'num_train_timesteps': value \"1000\" is a string; expected an integer")]
    [InlineData("""{"num_train_timesteps": 1000.5}""", "key 'num_train_timesteps': value 1000.5 is not written as an integer")]
    [InlineData("""{"num_train_timesteps": 0}""", "key 'num_train_timesteps': value 0 is out of range; allowed: 1 to 1000000")]
    [InlineData("""{"beta_start": true}""", "key 'beta_start': value true is a boolean; expected a number")]
    [InlineData("""{"beta_end": 1e400}""", "key 'beta_end': value 1e400 is not a finite double")]
    [InlineData("""{"clip_sample": 1}""", "key 'clip_sample': value 1 is a number; expected true or false")]
    [InlineData("""{"trained_betas": "none"}""", "key 'trained_betas': value \"none\" is a string; expected null or an array of numbers")]
    [InlineData("""{"num_train_timesteps": 3, "trained_betas": [0.1, 0.2]}""", "key 'trained_betas': has 2 values but num_train_timesteps is 3")]
    [InlineData("""{"trained_betas": [0.1, "x"]}""", "key 'trained_betas[1]': value \"x\" is a string; expected a number")]
    [InlineData("""[1, 2]""", "must be a JSON object, not an array")]
    [InlineData("""{"beta_start": 0.1, "beta_start": 0.2}""", "line 1, column 21: the key \"beta_start\" appears twice in one object")]
    [InlineData("""{"beta_start": """, "not valid JSON")]
    public void A_bad_value_is_an_error_naming_the_key_the_value_and_what_is_allowed(string json, string message)
    {
        var e = Assert.Throws<ConfigException>(() => SchedulerConfigReader.Read(json, "my/scheduler_config.json"));
        Assert.StartsWith("my/scheduler_config.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Diffusers_compatible_loading_keeps_values_diffusers_rejects_later()
    {
        var config = SchedulerConfigReader.Read("""{"prediction_type": "flow", "timestep_spacing": "uniform"}""", "c", ConfigStrictness.DiffusersCompatible).Config;
        Assert.Equal("flow", config.DeferredInvalidValues[ConfigKeys.PredictionType]);
        Assert.Equal("uniform", config.DeferredInvalidValues[ConfigKeys.TimestepSpacing]);
        Assert.Contains("\"prediction_type\": \"flow\"", SchedulerConfigWriter.ToJson(config), StringComparison.Ordinal);
    }

    [Fact]
    public void A_shift_scale_at_or_below_zero_is_a_warning()
    {
        var warning = Assert.Single(SchedulerConfigReader.Read("""{"snr_shift_scale": 0}""").Warnings);
        Assert.Equal("snr_shift_scale", warning.Key);
    }

    [Fact]
    public void Writing_then_reading_a_config_gives_it_back()
    {
        foreach (var id in TestFixtures.SuiteIds)
        {
            var config = TestFixtures.Load(id).Config;
            var again = SchedulerConfigReader.Read(SchedulerConfigWriter.ToJson(config), id, ConfigStrictness.DiffusersCompatible).Config;
            Assert.Equal(config, again);
        }
    }
}
