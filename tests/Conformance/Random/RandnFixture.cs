using System.Security.Cryptography;
using System.Text.Json;
using CogDdim.Rng;
using CogDdim.Tensors;

namespace CogDdim.Conformance.RngTests;

/// <summary>A recorded tensor of a cogddim-randn/1 file: full bytes, or (too big to store) sha256 + first/last elements.</summary>
public sealed record RandnTensor(DType DType, int[] Shape, byte[]? Data, string? Sha256, int Edge, byte[]? Head, byte[]? Tail)
{
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Null when <paramref name="actual"/> (raw little-endian bytes) is what was recorded, else what differs.</summary>
    public string? Mismatch(ReadOnlySpan<byte> actual)
    {
        var width = DType.Size();
        if (actual.Length != Count * width)
        {
            return $"{actual.Length} bytes, recorded {Count * width}";
        }

        if (Data is not null)
        {
            return FirstDifference(Data, actual, 0, width);
        }

        var edge = Edge * width;
        return FirstDifference(Head!, actual[..edge], 0, width)
            ?? FirstDifference(Tail!, actual[^edge..], Count - Edge, width)
            ?? (Convert.ToHexStringLower(SHA256.HashData(actual)) == Sha256 ? null : $"sha256 {Convert.ToHexStringLower(SHA256.HashData(actual))}, recorded {Sha256}");
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

        return differing == 0 ? null : $"{differing} of {expected.Length / width} elements differ, first at {offset + first}";
    }
}

public sealed record RandnDraw(ulong Seed, int[] Shape, DType DType, RandnTensor Output)
{
    public override string ToString() => $"seed {Seed} [{string.Join(", ", Shape)}] {DType.Name()}";
}

public sealed record RandnStrided(ulong Seed, int N, DType DType, RandnTensor Output, string StateSha256);

public sealed record RandnCall(int[] Shape, DType DType, RandnTensor Output, string StateSha256);

public sealed record RandnSequence(ulong Seed, IReadOnlyList<RandnCall> Calls, int CheckpointAfter, byte[] CheckpointState);

public sealed record RandnTensorCase(string Name, CogVideoXLatentOptions Options, IReadOnlyList<ulong> Seeds, bool SeedList, DType DType, int[] Shape, double InitNoiseSigma, RandnTensor Latents);

