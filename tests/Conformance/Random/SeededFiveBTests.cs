using System.Diagnostics;
using System.Text.Json;
using CogDdim.Fixtures;

namespace CogDdim.Conformance.RngTests;

/// <summary>
/// Issue 16's second "done when": diffusers' CogVideoX-5b DPM loop at the full latent size, [1, 13, 16, 60, 90], 50
/// steps from <c>torch.Generator().manual_seed(42)</c>, in bfloat16 (with the pipeline's float32 model output and cast
/// back) and float32, reproduced bit for bit with no libtorch loaded. diffusers' real CogVideoXDPMScheduler recorded it
/// on torch 2.6 and 1.13 (<c>generate.py --seeded-5b</c>, fixtures/seeded_loop.py) as sha256 digests with a few
/// values; here the loop runs in tests/SeededLoopApp, a process that references CogDdim.Runtime only, and every
/// digest of every step must match. The child also reports what it loaded: no TorchSharp assembly, no mapping of a
/// file named like torch.
/// </summary>
public sealed class SeededFiveBTests
{
    public static TheoryData<string> Sets() => new() { "torch-2.6-cpu", "torch-1.13-cpu" };

    private static string RecordingOf(string set) => Path.Combine(TestFixtures.FixturesFolder, "diffusers-0.37.0", set, "seeded-dpm-5b.cogddim-trajectory");

