using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CogDdim.Backends;
using CogDdim.Conformance;
using CogDdim.Fixtures;
using CogDdim.Rng;
using CogDdim.Tensors;

namespace CogDdim.Harness;

/// <summary>
/// The <c>randn</c> extension of <c>cogddim-candidate/1</c> (docs/candidate-protocol.md, "Seeded draws"): additive, a
/// port that does not list <c>randn</c> in its hello has the randn cases skipped. A port that also lists
/// <c>randn_state</c> returns the generator's 5056 state bytes after each draw, which the harness checks.
/// </summary>
public static class CandidateRandnProtocol
{
    /// <summary>Draws from <c>torch.Generator().manual_seed(seed)</c> (or a given state) as torch's CPU generator does.</summary>
    public const string Randn = "randn";

    /// <summary>Not a call: listed in the hello <c>calls</c>, it says the port returns torch's state bytes after each draw.</summary>
    public const string RandnState = "randn_state";

    /// <summary>
    /// <c>{"id", "call": "randn", "randn_semantics": {float16, bfloat16, float32, serial_log}, "args": {"seed", "state",
    /// "draws": [{"shape", "dtype", "layout"}], "digest"}}</c>.
    /// </summary>
    /// <param name="id">The request id.</param>
    /// <param name="call">The call.</param>
    public static string Request(long id, RandnCallSpec call)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteString("call", Randn);
            w.WriteStartObject("randn_semantics");
            foreach (var (key, value) in RandnFixture.SemanticsNames(call.Semantics))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteStartObject("args");
            if (call.Seed is { } seed)
            {
                w.WriteNumber("seed", seed);
            }
            else
            {
                w.WriteNull("seed");
            }

            if (call.State is { } state)
            {
                w.WriteBase64String("state", state.AsSpan());
            }
            else
            {
                w.WriteNull("state");
            }

            w.WriteStartArray("draws");
            foreach (var draw in call.Draws)
            {
                w.WriteStartObject();
                w.WriteStartArray("shape");
                foreach (var d in draw.Shape)
                {
                    w.WriteNumberValue(d);
                }

                w.WriteEndArray();
                w.WriteString("dtype", draw.DType.Name());
                w.WriteString("layout", draw.Layout == RandnLayout.Strided ? "strided" : "contiguous");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("digest", call.Digest);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Reads a <c>randn</c> result: <c>outputs</c> (one tensor, or with <c>digest</c> a <c>{dtype, shape, sha256,
    /// edge, head, tail}</c> digest, per draw) and, when <paramref name="withStates"/>, <c>states</c> (base64 of the
    /// 5056 state bytes after each draw). A malformed value is a <see cref="FormatException"/> naming it.
    /// </summary>
    public static RandnReply ReadResult(JsonElement result, RandnCallSpec call, bool withStates)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (!result.TryGetProperty("outputs", out var outputs) || outputs.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("result.outputs is missing or not a list");
        }

        if (outputs.GetArrayLength() != call.Draws.Length)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"result.outputs has {outputs.GetArrayLength()} entries for {call.Draws.Length} draws"));
        }

        var list = ImmutableArray.CreateBuilder<RandnOutput>(call.Draws.Length);
        var i = 0;
        foreach (var o in outputs.EnumerateArray())
        {
            list.Add(Output(o, string.Create(CultureInfo.InvariantCulture, $"result.outputs[{i++}]"), call.Digest));
        }

        ImmutableArray<ImmutableArray<byte>>? states = null;
        if (withStates)
        {
            if (!result.TryGetProperty("states", out var s) || s.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"result.states is missing or not a list (the port lists {RandnState} in its hello)");
            }

            if (s.GetArrayLength() != call.Draws.Length)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"result.states has {s.GetArrayLength()} entries for {call.Draws.Length} draws"));
            }

            var builder = ImmutableArray.CreateBuilder<ImmutableArray<byte>>(call.Draws.Length);
            var k = 0;
            foreach (var state in s.EnumerateArray())
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"result.states[{k++}]");
                if (state.ValueKind != JsonValueKind.String || !state.TryGetBytesFromBase64(out var bytes))
                {
                    throw new FormatException($"{path} is not a base64 string");
                }

                builder.Add(bytes.Length == TorchGenerator.StateSize
                    ? [.. bytes]
                    : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{path} has {bytes.Length} bytes; torch's generator state has {TorchGenerator.StateSize}")));
            }

            states = builder.MoveToImmutable();
        }

        return new RandnReply(list.MoveToImmutable(), states);
    }

    private static RandnOutput Output(JsonElement o, string path, bool digestAllowed)
    {
        if (o.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path} is not a tensor object");
        }

        if (!o.TryGetProperty("dtype", out var d) || d.ValueKind != JsonValueKind.String || !DTypes.TryParse(d.GetString(), out var dtype) || !dtype.IsFloatingPoint())
        {
            throw new FormatException($"{path}.dtype is missing or not one of float64, float32, float16, bfloat16");
        }

        if (!o.TryGetProperty("shape", out var s) || s.ValueKind != JsonValueKind.Array
            || s.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var n) || n < 0))
        {
            throw new FormatException($"{path}.shape is missing or not a list of non-negative integers");
        }

        ImmutableArray<int> shape = [.. s.EnumerateArray().Select(e => e.GetInt32())];
        long count;
        try
        {
            count = HostTensor.ElementCount([.. shape]);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{path}.shape: {e.Message}");
        }

        if (o.TryGetProperty("data", out var data))
        {
            if (data.ValueKind != JsonValueKind.String || !data.TryGetBytesFromBase64(out var bytes))
            {
                throw new FormatException($"{path}.data is not base64");
            }

            if (bytes.Length != count * dtype.Size())
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{path}.data has {bytes.Length} bytes, but shape [{string.Join(", ", shape)}] of {dtype.Name()} needs {count * dtype.Size()}"));
            }

            return new RandnOutput(dtype, shape, HostTensor.FromBytes(dtype, [.. shape], bytes), null, null, null);
        }

        if (!o.TryGetProperty("sha256", out var sha))
        {
            throw new FormatException($"{path} has neither data nor sha256");
        }

        if (!digestAllowed)
        {
            throw new FormatException($"{path} is a digest, but the request asked for the data (digest: false)");
        }

        if (sha.ValueKind != JsonValueKind.String || sha.GetString() is not { Length: 64 } hex || !hex.All(char.IsAsciiHexDigitLower))
        {
            throw new FormatException($"{path}.sha256 is not 64 lower-case hex digits");
        }

        HostTensor? Edge(string key)
        {
            if (!o.TryGetProperty(key, out var e) || e.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (e.ValueKind != JsonValueKind.String || !e.TryGetBytesFromBase64(out var bytes) || bytes.Length % dtype.Size() != 0 || bytes.Length / dtype.Size() > count)
            {
                throw new FormatException($"{path}.{key} is not base64 of at most {count} {dtype.Name()} elements");
            }

            return HostTensor.FromBytes(dtype, [bytes.Length / dtype.Size()], bytes);
        }

        return new RandnOutput(dtype, shape, null, hex, Edge("head"), Edge("tail"));
    }
}