/// <summary>
/// One cogddim-randn/1 file (docs/fixture-format.md): a small reader of its own, apart from the scheduler suites'
/// FixtureReader. Files are named <c>randn.cogddim-randn</c> so that the *.json globs of the scheduler suites skip them.
/// </summary>
public sealed record RandnFixture(
    string Set,
    string Torch,
    RandnSemantics Semantics,
    IReadOnlyList<RandnDraw> Draws,
    IReadOnlyList<RandnStrided> Strided,
    IReadOnlyList<RandnSequence> Sequences,
    IReadOnlyList<RandnTensorCase> RandnTensor)
{
    public const string Format = "cogddim-randn/1";
    public const string FileName = "randn.cogddim-randn";

    public static string[] Sets { get; } = ["torch-2.6-cpu", "torch-1.13-cpu"];

    private static readonly Dictionary<string, RandnFixture> Cache = [];

    public static string PathOf(string set) => Path.Combine(TestFixtures.FixturesFolder, "diffusers-0.37.0", set, FileName);

    public static RandnFixture Load(string set)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(set, out var fixture))
            {
                fixture = Read(PathOf(set), set);
                Cache[set] = fixture;
            }

            return fixture;
        }
    }

    public static RandnFixture Read(string path, string set)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = doc.RootElement;
        var format = root.GetProperty("format").GetString();
        if (format != Format)
        {
            throw new InvalidDataException($"{path}: format {format}, expected {Format}");
        }

        var reference = root.GetProperty("reference");
        var draws = root.GetProperty("draws").EnumerateArray().Select(d => new RandnDraw(
            d.GetProperty("seed").GetUInt64(), Ints(d.GetProperty("shape")), DTypes.Parse(d.GetProperty("dtype").GetString()!), Tensor(d.GetProperty("output")))).ToList();
        var strided = root.GetProperty("strided").EnumerateArray().Select(d => new RandnStrided(
            d.GetProperty("seed").GetUInt64(), d.GetProperty("n").GetInt32(), DTypes.Parse(d.GetProperty("dtype").GetString()!), Tensor(d.GetProperty("output")),
            d.GetProperty("state_sha256").GetString()!)).ToList();
        var sequences = root.GetProperty("sequences").EnumerateArray().Select(s => new RandnSequence(
            s.GetProperty("seed").GetUInt64(),
            s.GetProperty("calls").EnumerateArray().Select(c => new RandnCall(
                Ints(c.GetProperty("shape")), DTypes.Parse(c.GetProperty("dtype").GetString()!), Tensor(c.GetProperty("output")), c.GetProperty("state_sha256").GetString()!)).ToList(),
            s.GetProperty("checkpoint_after").GetInt32(),
            Convert.FromBase64String(s.GetProperty("checkpoint_state").GetString()!))).ToList();
        var tensors = root.GetProperty("randn_tensor").EnumerateArray().Select(r =>
        {
            var p = r.GetProperty("prepare_latents");
            var seeds = r.GetProperty("seeds");
            var list = seeds.ValueKind == JsonValueKind.Array;
            return new RandnTensorCase(
                r.GetProperty("name").GetString()!,
                new CogVideoXLatentOptions
                {
                    BatchSize = p.GetProperty("batch_size").GetInt32(),
                    NumChannelsLatents = p.GetProperty("num_channels_latents").GetInt32(),
                    NumFrames = p.GetProperty("num_frames").GetInt32(),
                    Height = p.GetProperty("height").GetInt32(),
                    Width = p.GetProperty("width").GetInt32(),
                    VaeScaleFactorTemporal = p.GetProperty("vae_scale_factor_temporal").GetInt32(),
                    VaeScaleFactorSpatial = p.GetProperty("vae_scale_factor_spatial").GetInt32(),
                    PatchSizeT = p.GetProperty("patch_size_t").ValueKind == JsonValueKind.Null ? null : p.GetProperty("patch_size_t").GetInt32(),
                },
                list ? seeds.EnumerateArray().Select(s => s.GetUInt64()).ToList() : [seeds.GetUInt64()],
                list,
                DTypes.Parse(r.GetProperty("dtype").GetString()!),
                Ints(r.GetProperty("shape")),
                r.GetProperty("init_noise_sigma").GetDouble(),
                Tensor(r.GetProperty("latents")));
        }).ToList();
        return new RandnFixture(set, reference.GetProperty("torch").GetString()!, ParseSemantics(reference.GetProperty("semantics"), path), draws, strided, sequences, tensors);
    }

    /// <summary><c>reference.semantics</c> as the rules it names; throws on a rule the generator cannot emulate.</summary>
    private static RandnSemantics ParseSemantics(JsonElement s, string path)
    {
        RandnReducedKernel Reduced(string key) => s.GetProperty(key).GetString() switch
        {
            "reduced-steps" => RandnReducedKernel.ReducedSteps,
            "float-math" => RandnReducedKernel.FloatMath,
            var other => throw new InvalidDataException($"{path}: semantics.{key} = {other}"),
        };

        return new RandnSemantics
        {
            Name = "recorded",
            Float32 = s.GetProperty("float32").GetString() switch
            {
                "avx2-cephes" => RandnFloat32Kernel.Avx2Cephes,
                "libm" => RandnFloat32Kernel.Libm,
                var other => throw new InvalidDataException($"{path}: semantics.float32 = {other}"),
            },
            Float16 = Reduced("float16"),
            BFloat16 = Reduced("bfloat16"),
            SerialLog = s.GetProperty("serial_log").GetString() switch
            {
                "log1p" => RandnSerialLog.Log1p,
                "log-one-minus" => RandnSerialLog.LogOneMinus,
                var other => throw new InvalidDataException($"{path}: semantics.serial_log = {other}"),
            },
        };
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static RandnTensor Tensor(JsonElement t)
    {
        var dtype = DTypes.Parse(t.GetProperty("dtype").GetString()!);
        var shape = Ints(t.GetProperty("shape"));
        if (t.TryGetProperty("data", out var data))
        {
            var bytes = Convert.FromBase64String(data.GetString()!);
            var expected = shape.Aggregate(1L, (a, d) => a * d) * dtype.Size();
            if (bytes.Length != expected)
            {
                throw new InvalidDataException($"a {dtype.Name()} tensor of shape [{string.Join(", ", shape)}] has {expected} bytes, the data {bytes.Length}");
            }

            return new RandnTensor(dtype, shape, bytes, null, 0, null, null);
        }

        return new RandnTensor(dtype, shape, null, t.GetProperty("sha256").GetString(), t.GetProperty("edge").GetInt32(),
            Convert.FromBase64String(t.GetProperty("head").GetString()!), Convert.FromBase64String(t.GetProperty("tail").GetString()!));
    }
}
