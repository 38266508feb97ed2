using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CogDdim.Config;
using CogDdim.Rng;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Fixtures;

/// <summary>
/// A recorded tensor of a <c>cogddim-randn/1</c> file: the whole tensor (<see cref="Data"/>), or, for one too big to
/// store, a digest: the sha256 of all its raw bytes and its first and last <see cref="Edge"/> elements.
/// </summary>
/// <param name="DType">The dtype.</param>
/// <param name="Shape">The row-major shape.</param>
/// <param name="Data">The whole tensor, or null for a digest.</param>
/// <param name="Sha256">The digest's lower-case hex sha256 of the raw little-endian bytes, or null.</param>
/// <param name="Edge">How many elements <see cref="Head"/> and <see cref="Tail"/> hold (0 for a whole tensor).</param>
/// <param name="Head">The first <see cref="Edge"/> elements (1-dimensional), or null.</param>
/// <param name="Tail">The last <see cref="Edge"/> elements (1-dimensional), or null.</param>
public sealed record RandnTensor(DType DType, ImmutableArray<int> Shape, HostTensor? Data, string? Sha256, int Edge, HostTensor? Head, HostTensor? Tail)
{
    /// <summary>The element count of <see cref="Shape"/>.</summary>
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Whether only a digest is recorded.</summary>
    public bool IsDigest => Data is null;

    /// <summary>Null when <paramref name="actual"/> (raw little-endian bytes) is what was recorded, else what differs.</summary>
    /// <param name="actual">The raw bytes of a whole tensor of this dtype and shape.</param>
    public string? Mismatch(ReadOnlySpan<byte> actual)
    {
        var width = DType.Size();
        if (actual.Length != Count * width)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{actual.Length} bytes, recorded {Count * width}");
        }

        if (Data is not null)
        {
            return FirstDifference(Data.ToBytes(), actual, 0, width);
        }

        var edge = Edge * width;
        var sha = Convert.ToHexStringLower(SHA256.HashData(actual));
        return FirstDifference(Head!.ToBytes(), actual[..edge], 0, width)
            ?? FirstDifference(Tail!.ToBytes(), actual[^edge..], Count - Edge, width)
            ?? (sha == Sha256 ? null : $"sha256 {sha}, recorded {Sha256}");
    }

    private static string? FirstDifference(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, long offset, int width)
    {
        var differing = 0;
        var first = -1;
        for (var i = 0; i < expected.Length / width; i++)
        {
            if (!expected.Slice(i * width, width).SequenceEqual(actual.Slice(i * width, width)))
            {
                differing++;
                first = first < 0 ? i : first;
            }
        }

        return differing == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{differing} of {expected.Length / width} elements differ, first at {offset + first}");
    }
}

/// <summary>A <c>draws</c> entry: <c>torch.randn(shape, generator=Generator().manual_seed(seed), dtype=dtype)</c>.</summary>
public sealed record RandnDraw(ulong Seed, ImmutableArray<int> Shape, DType DType, RandnTensor Output)
{
    /// <summary><c>seed S [shape] dtype</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"seed {Seed} [{string.Join(", ", Shape)}] {DType.Name()}");
}

/// <summary>A <c>strided</c> entry: <c>normal_()</c> into the non-contiguous view <c>empty(n, 2)[:, 0]</c>: the serial path.</summary>
public sealed record RandnStrided(ulong Seed, string View, int N, DType DType, RandnTensor Output, string StateSha256);

/// <summary>One call of a sequence: its draw and the sha256 of <c>g.get_state()</c> after it.</summary>
public sealed record RandnCall(ImmutableArray<int> Shape, DType DType, RandnTensor Output, string StateSha256);

/// <summary>A <c>sequences</c> entry: successive draws from one generator, with the whole state bytes after <see cref="CheckpointAfter"/> calls.</summary>
public sealed record RandnSequence(ulong Seed, ImmutableArray<RandnCall> Calls, int CheckpointAfter, ImmutableArray<byte> CheckpointState);