    /// <summary>tests/SeededLoopApp's build output, in this test assembly's configuration and framework.</summary>
    private static string AppFolder()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!.Name;
        return Path.Combine(TestFixtures.RepositoryRoot, "tests", "SeededLoopApp", "bin", configuration, tfm.Name);
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public void The_recording_is_the_5b_pipeline_loop_from_seed_42(string set)
    {
        using var recording = JsonDocument.Parse(File.ReadAllBytes(RecordingOf(set)));
        var r = recording.RootElement;
        var suite = TestFixtures.Load($"{set}/dpm-cogvideox-5b");
        using var suiteJson = JsonDocument.Parse(File.ReadAllBytes(TestFixtures.PathOf($"{set}/dpm-cogvideox-5b")));

        Assert.Equal("cogddim-seeded-trajectory/1", r.GetProperty("format").GetString());
        Assert.Equal("CogVideoXDPMScheduler", r.GetProperty("reference").GetProperty("class").GetString());
        Assert.Equal("0.37.0", r.GetProperty("reference").GetProperty("version").GetString());
        Assert.Equal(suite.Reference.Torch, r.GetProperty("reference").GetProperty("torch").GetString());
        // The 5b config and the scheduler semantics are the committed 5b suite's; the randn rules the set's profile's.
        Assert.True(JsonElement.DeepEquals(suiteJson.RootElement.GetProperty("config"), r.GetProperty("config")));
        Assert.True(JsonElement.DeepEquals(suiteJson.RootElement.GetProperty("reference").GetProperty("semantics"), r.GetProperty("reference").GetProperty("semantics")));
        var randn = r.GetProperty("reference").GetProperty("randn_semantics");
        foreach (var (key, value) in RandnFixture.SemanticsNames(suite.Reference.Semantics.Randn))
        {
            Assert.Equal(value, randn.GetProperty(key).GetString());
        }

        Assert.Equal(42UL, r.GetProperty("generator_seed").GetUInt64());
        Assert.Equal(50, r.GetProperty("num_inference_steps").GetInt32());
        Assert.Equal([.. Enumerable.Range(0, 50).Select(i => (64 + i) / 128.0)], r.GetProperty("model").GetProperty("scales").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        var loops = r.GetProperty("loops").EnumerateArray().ToList();
        Assert.Equal(["bfloat16", "float32"], loops.Select(l => l.GetProperty("dtype").GetString()));
        foreach (var loop in loops)
        {
            Assert.Equal([1, 13, 16, 60, 90], loop.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
            var steps = loop.GetProperty("steps").EnumerateArray().ToList();
            Assert.Equal(50, steps.Count);
            // One draw on the first step and the last (prev_t < 0), two on every other (the second counts).
            Assert.Equal([1, .. Enumerable.Repeat(2, 48), 1], steps.Select(s => s.GetProperty("noises").GetArrayLength()));
            Assert.Equal(JsonValueKind.Null, steps[0].GetProperty("timestep_back").ValueKind);
            Assert.Equal(steps[0].GetProperty("timestep").GetInt64(), steps[1].GetProperty("timestep_back").GetInt64());
        }
    }

    [Theory]
    [MemberData(nameof(Sets))]
    public async Task The_runtime_alone_reproduces_every_step_in_a_process_without_torchsharp(string set)
    {
        var folder = AppFolder();
        var app = Path.Combine(folder, "SeededLoopApp.dll");
        Assert.True(File.Exists(app), $"{app} is not built (tests/Conformance builds it through a ProjectReference)");
        // Nothing torch can be loaded from where the app runs: no TorchSharp in its dependencies or beside it.
        Assert.DoesNotContain("TorchSharp", File.ReadAllText(Path.Combine(folder, "SeededLoopApp.deps.json")), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Directory.EnumerateFiles(folder), f => Path.GetFileName(f).Contains("torch", StringComparison.OrdinalIgnoreCase));

        var profile = TestFixtures.Load($"{set}/dpm-cogvideox-5b").Reference.Semantics.Name;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        using var process = Process.Start(new ProcessStartInfo(dotnet, [app, RecordingOf(set), profile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(180_000), "the seeded loop did not finish in 3 minutes");
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");

        using var ours = JsonDocument.Parse(stdout);
        using var recording = JsonDocument.Parse(File.ReadAllBytes(RecordingOf(set)));
        var loops = recording.RootElement.GetProperty("loops").EnumerateArray().ToList();
        var ran = ours.RootElement.GetProperty("loops").EnumerateArray().ToList();
        Assert.Equal(loops.Count, ran.Count);
        var compared = 0;
        for (var l = 0; l < loops.Count; l++)
        {
            var (expected, actual) = (loops[l], ran[l]);
            var dtype = expected.GetProperty("dtype").GetString();
            Assert.Equal(dtype, actual.GetProperty("dtype").GetString());
            Assert.Equal(expected.GetProperty("timesteps").EnumerateArray().Select(e => e.GetInt64()), actual.GetProperty("timesteps").EnumerateArray().Select(e => e.GetInt64()));
            Same($"{dtype} latents (prepare_latents)", expected.GetProperty("latents"), actual.GetProperty("latents"));
            var steps = expected.GetProperty("steps").EnumerateArray().ToList();
            var ourSteps = actual.GetProperty("steps").EnumerateArray().ToList();
            Assert.Equal(steps.Count, ourSteps.Count);
            for (var i = 0; i < steps.Count; i++)
            {
                var (e, a) = (steps[i], ourSteps[i]);
                Assert.Equal(e.GetProperty("timestep").GetInt64(), a.GetProperty("timestep").GetInt64());
                Same($"{dtype} step {i} model_output", e.GetProperty("model_output"), a.GetProperty("model_output"));
                var noises = e.GetProperty("noises").EnumerateArray().ToList();
                var ourNoises = a.GetProperty("noises").EnumerateArray().ToList();
                Assert.Equal(noises.Count, ourNoises.Count);
                for (var k = 0; k < noises.Count; k++)
                {
                    Same($"{dtype} step {i} noises[{k}]", noises[k], ourNoises[k]);
                }

                Same($"{dtype} step {i} prev_sample", e.GetProperty("prev_sample"), a.GetProperty("prev_sample"));
                Same($"{dtype} step {i} pred_original_sample", e.GetProperty("pred_original_sample"), a.GetProperty("pred_original_sample"));
                if (e.TryGetProperty("latents", out var latents))
                {
                    Same($"{dtype} step {i} latents (cast back)", latents, a.GetProperty("latents"));
                }

                compared++;
            }
        }

        Assert.Equal(100, compared);
        // What the child process loaded: the runtime and the BCL, no TorchSharp assembly and no file named like torch.
        var assemblies = ours.RootElement.GetProperty("assemblies").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains("CogDdim.Runtime", assemblies);
        Assert.DoesNotContain(assemblies, a => a.Contains("Torch", StringComparison.OrdinalIgnoreCase) || a.StartsWith("CogDdim.Conformance", StringComparison.Ordinal));
        Assert.True(ours.RootElement.GetProperty("proc_maps_read").GetBoolean());
        Assert.Equal(0, ours.RootElement.GetProperty("torch_mappings").GetArrayLength());
    }

    private static void Same(string what, JsonElement expected, JsonElement actual)
    {
        foreach (var key in new[] { "dtype", "sha256", "head", "tail" })
        {
            var e = expected.GetProperty(key).GetString();
            var a = actual.GetProperty(key).GetString();
            Assert.True(e == a, $"{what}: {key} {a}, diffusers recorded {e}");
        }
    }
}
