using System.Text;
using CogDdim.Config;
using CogDdim.Fixtures;
using CogDdim.Scheduling;

namespace CogDdim.Conformance;

/// <summary>
/// One set of JSON rules for the config reader and the fixture reader (issue 14): the same encoding, byte order mark,
/// duplicate-key and position rules, and 1-based line and column in every message.
/// </summary>
public sealed class ReaderRulesTests
{
    private static readonly byte[] Fixture = Encoding.UTF8.GetBytes(HostileFixtures.CommittedText("bad-beta-schedule"));

    private const string Config = "{\n  \"beta_start\": 0.001,\n  \"beta_end\": 0.02\n}\n";

    /// <summary>Both readers on the same mutation: the fixture (a whole file) and a config (a small object).</summary>
    private static (Exception? FixtureError, Exception? ConfigError) Both(Func<byte[], byte[]> mutate)
    {
        Exception? fixture = null, config = null;
        try
        {
            FixtureReader.Read(mutate(Fixture), "f.json");
        }
        catch (FixtureFormatException e)
        {
            fixture = e;
        }

        try
        {
            SchedulerConfigReader.Read(mutate(Encoding.UTF8.GetBytes(Config)), "c.json");
        }
        catch (ConfigException e)
        {
            config = e;
        }

        return (fixture, config);
    }