/// <summary>A <c>randn_tensor</c> entry: diffusers' <c>randn_tensor</c> at the shape <c>prepare_latents</c> computes, times <c>init_noise_sigma</c>.</summary>
public sealed record RandnTensorCase(string Name, CogVideoXLatentOptions Options, ImmutableArray<ulong> Seeds, bool SeedList, DType DType, ImmutableArray<int> Shape, double InitNoiseSigma, RandnTensor Latents);

/// <summary>
/// One <c>cogddim-randn/1</c> file (docs/fixture-format.md): torch's CPU generator, recorded. Named
/// <c>randn.cogddim-randn</c>, not <c>*.json</c>, so that the scheduler suites' globs skip it; <see cref="FindFiles"/>
/// finds it. <see cref="ToSuite"/> makes it a suite the runner and the reports take beside the scheduler ones.
/// </summary>
public sealed record RandnFixture
{
    /// <summary>The <c>format</c> value.</summary>
    public const string Format = "cogddim-randn/1";

    /// <summary>The file name of a set's randn file.</summary>
    public const string FileName = "randn.cogddim-randn";

    /// <summary>The name the file's suite has in reports (<c>SET/randn</c>).</summary>
    public const string SuiteName = "randn";

    /// <summary>The file it was read from.</summary>
    public required string Source { get; init; }

    /// <summary>The torch version that recorded it (<c>reference.torch</c>).</summary>
    public required string Torch { get; init; }

    /// <summary><c>reference.numpy</c>, <c>reference.python</c>, <c>reference.device</c>, in that order.</summary>
    public required (string Numpy, string Python, string Device) Environment { get; init; }

    /// <summary><c>reference.semantics</c>: the recording build's randn rules.</summary>
    public required RandnSemantics Semantics { get; init; }

    /// <summary>The <c>draws</c>.</summary>
    public ImmutableArray<RandnDraw> Draws { get; init; } = [];

    /// <summary>The <c>strided</c> draws.</summary>
    public ImmutableArray<RandnStrided> Strided { get; init; } = [];

    /// <summary>The <c>sequences</c>.</summary>
    public ImmutableArray<RandnSequence> Sequences { get; init; } = [];

    /// <summary>The <c>randn_tensor</c> cases.</summary>
    public ImmutableArray<RandnTensorCase> RandnTensor { get; init; } = [];

