using System.Text.Json.Nodes;
using CogDdim.Fixtures;
using CogDdim.Tensors;

namespace CogDdim.Conformance.FixtureFormat;

public sealed class FixtureReaderTests
{
    private static JsonObject Defaults() =>
        JsonNode.Parse(File.ReadAllText(TestFixtures.PathOf("torch-2.6-cpu/defaults")))!.AsObject();

    private static FixtureFormatException ReadBroken(JsonObject root) =>
        Assert.Throws<FixtureFormatException>(() => FixtureReader.Read(root.ToJsonString(), "broken.json"));

    [Fact]
    public void Bad_base64_names_the_file_and_the_json_path()
    {
        var root = Defaults();
        root["step"]![3]!["sample"]!["data"] = "not*base64";
        var e = ReadBroken(root);
        Assert.Equal("broken.json", e.File);
        Assert.Equal("$.step[3].sample.data", e.JsonPath);
        Assert.Contains("not valid base64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_count_that_does_not_match_shape_and_dtype_is_rejected()
    {
        var root = Defaults();
        root["schedule"]!["betas"]!["shape"] = new JsonArray(999);
        var e = ReadBroken(root);
        Assert.Equal("$.schedule.betas.data", e.JsonPath);
        Assert.Contains("8000 bytes, but shape [999] of float64 needs 999 × 8 = 7992", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_dtype_is_rejected()
    {
        var root = Defaults();
        root["add_noise"]![0]!["noise"]!["dtype"] = "float8";
        var e = ReadBroken(root);
        Assert.Equal("$.add_noise[0].noise.dtype", e.JsonPath);
        Assert.Contains("unknown dtype \"float8\"", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("format", "$")]
    [InlineData("config", "$")]
    [InlineData("schedule", "$")]
    public void A_missing_key_is_rejected(string key, string path)
    {
        var root = Defaults();
        root.Remove(key);
        var e = ReadBroken(root);
        Assert.Equal(path, e.JsonPath);
        Assert.Contains($"missing key \"{key}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_case_output_is_rejected()
    {
        var root = Defaults();
        root["step"]![0]!.AsObject().Remove("prev_sample");
        Assert.Equal("$.step[0]", ReadBroken(root).JsonPath);
    }

    [Fact]
    public void Another_format_version_is_rejected()
    {
        var root = Defaults();
        root["format"] = "cogddim-fixture/2";
        Assert.Contains("\"cogddim-fixture/2\" is not a format this reader knows", ReadBroken(root).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_value_of_the_wrong_type_is_rejected_with_its_path()
    {
        var root = Defaults();
        root["config"]!["beta_start"] = "small";
        var e = ReadBroken(root);
        Assert.Equal("$.config.beta_start", e.JsonPath);
    }

    [Fact]
    public void Truncated_json_is_rejected_with_a_position()
    {
        var text = File.ReadAllText(TestFixtures.PathOf("torch-2.6-cpu/bad-beta-schedule"));
        var e = Assert.Throws<FixtureFormatException>(() => FixtureReader.Read(text[..(text.Length / 2)], "cut.json"));
        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("cut.json: line ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_keys_are_ignored()
    {
        var root = Defaults();
        root["added_in_a_later_minor_version"] = 42;
        Assert.Equal("defaults", FixtureReader.Read(root.ToJsonString(), "x.json").Name);
    }

    [Theory]
    [MemberData(nameof(TestFixtures.Suites), MemberType = typeof(TestFixtures))]
    public void Writing_then_reading_a_suite_keeps_every_bit(string suiteId)
    {
        var suite = TestFixtures.Load(suiteId);
        var again = FixtureReader.Read(FixtureWriter.ToJson(suite), "again.json");

        Assert.Equal(suite.Name, again.Name);
        Assert.Equal(suite.Config, again.Config);
        Assert.Equal(suite.Reference with { Semantics = again.Reference.Semantics }, again.Reference);
        Assert.True(suite.Reference.Semantics.SameRules(again.Reference.Semantics));
        Assert.Equal(suite.ConstructError, again.ConstructError);
        Assert.Equal(suite.SetTimesteps.Select(c => (c.NumInferenceSteps, string.Join(",", c.Timesteps ?? []), c.Error)),
            again.SetTimesteps.Select(c => (c.NumInferenceSteps, string.Join(",", c.Timesteps ?? []), c.Error)));
        Assert.Equal(AllTensors(suite).Select(Bytes), AllTensors(again).Select(Bytes));
        Assert.Equal(suite.Errors.ToArray(), again.Errors.ToArray());
    }

    [Fact]
    public void The_written_json_has_the_committed_files_keys_in_their_order()
    {
        var original = Defaults();
        var written = JsonNode.Parse(FixtureWriter.ToJson(TestFixtures.Load("torch-2.6-cpu/defaults")))!.AsObject();
        Assert.Equal(original.Select(p => p.Key), written.Select(p => p.Key));
        Assert.Equal(original["config"]!.AsObject().Select(p => p.Key).Order(), written["config"]!.AsObject().Select(p => p.Key).Order());
    }

    private static string Bytes(HostTensor t) => $"{t.DType.Name()}{t.ShapeText}:{Convert.ToBase64String(t.ToBytes())}";

    private static IEnumerable<HostTensor> AllTensors(FixtureSuite s)
    {
        if (s.Schedule is { } schedule)
        {
            yield return schedule.Betas;
            yield return schedule.Alphas;
            yield return schedule.AlphasCumprod;
            yield return schedule.FinalAlphaCumprod;
            yield return schedule.Timesteps;
        }

        foreach (var c in s.Steps)
        {
            yield return c.Sample;
            yield return c.ModelOutput;
            if (c.PrevSample is not null)
            {
                yield return c.PrevSample;
                yield return c.PredOriginalSample!;
            }
        }

        foreach (var c in s.Trajectories)
        {
            yield return c.Latents;
            foreach (var t in c.ModelOutputs.Concat(c.PrevSamples).Concat(c.PredOriginalSamples))
            {
                yield return t;
            }
        }

        foreach (var c in s.AddNoise.Concat(s.GetVelocity))
        {
            yield return c.Input;
            yield return c.Noise;
            yield return c.Timesteps;
            if (c.Expected is not null)
            {
                yield return c.Expected;
            }
        }
    }
}