    private static byte[] InFirstString(byte[] text, byte[] insert)
    {
        // After the opening quote of the first string value (the fixture's "format" value, the config's first key).
        var colon = Array.IndexOf(text, (byte)':');
        var quote = Array.IndexOf(text, (byte)'"', colon);
        if (quote < 0 || quote > Array.IndexOf(text, (byte)'\n', colon))
        {
            quote = Array.IndexOf(text, (byte)'"');
        }

        return [.. text[..(quote + 1)], .. insert, .. text[(quote + 1)..]];
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_accepted_by_both()
    {
        var (f, c) = Both(t => [0xEF, 0xBB, 0xBF, .. t]);
        Assert.Null(f);
        Assert.Null(c);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE }, "UTF-16 (little-endian)")]
    [InlineData(new byte[] { 0xFE, 0xFF }, "UTF-16 (big-endian)")]
    public void Utf16_is_refused_by_both_by_name(byte[] bom, string name)
    {
        var (f, c) = Both(t => [.. bom, .. Encoding.Convert(Encoding.UTF8, bom[0] == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode, t)]);
        Assert.Contains($"line 1, column 1: the text is {name}", f!.Message, StringComparison.Ordinal);
        Assert.Contains($"line 1, column 1: the text is {name}", c!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_an_error_with_a_position_in_both()
    {
        var (f, c) = Both(t => InFirstString(t, [0xFF]));
        Assert.Contains("the byte 0xFF is not valid UTF-8", f!.Message, StringComparison.Ordinal);
        Assert.Contains("the byte 0xFF is not valid UTF-8", c!.Message, StringComparison.Ordinal);
        Assert.StartsWith("f.json: line 2, column 13: ", f.Message, StringComparison.Ordinal);
        Assert.StartsWith("c.json: line 2, column 4: ", c.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_escape_is_an_error_in_both()
    {
        var (f, c) = Both(t => InFirstString(t, "\\ud800"u8.ToArray()));
        Assert.Contains("unpaired surrogate", f!.Message, StringComparison.Ordinal);
        Assert.Contains("unpaired surrogate", c!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_is_an_error_in_both_and_the_last_one_does_not_win()
    {
        var fixtureText = Encoding.UTF8.GetString(Fixture).Replace("\"format\": \"cogddim-fixture/1\"", "\"format\": \"cogddim-fixture/2\", \"format\": \"cogddim-fixture/1\"", StringComparison.Ordinal);
        var f = Assert.Throws<FixtureFormatException>(() => FixtureReader.Read(fixtureText, "f.json"));
        Assert.Equal("f.json: line 2, column 33: the key \"format\" appears twice in one object", f.Message);

        var c = Assert.Throws<ConfigException>(() => SchedulerConfigReader.Read("{\"beta_start\": 0.1,\n \"beta_start\": 0.2}", "c.json"));
        Assert.Equal("c.json: line 2, column 2: the key \"beta_start\" appears twice in one object", c.Message);
    }

    [Fact]
    public void Syntax_errors_give_one_1_based_position_and_not_the_parser_s_0_based_one()
    {
        var (f, c) = Both(t => t[..(t.Length / 2)]);
        foreach (var e in new[] { f!, c! })
        {
            Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("LineNumber", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("BytePositionInLine", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Value_errors_name_the_line_and_column_of_the_value_once_with_the_path_once()
    {
        var text = Encoding.UTF8.GetString(Fixture).Replace("\"beta_start\": 0.00085", "\"beta_start\": null", StringComparison.Ordinal);
        var f = Assert.Throws<FixtureFormatException>(() => FixtureReader.Read(text, "f.json"));
        Assert.Equal("f.json: line 41, column 17: at $.config.beta_start: value is null; expected a number", f.Message);

        var c = Assert.Throws<ConfigException>(() => SchedulerConfigReader.Read("{\n  \"beta_start\": null\n}", "c.json"));
        Assert.Equal("c.json: line 2, column 17: key 'beta_start': value is null; expected a number", c.Message);
    }

    [Fact]
    public void Messages_are_not_garbled()
    {
        var text = Encoding.UTF8.GetString(Fixture).Replace("\"library\": \"diffusers\"", "\"library\": 12", StringComparison.Ordinal);
        var f = Assert.Throws<FixtureFormatException>(() => FixtureReader.Read(text, "f.json"));
        Assert.EndsWith("at $.reference.library: expected a string, found the number 12", f.Message, StringComparison.Ordinal);

        var c = Assert.Throws<ConfigException>(() => SchedulerConfigReader.Read("{\"steps_offset\": 1e9}", "c.json"));
        Assert.Contains("value 1e9 is not written as an integer", c.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_beta_with_scaled_linear_fails_as_diffusers_fails_in_every_backend()
    {
        var e = Assert.Throws<ConfigException>(() => SchedulerConfigReader.Read("""{"beta_start": -0.1, "beta_schedule": "scaled_linear"}"""));
        Assert.Contains("diffusers raises RuntimeError", e.Message, StringComparison.Ordinal);

        var suite = HostileFixtures.ComplexLinspaceSuite();
        foreach (var backend in new Backends.ISchedulerBackend[] { new Backends.ReferenceBackend(), new Backends.SimdBackend() })
        {
            var result = new ConformanceRunner(backend).Run(suite);
            var construct = Assert.Single(result.Cases);
            Assert.True(construct.Passed, $"{backend.Name}: {construct.Failure}");
        }

        Assert.Throws<InvalidOperationException>(() => ScheduleChecks.ThrowIfConstructionFails(suite.Config));
    }

    [Theory]
    [InlineData("""{"beta_end": 2.0, "rescale_betas_zero_snr": true, "prediction_type": "v_prediction"}""", "beta_end", "alphas_cumprod[")]
    [InlineData("""{"num_train_timesteps": 3, "trained_betas": [0, 0, 0], "rescale_betas_zero_snr": true}""", "rescale_betas_zero_snr", "alphas_cumprod[0] is NaN")]
    [InlineData("""{"num_train_timesteps": 3, "trained_betas": [1, 1, 1], "rescale_betas_zero_snr": true}""", "rescale_betas_zero_snr", "alphas_cumprod[0] is NaN")]
    [InlineData("""{"num_train_timesteps": 1, "rescale_betas_zero_snr": true}""", "rescale_betas_zero_snr", "with one training timestep")]
    [InlineData("""{"beta_schedule": "linear", "snr_shift_scale": 1e-300, "rescale_betas_zero_snr": true}""", "rescale_betas_zero_snr", "alphas_cumprod[0] is NaN")]
    public void A_config_that_gives_a_non_finite_schedule_is_accepted_with_a_warning_naming_the_key_and_the_entry(string json, string key, string entry)
    {
        var result = SchedulerConfigReader.Read(json);
        var warning = Assert.Single(result.Warnings, w => w.Message.Contains("not finite", StringComparison.Ordinal));
        Assert.Equal(key, warning.Key);
        Assert.Contains(entry, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_committed_configs_give_no_non_finite_warning()
    {
        foreach (var file in FixtureReader.FindFiles(Path.Combine(Harness.HarnessFixtures.RepoRoot, "fixtures")))
        {
            var suite = FixtureReader.ReadFile(file);
            Assert.True(ScheduleChecks.FirstNonFinite(suite.Config) is null, file);
        }
    }
}

/// <summary>Issue 14's runner, precision and report cases that crashed or passed falsely.</summary>
public sealed class HostileRunTests
{
    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = global::CogDdim.Cli.CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData(999)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    [InlineData(-1001)]
    [InlineData(int.MinValue)]
    public void Precision_refuses_leading_timesteps_that_leave_the_table_with_exit_2(int offset)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("cogddim-precision-").FullName, "config.json");
        File.WriteAllText(file, $$"""{"timestep_spacing": "leading", "steps_offset": {{offset}}}""");
        var (code, _, stderr) = Run("precision", "--config", file, "--shape", "2,3", "--steps", "50", "--dtypes", "float32");
        Assert.Equal(2, code);
        Assert.Contains("leave the table of 1000 training timesteps", stderr, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public void An_expected_IndexError_trajectory_with_extra_model_outputs_fails_instead_of_passing_on_the_harness_s_own_index()
    {
        var suite = Harness.HarnessFixtures.Suite(Harness.HarnessFixtures.Primary, "trained-betas-v-trailing");
        var t = suite.Trajectories[0];
        var broken = t with
        {
            NumInferenceSteps = 2,
            ModelOutputs = [.. Enumerable.Repeat(t.Latents, 5)],
            Error = new FixtureError("IndexError", "index 2 is out of bounds"),
        };
        var result = new ConformanceRunner(Backends.ReferenceBackend.Instance).Run(suite with { Trajectories = [broken] });
        var c = Assert.Single(result.Cases, x => x.Kind == CaseKinds.Trajectory);
        Assert.False(c.Passed);
        Assert.Contains("5 model outputs but the scheduler has 2 timesteps", c.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_noise_timesteps_stored_as_floats_fail_the_case_and_the_run_ends_with_exit_1()
    {
        var text = HostileFixtures.CommittedText("trained-betas-v-trailing");
        var root = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        root["add_noise"]![0]!["timesteps"]!["dtype"] = "float64";
        var dir = Directory.CreateTempSubdirectory("cogddim-ts-");
        var file = Path.Combine(dir.FullName, "ts.json");
        File.WriteAllText(file, root.ToJsonString());
        var (code, stdout, _) = Run("conform", file);
        Assert.Equal(1, code);
        Assert.Contains("add_noise[0] float", stdout, StringComparison.Ordinal);
        Assert.EndsWith("82 passed, 1 failed", stdout.TrimEnd(), StringComparison.Ordinal);
        dir.Delete(recursive: true);
    }

    [Theory]
    [InlineData("a\u0001b", "control character")]
    [InlineData(null, "1 to 200 characters")]
    public void A_suite_name_with_a_control_character_or_50_MB_long_is_refused_with_a_short_message(string? name, string expected)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(HostileFixtures.CommittedText("bad-beta-schedule"))!;
        root["name"] = name ?? new string('x', 50 << 20);
        var e = Assert.Throws<FixtureFormatException>(() => FixtureReader.Read(root.ToJsonString(), "f.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.InRange(e.Message.Length, 1, 300);
    }

    [Fact]
    public void Repro_file_names_stay_short_whatever_the_suite_is_called()
    {
        var name = global::CogDdim.Cli.ConformCommand.ReproFileName(new string('x', 300) + "_step_prev_sample_float32");
        Assert.InRange(name.Length, 1, 130);
        Assert.EndsWith(".jsonl", name, StringComparison.Ordinal);
        Assert.NotEqual(name, global::CogDdim.Cli.ConformCommand.ReproFileName(new string('x', 301) + "_step_prev_sample_float32"));
    }

    [Fact]
    public void A_junit_report_to_stdout_is_valid_xml_with_the_closing_line_on_stderr()
    {
        var (code, stdout, stderr) = Run("conform", Path.Combine(Harness.HarnessFixtures.SetPath(Harness.HarnessFixtures.Primary), "bad-beta-schedule.json"), "--format", "junit");
        Assert.Equal(0, code);
        System.Xml.Linq.XDocument.Parse(stdout);
        Assert.Equal("1 passed, 0 failed", stderr.Trim());
    }
}
