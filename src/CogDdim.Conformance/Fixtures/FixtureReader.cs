using System.Collections.Immutable;
using System.Text.Json;
using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Fixtures;

/// <summary>Reads <c>cogddim-fixture/1</c> files; anything malformed is a <see cref="FixtureFormatException"/>.</summary>
public static class FixtureReader
{
    /// <summary>Reads and checks one fixture file; <see cref="FixtureSuite.Source"/> is its path.</summary>
    /// <param name="path">The <c>*.json</c> file.</param>
    /// <exception cref="FixtureFormatException">The file cannot be read, is not JSON, or breaks the format.</exception>
    public static FixtureSuite ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FixtureFormatException(path, "$", $"cannot be read: {e.Message}", e);
        }

        return Read(bytes, path);
    }

    /// <summary>Every <c>*.json</c> under a folder (recursively), or the file itself, in ordinal path order.</summary>
    public static IReadOnlyList<string> FindFiles(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (Directory.Exists(path))
        {
            return Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories)
                .Where(f => !string.Equals(Path.GetFileName(f), "package.json", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToList();
        }

        throw new FileNotFoundException($"{path}: no such file or folder", path);
    }

    /// <summary>
    /// Reads a suite under <see cref="JsonDocumentRules"/>' rules, the config reader's own (UTF-8 with or without a
    /// byte order mark, no invalid UTF-8 or unpaired surrogate, no duplicate key); every problem names its 1-based
    /// line and column and its JSON path.
    /// </summary>
    public static FixtureSuite Read(ReadOnlyMemory<byte> utf8Json, string file)
    {
        JsonDocument document;
        try
        {
            document = JsonDocumentRules.Parse(utf8Json, 32);
        }
        catch (JsonRuleException e)
        {
            throw new FixtureFormatException(file, "$", e.Detail, e.Line, e.Column, e);
        }

        using (document)
        {
            try
            {
                return new Reader(file).Suite(document.RootElement);
            }
            catch (FixtureFormatException e) when (e.Line is null && JsonDocumentRules.Locate(utf8Json, e.JsonPath) is { } position)
            {
                throw new FixtureFormatException(file, e.JsonPath, e.Detail, position.Line, position.Column, e);
            }
        }
    }

    /// <summary>Reads and checks a suite from a JSON string.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="file">The name errors and <see cref="FixtureSuite.Source"/> give it.</param>
    /// <exception cref="FixtureFormatException">Not JSON, or a key, type, tensor or byte count the format does not allow.</exception>
    public static FixtureSuite Read(string json, string file) => Read(System.Text.Encoding.UTF8.GetBytes(json), file);

    private sealed class Reader(string file)
    {
        public FixtureSuite Suite(JsonElement root)
        {
            Expect(root, "$", JsonValueKind.Object);
            var format = String(Required(root, "$", "format"), "$.format");
            if (format != FixtureSuite.FormatName)
            {
                throw Fail("$.format", $"\"{JsonDocumentRules.Shorten(format)}\" is not a format this reader knows; expected \"{FixtureSuite.FormatName}\"");
            }

            var config = Config(Required(root, "$", "config"));
            var suite = new FixtureSuite
            {
                Name = SuiteName(String(Required(root, "$", "name"), "$.name")),
                Description = Optional(root, "description") is { } d ? String(d, "$.description") : string.Empty,
                Reference = Reference(Required(root, "$", "reference")),
                Config = config,
                Source = file,
            };

            if (Optional(root, "construct_error") is { } constructError)
            {
                return suite with { ConstructError = Error(constructError, "$.construct_error") };
            }

            return suite with
            {
                Schedule = Schedule(Required(root, "$", "schedule")),
                SetTimesteps = List(root, "set_timesteps", SetTimestepsCase),
                Steps = List(root, "step", StepCase),
                Trajectories = List(root, "trajectories", Trajectory),
                AddNoise = List(root, "add_noise", (e, p) => NoiseCase(e, p, "original_samples", "noisy_samples")),
                GetVelocity = List(root, "get_velocity", (e, p) => NoiseCase(e, p, "sample", "velocity")),
                Errors = List(root, "errors", (e, p) => new ErrorCallCase(
                    String(Required(e, p, "call"), p + ".call"), Error(Required(e, p, "error"), p + ".error"))),
                DpmSteps = List(root, "dpm_step", DpmStepCase),
                DpmTrajectories = List(root, "dpm_trajectories", DpmTrajectory),
                DpmScalars = List(root, "dpm_scalars", DpmScalarsCase),
                DpmErrors = List(root, "dpm_errors", (e, p) => new ErrorCallCase(
                    String(Required(e, p, "call"), p + ".call"), Error(Required(e, p, "error"), p + ".error"))),
            };
        }

        /// <summary>A suite name names files, report lines and JUnit suites: 1 to 200 characters, no control character.</summary>
        private string SuiteName(string name)
        {
            if (name.Length is 0 or > FixtureSuite.MaxNameLength)
            {
                throw Fail("$.name", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"a suite name has 1 to {FixtureSuite.MaxNameLength} characters; this one has {name.Length}"));
            }

            var control = name.AsSpan().IndexOfAnyInRange('\0', '\u001f');
            if (control >= 0 || name.Contains('\u007f', StringComparison.Ordinal))
            {
                throw Fail("$.name", $"the suite name \"{JsonDocumentRules.Shorten(name)}\" holds a control character; names are plain text");
            }

            return name;
        }

        private SchedulerConfig Config(JsonElement element)
        {
            try
            {
                return SchedulerConfigReader.Read(element, file, ConfigStrictness.DiffusersCompatible).Config;
            }
            catch (ConfigException e)
            {
                throw Fail(e.Key.Length == 0 ? "$.config" : $"$.config.{e.Key}", e.Detail);
            }
        }

        private FixtureReference Reference(JsonElement element)
        {
            const string path = "$.reference";
            Expect(element, path, JsonValueKind.Object);
            string Text(string key) => Optional(element, key) is { } v ? String(v, $"{path}.{key}") : string.Empty;
            return new FixtureReference(
                Text("library"), Text("version"), Text("class"), Text("torch"), Text("numpy"), Text("python"), Text("device"),
                Semantics(Required(element, path, "semantics"), path + ".semantics"));
        }

        private SemanticsProfile Semantics(JsonElement element, string path)
        {
            Expect(element, path, JsonValueKind.Object);
            var policies = ImmutableSortedDictionary.CreateBuilder<(DType, ScalarForm), ScalarPolicy>();
            var scalarPolicy = Required(element, path, "scalar_policy");
            Expect(scalarPolicy, path + ".scalar_policy", JsonValueKind.Object);
            foreach (var dtypeEntry in scalarPolicy.EnumerateObject())
            {
                var dtypePath = $"{path}.scalar_policy.{dtypeEntry.Name}";
                if (!DTypes.TryParse(dtypeEntry.Name, out var dtype) || !dtype.IsReduced())
                {
                    throw Fail(dtypePath, $"\"{JsonDocumentRules.Shorten(dtypeEntry.Name)}\" is not float16 or bfloat16");
                }

                Expect(dtypeEntry.Value, dtypePath, JsonValueKind.Object);
                foreach (var formEntry in dtypeEntry.Value.EnumerateObject())
                {
                    var formPath = $"{dtypePath}.{formEntry.Name}";
                    if (!SemanticsProfile.TryParseForm(formEntry.Name, out var form))
                    {
                        throw Fail(formPath, $"unknown form \"{JsonDocumentRules.Shorten(formEntry.Name)}\"");
                    }

                    policies[(dtype, form)] = String(formEntry.Value, formPath) switch
                    {
                        "cast" => ScalarPolicy.Cast,
                        "opmath" => ScalarPolicy.Opmath,
                        var other => throw Fail(formPath, $"unknown scalar policy \"{JsonDocumentRules.Shorten(other)}\"; expected cast or opmath"),
                    };
                }
            }

            var linspace = Required(element, path, "linspace_rounding");
            Expect(linspace, path + ".linspace_rounding", JsonValueKind.Object);
            LinspaceRounding Linspace(string dtype) => Optional(linspace, dtype) is { } v
                ? SemanticsProfile.ParseLinspace(String(v, $"{path}.linspace_rounding.{dtype}"))
                : LinspaceRounding.Fused;

            var accumulator = Optional(element, "cumprod_float32_accumulator") is { } acc
                ? String(acc, path + ".cumprod_float32_accumulator") switch
                {
                    "float64" => CumprodAccumulator.Float64,
                    "float32" => CumprodAccumulator.Float32,
                    var other => throw Fail(path + ".cumprod_float32_accumulator", $"unknown accumulator \"{JsonDocumentRules.Shorten(other)}\""),
                }
                : CumprodAccumulator.Float64;

            var profile = new SemanticsProfile
            {
                Name = "fixture",
                ScalarPolicies = policies.ToImmutable(),
                LinspaceFloat64 = Linspace("float64"),
                LinspaceFloat32 = Linspace("float32"),
                CumprodFloat32Accumulator = accumulator,
            };
            return profile.MatchNamed() ?? profile;
        }

        private ScheduleRecord Schedule(JsonElement element)
        {
            const string path = "$.schedule";
            Expect(element, path, JsonValueKind.Object);
            return new ScheduleRecord(
                Tensor(Required(element, path, "betas"), path + ".betas"),
                Tensor(Required(element, path, "alphas"), path + ".alphas"),
                Tensor(Required(element, path, "alphas_cumprod"), path + ".alphas_cumprod"),
                Tensor(Required(element, path, "final_alpha_cumprod"), path + ".final_alpha_cumprod"),
                Double(Required(element, path, "init_noise_sigma"), path + ".init_noise_sigma"),
                Int(Required(element, path, "order"), path + ".order"),
                Int(Required(element, path, "len"), path + ".len"),
                Tensor(Required(element, path, "timesteps"), path + ".timesteps"));
        }

        private SetTimestepsCase SetTimestepsCase(JsonElement element, string path)
        {
            var n = Int(Required(element, path, "num_inference_steps"), path + ".num_inference_steps");
            if (Optional(element, "error") is { } error)
            {
                return new SetTimestepsCase(n, null, Error(error, path + ".error"));
            }

            return new SetTimestepsCase(n, Longs(Required(element, path, "timesteps"), path + ".timesteps"), null);
        }

        private StepCase StepCase(JsonElement element, string path)
        {
            var n = Int(Required(element, path, "num_inference_steps"), path + ".num_inference_steps");
            var t = Long(Required(element, path, "timestep"), path + ".timestep");
            var sample = Tensor(Required(element, path, "sample"), path + ".sample");
            var modelOutput = Tensor(Required(element, path, "model_output"), path + ".model_output");
            if (Optional(element, "error") is { } error)
            {
                return new StepCase(n, t, sample, modelOutput, null, null, Error(error, path + ".error"));
            }

            return new StepCase(n, t, sample, modelOutput,
                Tensor(Required(element, path, "prev_sample"), path + ".prev_sample"),
                Tensor(Required(element, path, "pred_original_sample"), path + ".pred_original_sample"),
                null);
        }

        private TrajectoryCase Trajectory(JsonElement element, string path)
        {
            var n = Int(Required(element, path, "num_inference_steps"), path + ".num_inference_steps");
            var dtype = DTypeOf(Required(element, path, "dtype"), path + ".dtype");
            var model = String(Required(element, path, "model"), path + ".model");
            var latents = Tensor(Required(element, path, "latents"), path + ".latents");
            DType? modelDType = Optional(element, "model_dtype") is { } md ? DTypeOf(md, path + ".model_dtype") : null;
            var castBack = Optional(element, "cast_back") is { } cb && Bool(cb, path + ".cast_back");
            var error = Optional(element, "error") is { } e ? Error(e, path + ".error") : null;
            var timesteps = Optional(element, "timesteps") is { } ts ? Longs(ts, path + ".timesteps") : [];
            var outputs = Tensors(element, path, "model_outputs");
            var prev = Tensors(element, path, "prev_samples");
            var x0 = Tensors(element, path, "pred_original_samples");
            if (error is null && (outputs.Length != timesteps.Length || prev.Length != timesteps.Length || x0.Length != timesteps.Length))
            {
                throw Fail(path, $"{timesteps.Length} timesteps but {outputs.Length} model_outputs, {prev.Length} prev_samples, {x0.Length} pred_original_samples");
            }

            return new TrajectoryCase(n, dtype, model, latents, timesteps, outputs, prev, x0, modelDType, castBack, error);
        }

        private DpmStepCase DpmStepCase(JsonElement element, string path)
        {
            var n = Int(Required(element, path, "num_inference_steps"), path + ".num_inference_steps");
            var variant = Optional(element, "variant") is { } v ? String(v, path + ".variant") : string.Empty;
            var t = Long(Required(element, path, "timestep"), path + ".timestep");
            long? back = Optional(element, "timestep_back") is { } b ? Long(b, path + ".timestep_back") : null;
            var prevT = Optional(element, "prev_timestep") is { } pt ? Long(pt, path + ".prev_timestep") : 0;
            var sample = Tensor(Required(element, path, "sample"), path + ".sample");
            var modelOutput = Tensor(Required(element, path, "model_output"), path + ".model_output");
            var old = Optional(element, "old_pred_original_sample") is { } o ? Tensor(o, path + ".old_pred_original_sample") : null;
            var seed = Optional(element, "generator_seed") is { } g ? Long(g, path + ".generator_seed") : 0;
            var noise = Tensors(element, path, "noise");
            if (Optional(element, "error") is { } error)
            {
                return new DpmStepCase(n, variant, t, back, prevT, sample, modelOutput, old, seed, noise, null, null, null, Error(error, path + ".error"));
            }

            var used = Optional(element, "noise_used") is { } u ? Int(u, path + ".noise_used") : noise.Length - 1;
            if (used < 0 || used >= noise.Length)
            {
                throw Fail(path + ".noise_used", $"{used} is not an index of the {noise.Length} recorded draws");
            }

            return new DpmStepCase(n, variant, t, back, prevT, sample, modelOutput, old, seed, noise, used,
                Tensor(Required(element, path, "prev_sample"), path + ".prev_sample"),
                Tensor(Required(element, path, "pred_original_sample"), path + ".pred_original_sample"),
                null);
        }

        private DpmTrajectoryCase DpmTrajectory(JsonElement element, string path)
        {
            var n = Int(Required(element, path, "num_inference_steps"), path + ".num_inference_steps");
            var dtype = DTypeOf(Required(element, path, "dtype"), path + ".dtype");
            var model = String(Required(element, path, "model"), path + ".model");
            var seed = Optional(element, "generator_seed") is { } g ? Long(g, path + ".generator_seed") : 0;
            var latents = Tensor(Required(element, path, "latents"), path + ".latents");
            DType? modelDType = Optional(element, "model_dtype") is { } md ? DTypeOf(md, path + ".model_dtype") : null;
            var castBack = Optional(element, "cast_back") is { } cb && Bool(cb, path + ".cast_back");
            var error = Optional(element, "error") is { } e ? Error(e, path + ".error") : null;
            var timesteps = Optional(element, "timesteps") is { } ts ? Longs(ts, path + ".timesteps") : [];
            var outputs = Tensors(element, path, "model_outputs");
            var prev = Tensors(element, path, "prev_samples");
            var x0 = Tensors(element, path, "pred_original_samples");
            var noises = ImmutableArray.CreateBuilder<ImmutableArray<HostTensor>>();
            if (Optional(element, "noises") is { } list)
            {
                Expect(list, path + ".noises", JsonValueKind.Array);
                var i = 0;
                foreach (var draws in list.EnumerateArray())
                {
                    var drawsPath = $"{path}.noises[{i++}]";
                    Expect(draws, drawsPath, JsonValueKind.Array);
                    var builder = ImmutableArray.CreateBuilder<HostTensor>();
                    var k = 0;
                    foreach (var draw in draws.EnumerateArray())
                    {
                        builder.Add(Tensor(draw, $"{drawsPath}[{k++}]"));
                    }

                    noises.Add(builder.ToImmutable());
                }
            }

            if (error is null && (outputs.Length != timesteps.Length || prev.Length != timesteps.Length || x0.Length != timesteps.Length || noises.Count != timesteps.Length))
            {
                throw Fail(path, $"{timesteps.Length} timesteps but {outputs.Length} model_outputs, {noises.Count} noises, {prev.Length} prev_samples, {x0.Length} pred_original_samples");
            }

            if (error is null && noises.Any(d => d.Length == 0))
            {
                throw Fail(path + ".noises", "a step without a recorded draw");
            }

            return new DpmTrajectoryCase(n, dtype, model, seed, latents, timesteps, outputs, noises.ToImmutable(), prev, x0, modelDType, castBack, error);
        }

        private DpmScalarsCase DpmScalarsCase(JsonElement element, string path)
        {
            var n = Int(Required(element, path, "num_inference_steps"), path + ".num_inference_steps");
            var t = Long(Required(element, path, "timestep"), path + ".timestep");
            long? back = Optional(element, "timestep_back") is { } b ? Long(b, path + ".timestep_back") : null;
            var prevT = Optional(element, "prev_timestep") is { } pt ? Long(pt, path + ".prev_timestep") : 0;
            var values = Required(element, path, "values");
            Expect(values, path + ".values", JsonValueKind.Object);
            var builder = ImmutableSortedDictionary.CreateBuilder<string, HostTensor>(StringComparer.Ordinal);
            foreach (var entry in values.EnumerateObject())
            {
                builder[entry.Name] = Tensor(entry.Value, $"{path}.values.{entry.Name}");
            }

            return new DpmScalarsCase(n, t, back, prevT, builder.ToImmutable());
        }

        private ImmutableArray<HostTensor> Tensors(JsonElement element, string path, string key)
        {
            if (Optional(element, key) is not { } list)
            {
                return [];
            }

            Expect(list, $"{path}.{key}", JsonValueKind.Array);
            var builder = ImmutableArray.CreateBuilder<HostTensor>();
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                builder.Add(Tensor(item, $"{path}.{key}[{i++}]"));
            }

            return builder.ToImmutable();
        }

        private NoiseCase NoiseCase(JsonElement element, string path, string inputKey, string outputKey)
        {
            var input = Tensor(Required(element, path, inputKey), $"{path}.{inputKey}");
            var noise = Tensor(Required(element, path, "noise"), path + ".noise");
            var timesteps = Tensor(Required(element, path, "timesteps"), path + ".timesteps");
            if (Optional(element, "error") is { } error)
            {
                return new NoiseCase(input, noise, timesteps, null, Error(error, path + ".error"));
            }

            return new NoiseCase(input, noise, timesteps, Tensor(Required(element, path, outputKey), $"{path}.{outputKey}"), null);
        }

        private FixtureError Error(JsonElement element, string path)
        {
            Expect(element, path, JsonValueKind.Object);
            return new FixtureError(
                String(Required(element, path, "type"), path + ".type"),
                Optional(element, "message") is { } m ? String(m, path + ".message") : string.Empty);
        }

        public HostTensor Tensor(JsonElement element, string path)
        {
            Expect(element, path, JsonValueKind.Object);
            var dtype = DTypeOf(Required(element, path, "dtype"), path + ".dtype");
            var shapeElement = Required(element, path, "shape");
            Expect(shapeElement, path + ".shape", JsonValueKind.Array);
            var shape = new int[shapeElement.GetArrayLength()];
            var i = 0;
            foreach (var d in shapeElement.EnumerateArray())
            {
                var dimPath = $"{path}.shape[{i}]";
                if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out var dim) || dim < 0)
                {
                    throw Fail(dimPath, $"{Raw(d)} is not a non-negative 32-bit integer");
                }

                shape[i++] = dim;
            }

            var dataPath = path + ".data";
            var data = String(Required(element, path, "data"), dataPath);
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(data);
            }
            catch (FormatException e)
            {
                throw Fail(dataPath, $"not valid base64: {e.Message}");
            }

            long count;
            try
            {
                count = HostTensor.ElementCount(shape);
            }
            catch (ArgumentException e)
            {
                throw Fail(path + ".shape", e.Message);
            }

            if (count * dtype.Size() != bytes.Length)
            {
                throw Fail(dataPath,
                    $"{bytes.Length} bytes, but shape [{string.Join(", ", shape)}] of {dtype.Name()} needs {count} × {dtype.Size()} = {count * dtype.Size()}");
            }

            return HostTensor.FromBytes(dtype, shape, bytes);
        }

        private DType DTypeOf(JsonElement element, string path)
        {
            var name = String(element, path);
            return DTypes.TryParse(name, out var dtype)
                ? dtype
                : throw Fail(path, $"unknown dtype \"{JsonDocumentRules.Shorten(name)}\"; expected float64, float32, float16, bfloat16 or int64");
        }

        private ImmutableArray<T> List<T>(JsonElement root, string key, Func<JsonElement, string, T> read)
        {
            if (Optional(root, key) is not { } list)
            {
                return [];
            }

            Expect(list, "$." + key, JsonValueKind.Array);
            var builder = ImmutableArray.CreateBuilder<T>(list.GetArrayLength());
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                var path = $"$.{key}[{i++}]";
                Expect(item, path, JsonValueKind.Object);
                builder.Add(read(item, path));
            }

            return builder.MoveToImmutable();
        }

        private ImmutableArray<long> Longs(JsonElement element, string path)
        {
            Expect(element, path, JsonValueKind.Array);
            var builder = ImmutableArray.CreateBuilder<long>(element.GetArrayLength());
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                builder.Add(Long(item, $"{path}[{i++}]"));
            }

            return builder.MoveToImmutable();
        }

        private JsonElement Required(JsonElement parent, string path, string key) =>
            parent.TryGetProperty(key, out var value) ? value : throw Fail(path, $"missing key \"{key}\"");

        private static JsonElement? Optional(JsonElement parent, string key) =>
            parent.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

        private void Expect(JsonElement element, string path, JsonValueKind kind)
        {
            if (element.ValueKind != kind)
            {
                throw Fail(path, $"expected {Describe(kind)}, found {Found(element)}");
            }
        }

        private string String(JsonElement element, string path)
        {
            Expect(element, path, JsonValueKind.String);
            return element.GetString()!;
        }

        private static string Describe(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "true or false",
            JsonValueKind.Null => "null",
            _ => "a value",
        };

        /// <summary>What a value is, with the value itself where it is short: <c>null</c>, <c>the number 12</c>, <c>an object</c>.</summary>
        private static string Found(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Null => "null",
            JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
            JsonValueKind.Number => $"the number {Raw(element)}",
            JsonValueKind.String => $"the string {Raw(element)}",
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => "nothing",
        };

        private bool Bool(JsonElement element, string path) => element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Fail(path, $"expected true or false, found {Raw(element)}"),
        };

        private int Int(JsonElement element, string path) =>
            element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var v)
                ? v
                : throw Fail(path, $"expected a 32-bit integer, found {Raw(element)}");

        private long Long(JsonElement element, string path) =>
            element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var v)
                ? v
                : throw Fail(path, $"expected a 64-bit integer, found {Raw(element)}");

        private double Double(JsonElement element, string path) =>
            element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var v)
                ? v
                : throw Fail(path, $"expected a number, found {Raw(element)}");

        private static string Raw(JsonElement element) => JsonDocumentRules.Shorten(element.GetRawText(), 40);

        private FixtureFormatException Fail(string path, string message) => new(file, path, message);
    }
}
