using CogDdim.Rng;
using TorchSharp;

namespace CogDdim.Torch;

/// <summary>
/// The torch side of <see cref="TorchGenerator"/>: libtorch's own CPU generator (<c>torch.Generator</c>) and
/// <c>torch.randn</c>, and the two generators' states passed across (both use torch's 5056-byte layout).
/// </summary>
public static class TorchRandn
{
    /// <summary>A CPU <c>torch.Generator</c> with this generator's exact state (stream position and cached normal sample).</summary>
    public static torch.Generator ToTorch(this TorchGenerator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var result = new torch.Generator(0, torch.CPU);
        using var state = torch.tensor(generator.GetState(), torch.ScalarType.Byte);
        result.set_state(state);
        return result;
    }

    /// <summary>A <see cref="TorchGenerator"/> in a CPU <c>torch.Generator</c>'s state.</summary>
    public static TorchGenerator ToRng(this torch.Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        using var state = generator.get_state();
        var result = new TorchGenerator();
        result.SetState(state.bytes);
        return result;
    }

    /// <summary><c>torch.randn(shape, generator=g, dtype=dtype)</c> on the CPU.</summary>
    public static torch.Tensor Randn(torch.Generator generator, ReadOnlySpan<long> shape, torch.ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return torch.randn(shape.ToArray(), dtype, torch.CPU, requires_grad: false, generator: generator);
    }

    /// <summary>
    /// diffusers' <c>randn_tensor(shape, generator=…, dtype=…)</c> with CPU generators, then moved to
    /// <paramref name="device"/>: one generator draws the whole tensor; a list (of more than one) draws a
    /// <c>(1, …)</c> slice per batch item and concatenates them.
    /// </summary>
    public static torch.Tensor RandnTensor(ReadOnlySpan<long> shape, IReadOnlyList<torch.Generator> generators, torch.ScalarType dtype, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generators);
        if (generators.Count == 0)
        {
            throw new ArgumentException("randn_tensor needs a generator", nameof(generators));
        }

        using var scope = torch.NewDisposeScope();
        torch.Tensor latents;
        if (generators.Count == 1)
        {
            latents = Randn(generators[0], shape, dtype);
        }
        else
        {
            var one = shape.ToArray();
            one[0] = 1;
            var parts = new torch.Tensor[shape[0]];
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] = Randn(generators[i], one, dtype);
            }

            latents = torch.cat(parts, 0);
        }

        return latents.to(device ?? torch.CPU).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>CogVideoXPipeline.prepare_latents</c> with torch: <c>randn_tensor(shape, generator, dtype) * init_noise_sigma</c>.
    /// </summary>
    public static torch.Tensor PrepareLatents(CogVideoXLatentOptions options, IReadOnlyList<torch.Generator> generators, torch.ScalarType dtype, double initNoiseSigma = 1.0, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(generators);
        var shape = options.Shape();
        if (generators.Count != 1 && generators.Count != shape[0])
        {
            throw new ArgumentException(
                $"You have passed a list of generators of length {generators.Count}, but requested an effective batch size of {shape[0]}. Make sure the batch size matches the length of the generators.",
                nameof(generators));
        }

        using var scope = torch.NewDisposeScope();
        var longShape = shape.Select(d => (long)d).ToArray();
        var latents = RandnTensor(longShape, generators, dtype, device);
        return (latents * initNoiseSigma).MoveToOuterDisposeScope();
    }
}
