using System.Collections.Immutable;
using System.Globalization;
using CogDdim.Numerics;
using CogDdim.Rng;
using CogDdim.Tensors;

namespace CogDdim.Backends;

/// <summary>How a draw fills its tensor: contiguous (torch's 16-wide path from 16 elements up) or strided (the serial path at any size).</summary>
public enum RandnLayout
{
    /// <summary>A contiguous tensor: <c>torch.randn(shape, …)</c>.</summary>
    Contiguous,

    /// <summary>A non-contiguous view (<c>empty(n, 2)[:, 0].normal_()</c>): the serial path at any size.</summary>
    Strided,
}

/// <summary>One draw of a <see cref="RandnCallSpec"/>.</summary>
/// <param name="Shape">The shape drawn.</param>
/// <param name="DType">float64, float32, float16 or bfloat16.</param>
/// <param name="Layout">Contiguous or strided.</param>
public sealed record RandnDrawSpec(ImmutableArray<int> Shape, DType DType, RandnLayout Layout)
{
    /// <summary><c>[shape] dtype</c>, with <c>strided</c> when it is.</summary>
    public override string ToString() =>
        $"[{string.Join(", ", Shape)}] {DType.Name()}{(Layout == RandnLayout.Strided ? " strided" : string.Empty)}";
}

/// <summary>
/// One <c>randn</c> call: a generator (a fresh one from <see cref="Seed"/>, or one set to <see cref="State"/>) and
/// draws from it in order, under one torch build's rules.
/// </summary>
/// <param name="Seed">The seed of <c>torch.Generator().manual_seed(seed)</c>, or null when <see cref="State"/> is given.</param>
/// <param name="State">The 5056 state bytes to start from (<c>set_state</c>), or null.</param>
/// <param name="Draws">The draws, in order, on that one generator.</param>
/// <param name="Semantics">The recording build's rules.</param>
/// <param name="Digest">Whether the backend may answer a tensor with its digest (sha256, first and last elements) instead of its bytes.</param>
public sealed record RandnCallSpec(ulong? Seed, ImmutableArray<byte>? State, ImmutableArray<RandnDrawSpec> Draws, RandnSemantics Semantics, bool Digest);

/// <summary>One drawn tensor: its bytes (<see cref="Tensor"/>) or, when a digest was allowed, its sha256 and edges.</summary>
/// <param name="DType">The dtype.</param>
/// <param name="Shape">The shape.</param>
/// <param name="Tensor">The whole tensor, or null for a digest.</param>
/// <param name="Sha256">A digest's lower-case hex sha256 of the raw little-endian bytes, or null.</param>
/// <param name="Head">A digest's first elements, or null.</param>
/// <param name="Tail">A digest's last elements, or null.</param>
public sealed record RandnOutput(DType DType, ImmutableArray<int> Shape, HostTensor? Tensor, string? Sha256, HostTensor? Head, HostTensor? Tail);

/// <summary>What a <c>randn</c> call returned: one output per draw and, where the backend keeps torch's state layout, the state bytes after each.</summary>
/// <param name="Outputs">One per draw, in order.</param>
/// <param name="States">The 5056 state bytes after each draw, or null when the backend does not offer them.</param>
public sealed record RandnReply(ImmutableArray<RandnOutput> Outputs, ImmutableArray<ImmutableArray<byte>>? States);

/// <summary>A backend with a torch-compatible CPU generator: the randn cases (<c>randn.cogddim-randn</c>) run through it.</summary>
public interface IRandnBackend
{
    /// <summary>Runs one <c>randn</c> call. Throws <see cref="Conformance.CaseSkippedException"/> for what the backend does not draw.</summary>
    RandnReply Randn(RandnCallSpec call);
}

/// <summary>The randn calls run by <see cref="TorchGenerator"/> (the in-process backends' generator): whole tensors and the state after each draw.</summary>
public static class ManagedRandn
{
    /// <summary>Runs <paramref name="call"/> on a <see cref="TorchGenerator"/>.</summary>
    public static RandnReply Run(RandnCallSpec call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var generator = call.State is { } state ? FromState(state) : new TorchGenerator(call.Seed ?? throw new ArgumentException("a randn call needs a seed or a state", nameof(call)));
        var outputs = ImmutableArray.CreateBuilder<RandnOutput>(call.Draws.Length);
        var states = ImmutableArray.CreateBuilder<ImmutableArray<byte>>(call.Draws.Length);
        foreach (var draw in call.Draws)
        {
            var tensor = Draw(generator, draw, call.Semantics);
            outputs.Add(new RandnOutput(draw.DType, draw.Shape, tensor, null, null, null));
            states.Add([.. generator.GetState()]);
        }

        return new RandnReply(outputs.MoveToImmutable(), states.MoveToImmutable());
    }

    private static TorchGenerator FromState(ImmutableArray<byte> state)
    {
        var generator = new TorchGenerator();
        generator.SetState(state.AsSpan());
        return generator;
    }

    private static HostTensor Draw(TorchGenerator generator, RandnDrawSpec draw, RandnSemantics semantics)
    {
        int[] shape = [.. draw.Shape];
        var n = checked((int)TorchGenerator.ElementCount(shape));
        return draw.DType switch
        {
            DType.Float64 => Fill<double>(generator, n, shape, draw.Layout, semantics),
            DType.Float32 => Fill<float>(generator, n, shape, draw.Layout, semantics),
            DType.Float16 => Fill<Half>(generator, n, shape, draw.Layout, semantics),
            DType.BFloat16 => Fill<BFloat16>(generator, n, shape, draw.Layout, semantics),
            _ => throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"randn of {draw.DType.Name()}: torch's normal_ takes float64, float32, float16 and bfloat16")),
        };
    }

    private static HostTensor Fill<T>(TorchGenerator generator, int n, int[] shape, RandnLayout layout, RandnSemantics semantics)
        where T : unmanaged
    {
        var values = new T[n];
        if (layout == RandnLayout.Strided)
        {
            generator.RandnSerial<T>(values, semantics);
        }
        else
        {
            generator.Randn<T>(values, semantics);
        }

        return HostTensor.Create(values, shape);
    }
}
