using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CogDdim.Cli;
using CogDdim.Conformance.Harness;
using Xunit.Abstractions;

namespace CogDdim.Conformance;

/// <summary>Runs alone: its managed-heap bound must not count what tests running beside it keep (the fixture cache).</summary>
[CollectionDefinition(nameof(FuzzCollection), DisableParallelization = true)]
public sealed class FuzzCollection;

/// <summary>
/// Issue 14's fuzz test: a seeded corpus of mutants of the committed fixtures (run through <c>cogddim conform</c>)
/// and of the committed configs (run through <c>cogddim precision</c> on a tiny shape), in process. Every outcome
/// must be exit 0, 1 or 2 with a message, never an unhandled exception, with bounded output and memory. The seed is
/// fixed so that a failure reproduces; <c>COGDDIM_FUZZ_SEED</c> and <c>COGDDIM_FUZZ_COUNT</c> change the corpus.
/// </summary>
[Collection(nameof(FuzzCollection))]
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly int Seed = Environment.GetEnvironmentVariable("COGDDIM_FUZZ_SEED") is { Length: > 0 } s ? int.Parse(s, CultureInfo.InvariantCulture) : 14;

    private static readonly int FixtureMutants = Environment.GetEnvironmentVariable("COGDDIM_FUZZ_COUNT") is { Length: > 0 } c ? int.Parse(c, CultureInfo.InvariantCulture) : 800;

    private static int ConfigMutants => Math.Max(200, FixtureMutants / 2);

    /// <summary>Small committed suites (every kind of case, both sets), so that the corpus runs in CI time.</summary>
    private static readonly string[] FixtureSources =
        [.. new[] { HarnessFixtures.Primary, HarnessFixtures.Second }.SelectMany(set =>
            new[] { "bad-beta-schedule", "bad-prediction-type", "bad-timestep-spacing", "trained-betas-v-trailing" }
                .Select(n => Path.Combine(HarnessFixtures.SetPath(set), n + ".json")))];

    /// <summary>JSON values that broke readers and schedulers from outside (issue 14), as raw text.</summary>
    private static readonly string[] HostileValues =
    [
        "null", "true", "\"\"", "0", "-1", "-0.1", "1e9", "1e400", "-1e400", "1.5", "2147483648", "-2147483649",
        "9223372036854775808", "999", "1000", "2147483647", "-1001", "-2147483648", "2.0", "1e-300", "[]", "{}",
        "\"\\ud800\"", "\"a\\u0001b\"", "\"float8\"", "\"int64\"", "\"float64\"", "\"bfloat16\"", "\"scaled_linear\"",
        "[0, 0, 0]", "[1, 1, 1]", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "\"" + new string('x', 20_000) + "\"", "\"AAAA\"", "\"!!!\"", "[-1]", "[2147483647, 2147483647]",
    ];

    private static readonly byte[][] HostileBytes =
    [
        [0xFF], [0xC3], [0xED, 0xA0, 0x80], "\\ud800"u8.ToArray(), [0x01], [0x00], "\""u8.ToArray(), "{"u8.ToArray(),
        "]"u8.ToArray(), ","u8.ToArray(), "\\"u8.ToArray(), [0xEF, 0xBB, 0xBF],
    ];

    private static readonly string[] ConfigKeys =
    [
        "num_train_timesteps", "beta_start", "beta_end", "beta_schedule", "trained_betas", "clip_sample", "set_alpha_to_one",
        "steps_offset", "prediction_type", "clip_sample_range", "sample_max_value", "timestep_spacing",
        "rescale_betas_zero_snr", "snr_shift_scale",
    ];

    [Fact]
    public void A_thousand_mutants_of_the_committed_fixtures_and_configs_end_in_exit_0_1_or_2_with_a_message()
    {
        var random = new Random(Seed);
        var dir = Directory.CreateTempSubdirectory("cogddim-fuzz-");
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var problems = new List<string>();
        var startManaged = GC.GetTotalMemory(forceFullCollection: true);
        long peakManaged = 0;
        try
        {
            var fixtures = FixtureSources.Select(File.ReadAllBytes).ToArray();
            var configs = fixtures.Select(ConfigOf)
                .Append(File.ReadAllBytes(Path.Combine(HarnessFixtures.RepoRoot, "samples", "CogVideoX5bSample", "CogVideoX-5b", "scheduler", "scheduler_config.json")))
                .ToArray();

            for (var i = 0; i < FixtureMutants + ConfigMutants; i++)
            {
                var isFixture = i < FixtureMutants;
                var source = isFixture ? fixtures[random.Next(fixtures.Length)] : configs[random.Next(configs.Length)];
                var (mutant, how) = isFixture ? MutateFixture(source, random) : MutateConfig(source, random);
                var file = Path.Combine(dir.FullName, isFixture ? "set" : "configs", string.Create(CultureInfo.InvariantCulture, $"m{i}.json"));
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, mutant);
                string[] args = isFixture
                    ? ["conform", file]
                    : ["precision", "--config", file, "--shape", "2,3", "--steps", "2", "--dtypes", "float32", "--profiles", "torch2-cpu", "--orders", "diffusers", "--modes", "pure"];
                var (code, stdout, stderr, crash) = Run(args);
                var key = $"{(isFixture ? "fixture" : "config")} exit {(crash is null ? code.ToString(CultureInfo.InvariantCulture) : "crash")}";
                outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
                var problem = crash is not null ? $"unhandled {crash.GetType().Name}: {crash.Message}"
                    : code is not (0 or 1 or 2) ? $"exit {code}"
                    : code == 2 && stderr.Trim().Length == 0 ? "exit 2 without a message"
                    : code == 1 && isFixture && !stdout.Contains(" failed", StringComparison.Ordinal) ? "exit 1 without the closing line"
                    : stdout.Length + stderr.Length > 2_000_000 ? $"{stdout.Length + stderr.Length} characters of output"
                    : null;
                if (problem is not null)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"mutant {i} ({how}): {problem}"));
                }

                if (i % 50 == 0)
                {
                    peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(forceFullCollection: false));
                }

                File.Delete(file);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        var endManaged = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {Seed}: {FixtureMutants} fixture mutants, {ConfigMutants} config mutants; outcomes: {string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}"))}; managed heap {startManaged >> 20} -> {endManaged >> 20} MiB (peak seen {peakManaged >> 20} MiB)"));
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30)));
        Assert.True(endManaged - startManaged < 256L << 20, $"the managed heap grew by {(endManaged - startManaged) >> 20} MiB over the corpus");
    }

    private static (int Code, string Stdout, string Stderr, Exception? Crash) Run(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        try
        {
            return (CliApp.Run(args, stdout, stderr), stdout.ToString(), stderr.ToString(), null);
        }
        catch (Exception e)
        {
            return (-1, stdout.ToString(), stderr.ToString(), e);
        }
    }

    private static byte[] ConfigOf(byte[] fixture)
    {
        var root = JsonNode.Parse(fixture)!;
        return Encoding.UTF8.GetBytes(root["config"]!.ToJsonString());
    }

    /// <summary>One mutation of a fixture: bytes (flip, insert, cut, re-encode) or structure (a value, a key, a dtype).</summary>
    private static (byte[] Mutant, string How) MutateFixture(byte[] source, Random random)
    {
        switch (random.Next(10))
        {
            case 0:
                {
                    var at = Position(source, random);
                    var copy = (byte[])source.Clone();
                    copy[at] = (byte)random.Next(256);
                    return (copy, $"byte {at} set to 0x{copy[at]:X2}");
                }

            case 1:
                {
                    var at = Position(source, random);
                    var insert = HostileBytes[random.Next(HostileBytes.Length)];
                    return ([.. source.AsSpan(0, at), .. insert, .. source.AsSpan(at)], $"bytes {Convert.ToHexString(insert)} inserted at {at}");
                }

            case 2:
                {
                    var at = random.Next(source.Length);
                    return (source[..at], $"cut at {at}");
                }

            case 3:
                return random.Next(3) switch
                {
                    0 => ([0xEF, 0xBB, 0xBF, .. source], "UTF-8 BOM"),
                    1 => ([0xFF, 0xFE, .. Encoding.Convert(Encoding.UTF8, Encoding.Unicode, source)], "UTF-16"),
                    _ => (Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(source).Replace("\"format\":", "\"format\": \"cogddim-fixture/2\", \"format\":", StringComparison.Ordinal)), "duplicate format key"),
                };

            case 4:
                return DTypeSwap(source, random);

            default:
                return ReplaceNode(source, random);
        }
    }

    private static (byte[] Mutant, string How) MutateConfig(byte[] source, Random random)
    {
        if (random.Next(4) == 0)
        {
            return MutateFixture(source, random);
        }

        // Issue 14's hostile configs: one key (or two) set to a hostile value.
        var root = JsonNode.Parse(source)!.AsObject();
        var how = new List<string>();
        var replacements = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var k = 0; k < 1 + random.Next(2); k++)
        {
            var key = ConfigKeys[random.Next(ConfigKeys.Length)];
            var value = HostileValues[random.Next(HostileValues.Length)];
            var marker = $"@@hostile{k}@@";
            root[key] = marker;
            replacements[marker] = value;
            how.Add($"{key}={Short(value)}");
        }

        if (random.Next(3) == 0)
        {
            root["timestep_spacing"] = "leading";
        }

        var text = root.ToJsonString();
        foreach (var (marker, value) in replacements)
        {
            text = text.Replace($"\"{marker}\"", value, StringComparison.Ordinal);
        }

        return (Encoding.UTF8.GetBytes(text), "config " + string.Join(", ", how));
    }

    /// <summary>A dtype name swapped for another of the same size (int64 timesteps stored as float64, say).</summary>
    private static (byte[] Mutant, string How) DTypeSwap(byte[] source, Random random)
    {
        var text = Encoding.UTF8.GetString(source);
        (string From, string To)[] swaps =
            [("\"int64\"", "\"float64\""), ("\"float64\"", "\"int64\""), ("\"float16\"", "\"bfloat16\""), ("\"bfloat16\"", "\"float16\""), ("\"float32\"", "\"float16\"")];
        var (from, to) = swaps[random.Next(swaps.Length)];
        var hits = new List<int>();
        for (var at = text.IndexOf(from, StringComparison.Ordinal); at >= 0; at = text.IndexOf(from, at + 1, StringComparison.Ordinal))
        {
            hits.Add(at);
        }

        if (hits.Count == 0)
        {
            return (source, "unchanged");
        }

        var pick = hits[random.Next(hits.Count)];
        return (Encoding.UTF8.GetBytes(text[..pick] + to + text[(pick + from.Length)..]), $"dtype {from} -> {to} at {pick}");
    }

    /// <summary>A random value of the document replaced by a hostile one, or a random key removed.</summary>
    private static (byte[] Mutant, string How) ReplaceNode(byte[] source, Random random)
    {
        JsonNode root;
        try
        {
            root = JsonNode.Parse(source)!;
        }
        catch (System.Text.Json.JsonException)
        {
            return (source, "unchanged");
        }

        var nodes = new List<(JsonNode Parent, string? Key, int Index, string Path)>();
        Collect(root, "$", nodes);
        var (parent, key, index, path) = nodes[random.Next(nodes.Count)];
        const string marker = "@@hostile@@";
        string how;
        string? value = null;
        if (key is not null && random.Next(5) == 0)
        {
            parent.AsObject().Remove(key);
            how = $"removed {path}";
        }
        else
        {
            value = HostileValues[random.Next(HostileValues.Length)];
            if (key is not null)
            {
                parent[key] = marker;
            }
            else
            {
                parent[index] = marker;
            }

            how = $"{path} = {Short(value)}";
        }

        var text = root.ToJsonString();
        if (value is not null)
        {
            text = text.Replace($"\"{marker}\"", value, StringComparison.Ordinal);
        }

        return (Encoding.UTF8.GetBytes(text), how);
    }

    private static void Collect(JsonNode node, string path, List<(JsonNode, string?, int, string)> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    into.Add((o, k, -1, $"{path}.{k}"));
                    if (v is not null)
                    {
                        Collect(v, $"{path}.{k}", into);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count && i < 64; i++)
                {
                    into.Add((a, null, i, $"{path}[{i}]"));
                    if (a[i] is { } item)
                    {
                        Collect(item, $"{path}[{i}]", into);
                    }
                }

                break;
        }
    }

    /// <summary>Most mutations land in the first few kilobytes (header, config, names); some anywhere (tensor data).</summary>
    private static int Position(byte[] source, Random random) =>
        random.Next(3) == 0 ? random.Next(source.Length) : random.Next(Math.Min(source.Length, 4096));

    private static string Short(string value) => value.Length <= 40 ? value : value[..37] + "...";
}
