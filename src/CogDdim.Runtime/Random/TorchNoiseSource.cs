using System.Numerics;

namespace CogDdim.Rng;

/// <summary>
/// A <see cref="TorchGenerator"/> as a stochastic step's <see cref="INoiseSource"/>: each call is diffusers'
/// <c>randn_tensor(sample.shape, generator=generator, dtype=sample.dtype)</c> on the CPU, drawn under one torch
/// build's rules, so a DPM loop seeded like diffusers' (<c>torch.Generator().manual_seed(s)</c>, the starting latents
/// first) gets diffusers' noise without libtorch.
/// </summary>
public sealed class TorchNoiseSource : INoiseSource
{
    /// <summary>Draws from <paramref name="generator"/> under <paramref name="semantics"/> (default: torch 2.x).</summary>
    public TorchNoiseSource(TorchGenerator generator, RandnSemantics? semantics = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        Generator = generator;
        Semantics = semantics ?? RandnSemantics.Torch2Cpu;
    }

    /// <summary>The generator every draw advances (share it with <c>prepare_latents</c>, as the pipeline does).</summary>
    public TorchGenerator Generator { get; }

    /// <summary>The torch build's sampling rules (<see cref="Semantics.SemanticsProfile.Randn"/>).</summary>
    public RandnSemantics Semantics { get; }

    /// <inheritdoc/>
    public void FillStandardNormal<T>(Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Generator.Randn(destination, Semantics);
}
