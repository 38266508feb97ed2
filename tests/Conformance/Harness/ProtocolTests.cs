using System.Diagnostics;
using System.Text.Json;
using CogDdim.Harness;
using CogDdim.Semantics;

namespace CogDdim.Conformance.Harness;

/// <summary>The messages the harness writes, and those the example port answers, follow the committed schema.</summary>
public sealed class ProtocolTests
{
    private static readonly global::CogDdim.Fixtures.FixtureSuite Linear = HarnessFixtures.Suite(HarnessFixtures.Primary, "linear-sample-linspace");

    private static void Valid(string json, string definition)
    {
        using var document = JsonDocument.Parse(json);
        SchemaCheck.Validate(document.RootElement, HarnessFixtures.RepoRoot, "cogddim-candidate-1.schema.json", definition);
        SchemaCheck.Validate(document.RootElement, HarnessFixtures.RepoRoot, "cogddim-candidate-1.schema.json");
    }

    private static IReadOnlyList<string> Requests()
    {
        var context = CandidateProtocol.Context.Of(Linear.Config, Linear.Reference.Semantics);
        var step = Linear.Steps[0];
        var noise = Linear.AddNoise[0];
        return
        [
            CandidateProtocol.HelloRequest(0, HarnessInfo.Version),
            CandidateProtocol.CallRequest(1, CandidateProtocol.Schedule, context, _ => { }),
            CandidateProtocol.CallRequest(2, CandidateProtocol.SetTimesteps, context, CandidateProtocol.SetTimestepsArgs(20)),
            CandidateProtocol.CallRequest(3, CandidateProtocol.Step, context, CandidateProtocol.StepArgs(step.NumInferenceSteps, step.Timestep, step.ModelOutput, step.Sample)),
            CandidateProtocol.CallRequest(4, CandidateProtocol.Step, context, CandidateProtocol.StepArgs(null, step.Timestep, step.ModelOutput, step.Sample)),
            CandidateProtocol.CallRequest(5, CandidateProtocol.AddNoise, context, CandidateProtocol.NoiseArgs("original_samples", noise.Input, noise.Noise, noise.Timesteps)),
            CandidateProtocol.ShutdownRequest(6),
        ];
    }

    [Fact]
    public void Every_request_the_harness_writes_follows_the_schema()
    {
        var requests = Requests();
        Valid(requests[0], "hello_request");
        foreach (var request in requests.Skip(1).SkipLast(1))
        {
            Valid(request, "call_request");
        }

        Valid(requests[^1], "shutdown_request");
    }

    [Fact]
    public void The_semantics_sent_are_the_suites_own_reference_semantics()
    {
        var context = CandidateProtocol.Context.Of(Linear.Config, SemanticsProfile.Torch113Cpu);
        using var semantics = JsonDocument.Parse(context.SemanticsJson);
        Assert.Equal("vectorized-256", semantics.RootElement.GetProperty("linspace_rounding").GetProperty("float64").GetString());
        Assert.Equal("cast", semantics.RootElement.GetProperty("scalar_policy").GetProperty("float16").GetProperty("tensor/scalar").GetString());
        using var config = JsonDocument.Parse(context.ConfigJson);
        Assert.Equal("linspace", config.RootElement.GetProperty("timestep_spacing").GetString());
        Assert.Equal(JsonValueKind.Null, config.RootElement.GetProperty("trained_betas").ValueKind);
    }

    [Fact]
    public void The_example_port_answers_each_request_with_a_reply_that_follows_the_schema()
    {
        var info = new ProcessStartInfo(HarnessFixtures.PythonWithNumpy, [HarnessFixtures.PythonPort])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        using var port = Process.Start(info)!;
        port.StandardInput.Write(string.Join("\n", Requests()) + "\n");
        port.StandardInput.Close();
        var replies = port.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(port.WaitForExit(30_000));

        Assert.Equal(7, replies.Length);
        string[] results = ["hello_result", "schedule_result", "set_timesteps_result", "step_result", string.Empty, "add_noise_result", string.Empty];
        for (var i = 0; i < replies.Length; i++)
        {
            Valid(replies[i], "reply");
            using var reply = JsonDocument.Parse(replies[i]);
            Assert.Equal(i, reply.RootElement.GetProperty("id").GetInt32());
            if (results[i].Length > 0)
            {
                SchemaCheck.Validate(reply.RootElement.GetProperty("result"), HarnessFixtures.RepoRoot, "cogddim-candidate-1.schema.json", results[i]);
            }
        }

        using var noSteps = JsonDocument.Parse(replies[4]);
        Assert.Equal("ValueError", noSteps.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("python3 port.py", new[] { "python3", "port.py" })]
    [InlineData("  node  'my port/index.js'  --flag ", new[] { "node", "my port/index.js", "--flag" })]
    [InlineData("a\\ b \"c \\\" d\" e''f", new[] { "a b", "c \" d", "ef" })]
    public void Command_lines_split_as_a_shell_would(string commandLine, string[] expected) =>
        Assert.Equal(expected, CommandLineSplitter.Split(commandLine));

    [Theory]
    [InlineData("")]
    [InlineData("python3 'unterminated")]
    public void Bad_command_lines_are_rejected(string commandLine) =>
        Assert.Throws<FormatException>(() => CommandLineSplitter.Split(commandLine));
}