    /// <summary>The fixture set: the folder that holds the file (e.g. <c>torch-2.6-cpu</c>).</summary>
    public string SetName => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(Source))) ?? string.Empty;

    /// <summary>
    /// The file as a suite for <see cref="Conformance.ConformanceRunner"/> and the reports: named
    /// <see cref="SuiteName"/>, with no scheduler cases, <see cref="FixtureSuite.Randn"/> set, and the semantics
    /// profile whose randn rules are the file's (a named one where they match).
    /// </summary>
    public FixtureSuite ToSuite()
    {
        var profile = SemanticsProfile.Named.FirstOrDefault(p => p.Randn with { Name = Semantics.Name } == Semantics)
            ?? SemanticsProfile.Torch2Cpu with { Name = "recorded", Randn = Semantics };
        return new FixtureSuite
        {
            Name = SuiteName,
            Description = $"torch.randn with torch.Generator().manual_seed(seed) on the CPU, torch {Torch}",
            Reference = new FixtureReference("torch", Torch, "torch.Generator", Torch, Environment.Numpy, Environment.Python, Environment.Device, profile),
            Config = new SchedulerConfig(),
            Source = Source,
            Randn = this,
        };
    }

    /// <summary>Every <see cref="FileName"/> under a folder (recursively), or the file itself when it is one, in ordinal path order.</summary>
    /// <param name="path">A folder, or a file (only a <c>*.cogddim-randn</c> file is returned).</param>
    public static IReadOnlyList<string> FindFiles(string path)
    {
        if (File.Exists(path))
        {
            return path.EndsWith(".cogddim-randn", StringComparison.Ordinal) ? [path] : [];
        }

        return Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.cogddim-randn", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : throw new FileNotFoundException($"{path}: no such file or folder", path);
    }

    /// <summary>Reads and checks one randn file.</summary>
    /// <exception cref="FixtureFormatException">The file cannot be read, is not JSON, or breaks the format (naming the line, column and JSON path).</exception>
    public static RandnFixture ReadFile(string path)
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

    /// <summary>Reads and checks a randn file's bytes under the readers' rules (<c>JsonDocumentRules</c>).</summary>
    public static RandnFixture Read(ReadOnlyMemory<byte> utf8Json, string file)
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
                return new Reader(file).File(document.RootElement);
            }
            catch (FixtureFormatException e) when (e.Line is null && JsonDocumentRules.Locate(utf8Json, e.JsonPath) is { } position)
            {
                throw new FixtureFormatException(file, e.JsonPath, e.Detail, position.Line, position.Column, e);
            }
        }
    }

    /// <summary>The <c>randn_semantics</c> names of <paramref name="semantics"/>: float16, bfloat16, float32, serial_log.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> SemanticsNames(RandnSemantics semantics)
    {
        ArgumentNullException.ThrowIfNull(semantics);
        static string Reduced(RandnReducedKernel k) => k == RandnReducedKernel.ReducedSteps ? "reduced-steps" : "float-math";
        return
        [
            new("float16", Reduced(semantics.Float16)),
            new("bfloat16", Reduced(semantics.BFloat16)),
            new("float32", semantics.Float32 == RandnFloat32Kernel.Avx2Cephes ? "avx2-cephes" : "libm"),
            new("serial_log", semantics.SerialLog == RandnSerialLog.Log1p ? "log1p" : "log-one-minus"),
        ];
    }

    private sealed class Reader(string file)
    {
        public RandnFixture File(JsonElement root)
        {
            Expect(root, "$", JsonValueKind.Object);
            var format = String(Required(root, "$", "format"), "$.format");
            if (format != Format)
            {
                throw Fail("$.format", $"\"{JsonDocumentRules.Shorten(format)}\" is not a format this reader knows; expected \"{Format}\"");
            }

            var reference = Required(root, "$", "reference");
            Expect(reference, "$.reference", JsonValueKind.Object);
            string Text(string key) => Optional(reference, key) is { } v ? String(v, "$.reference." + key) : string.Empty;
            return new RandnFixture
            {
                Source = file,
                Torch = String(Required(reference, "$.reference", "torch"), "$.reference.torch"),
                Environment = (Text("numpy"), Text("python"), Text("device")),
                Semantics = Semantics(Required(reference, "$.reference", "semantics"), "$.reference.semantics"),
                Draws = List(root, "draws", (e, p) => new RandnDraw(Seed(e, p), Shape(Required(e, p, "shape"), p + ".shape"),
                    DTypeOf(Required(e, p, "dtype"), p + ".dtype"), Tensor(Required(e, p, "output"), p + ".output"))),
                Strided = List(root, "strided", (e, p) => new RandnStrided(Seed(e, p), String(Required(e, p, "view"), p + ".view"),
                    NonNegative(Required(e, p, "n"), p + ".n"), DTypeOf(Required(e, p, "dtype"), p + ".dtype"), Tensor(Required(e, p, "output"), p + ".output"),
                    Sha(Required(e, p, "state_sha256"), p + ".state_sha256"))),
                Sequences = List(root, "sequences", Sequence),
                RandnTensor = List(root, "randn_tensor", TensorCase),
            };
        }

        private RandnSequence Sequence(JsonElement e, string p)
        {
            var calls = Items(Required(e, p, "calls"), p + ".calls", (c, cp) => new RandnCall(Shape(Required(c, cp, "shape"), cp + ".shape"),
                DTypeOf(Required(c, cp, "dtype"), cp + ".dtype"), Tensor(Required(c, cp, "output"), cp + ".output"), Sha(Required(c, cp, "state_sha256"), cp + ".state_sha256")));
            var after = NonNegative(Required(e, p, "checkpoint_after"), p + ".checkpoint_after");
            if (after < 1 || after > calls.Length)
            {
                throw Fail(p + ".checkpoint_after", string.Create(CultureInfo.InvariantCulture, $"{after} is not a call count in 1..{calls.Length}"));
            }

            var state = Base64(Required(e, p, "checkpoint_state"), p + ".checkpoint_state");
            if (state.Length != TorchGenerator.StateSize)
            {
                throw Fail(p + ".checkpoint_state", string.Create(CultureInfo.InvariantCulture, $"{state.Length} bytes; a generator state has {TorchGenerator.StateSize}"));
            }

            return new RandnSequence(Seed(e, p), calls, after, [.. state]);
        }

        private RandnTensorCase TensorCase(JsonElement e, string p)
        {
            var pl = Required(e, p, "prepare_latents");
            var pp = p + ".prepare_latents";
            Expect(pl, pp, JsonValueKind.Object);
            int Arg(string key) => NonNegative(Required(pl, pp, key), $"{pp}.{key}");
            var options = new CogVideoXLatentOptions
            {
                BatchSize = Arg("batch_size"),
                NumChannelsLatents = Arg("num_channels_latents"),
                NumFrames = Arg("num_frames"),
                Height = Arg("height"),
                Width = Arg("width"),
                VaeScaleFactorTemporal = Arg("vae_scale_factor_temporal"),
                VaeScaleFactorSpatial = Arg("vae_scale_factor_spatial"),
                PatchSizeT = Optional(pl, "patch_size_t") is { } patch ? NonNegative(patch, pp + ".patch_size_t") : null,
            };
            var seeds = Required(e, p, "seeds");
            var list = seeds.ValueKind == JsonValueKind.Array;
            var seedValues = list ? Items(seeds, p + ".seeds", (s, sp) => UInt64(s, sp)) : [UInt64(seeds, p + ".seeds")];
            if (seedValues.Length == 0)
            {
                throw Fail(p + ".seeds", "an empty list of generators");
            }

            var sigma = Required(e, p, "init_noise_sigma");
            return new RandnTensorCase(String(Required(e, p, "name"), p + ".name"), options, seedValues, list,
                DTypeOf(Required(e, p, "dtype"), p + ".dtype"), Shape(Required(e, p, "shape"), p + ".shape"),
                sigma.ValueKind == JsonValueKind.Number ? sigma.GetDouble() : throw Fail(p + ".init_noise_sigma", "expected a number"),
                Tensor(Required(e, p, "latents"), p + ".latents"));
        }

        private RandnSemantics Semantics(JsonElement s, string path)
        {
            Expect(s, path, JsonValueKind.Object);
            string Name(string key) => String(Required(s, path, key), $"{path}.{key}");
            RandnReducedKernel Reduced(string key) => Name(key) switch
            {
                "reduced-steps" => RandnReducedKernel.ReducedSteps,
                "float-math" => RandnReducedKernel.FloatMath,
                var other => throw Fail($"{path}.{key}", $"\"{JsonDocumentRules.Shorten(other)}\" is not a rule this reader knows (reduced-steps, float-math)"),
            };

            return new RandnSemantics
            {
                Name = "recorded",
                Float32 = Name("float32") switch
                {
                    "avx2-cephes" => RandnFloat32Kernel.Avx2Cephes,
                    "libm" => RandnFloat32Kernel.Libm,
                    var other => throw Fail(path + ".float32", $"\"{JsonDocumentRules.Shorten(other)}\" is not a rule this reader knows (avx2-cephes, libm)"),
                },
                Float16 = Reduced("float16"),
                BFloat16 = Reduced("bfloat16"),
                SerialLog = Name("serial_log") switch
                {
                    "log1p" => RandnSerialLog.Log1p,
                    "log-one-minus" => RandnSerialLog.LogOneMinus,
                    var other => throw Fail(path + ".serial_log", $"\"{JsonDocumentRules.Shorten(other)}\" is not a rule this reader knows (log1p, log-one-minus)"),
                },
            };
        }

        private RandnTensor Tensor(JsonElement t, string path)
        {
            Expect(t, path, JsonValueKind.Object);
            var dtype = DTypeOf(Required(t, path, "dtype"), path + ".dtype");
            if (!dtype.IsFloatingPoint())
            {
                throw Fail(path + ".dtype", $"{dtype.Name()}: randn draws float64, float32, float16 or bfloat16");
            }

            var shape = Shape(Required(t, path, "shape"), path + ".shape");
            var count = shape.Aggregate(1L, (a, d) => a * d);
            if (Optional(t, "data") is { } data)
            {
                var bytes = Base64(data, path + ".data");
                if (bytes.Length != count * dtype.Size())
                {
                    throw Fail(path + ".data", string.Create(CultureInfo.InvariantCulture,
                        $"{bytes.Length} bytes, but shape [{string.Join(", ", shape)}] of {dtype.Name()} needs {count * dtype.Size()}"));
                }

                return new RandnTensor(dtype, shape, HostTensor.FromBytes(dtype, [.. shape], bytes), null, 0, null, null);
            }

            var edge = NonNegative(Required(t, path, "edge"), path + ".edge");
            if (edge == 0 || edge > count)
            {
                throw Fail(path + ".edge", string.Create(CultureInfo.InvariantCulture, $"{edge} is not in 1..{count} (the tensor's elements)"));
            }

            HostTensor Edge(string key)
            {
                var bytes = Base64(Required(t, path, key), $"{path}.{key}");
                return bytes.Length == edge * dtype.Size()
                    ? HostTensor.FromBytes(dtype, [edge], bytes)
                    : throw Fail($"{path}.{key}", string.Create(CultureInfo.InvariantCulture, $"{bytes.Length} bytes, but {edge} elements of {dtype.Name()} need {edge * dtype.Size()}"));
            }

            return new RandnTensor(dtype, shape, null, Sha(Required(t, path, "sha256"), path + ".sha256"), edge, Edge("head"), Edge("tail"));
        }

        private ulong Seed(JsonElement e, string p) => UInt64(Required(e, p, "seed"), p + ".seed");

        private ulong UInt64(JsonElement e, string path) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out var v) ? v : throw Fail(path, $"expected an unsigned 64-bit integer, found {Raw(e)}");

        private int NonNegative(JsonElement e, string path) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) && v >= 0 ? v : throw Fail(path, $"expected a non-negative 32-bit integer, found {Raw(e)}");

        private ImmutableArray<int> Shape(JsonElement e, string path)
        {
            Expect(e, path, JsonValueKind.Array);
            var shape = Items(e, path, NonNegative);
            try
            {
                HostTensor.ElementCount([.. shape]);
            }
            catch (ArgumentException x)
            {
                throw Fail(path, x.Message);
            }

            return shape;
        }

        private string Sha(JsonElement e, string path)
        {
            var text = String(e, path);
            return text.Length == 64 && text.All(char.IsAsciiHexDigitLower) ? text : throw Fail(path, $"\"{JsonDocumentRules.Shorten(text)}\" is not 64 lower-case hex digits");
        }

        private byte[] Base64(JsonElement e, string path)
        {
            try
            {
                return Convert.FromBase64String(String(e, path));
            }
            catch (FormatException x)
            {
                throw Fail(path, $"not valid base64: {x.Message}");
            }
        }

        private DType DTypeOf(JsonElement e, string path)
        {
            var name = String(e, path);
            return DTypes.TryParse(name, out var dtype) ? dtype : throw Fail(path, $"unknown dtype \"{JsonDocumentRules.Shorten(name)}\"");
        }

        private ImmutableArray<T> List<T>(JsonElement root, string key, Func<JsonElement, string, T> read) =>
            Optional(root, key) is { } list ? Items(list, "$." + key, (item, path) =>
            {
                Expect(item, path, JsonValueKind.Object);
                return read(item, path);
            }) : [];

        private ImmutableArray<T> Items<T>(JsonElement array, string path, Func<JsonElement, string, T> read)
        {
            Expect(array, path, JsonValueKind.Array);
            var builder = ImmutableArray.CreateBuilder<T>(array.GetArrayLength());
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                builder.Add(read(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]")));
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
                throw Fail(path, $"expected {kind.ToString().ToLowerInvariant()}, found {Raw(element)}");
            }
        }

        private string String(JsonElement element, string path)
        {
            Expect(element, path, JsonValueKind.String);
            return element.GetString()!;
        }

        private static string Raw(JsonElement element) => JsonDocumentRules.Shorten(element.GetRawText(), 40);

        private FixtureFormatException Fail(string path, string message) => new(file, path, message);
    }
}
