using System.Numerics;

namespace CogDdim;

/// <summary>
/// Where a stochastic step's noise comes from: diffusers' <c>randn_tensor(sample.shape, generator=generator,
/// dtype=sample.dtype)</c>. Each call is one draw and advances the source, as each <c>randn_tensor</c> call
/// advances a <c>torch.Generator</c>. A torch-compatible generator (mt19937 + torch's normal sampling) implements it
/// to reproduce diffusers' noise from a seed; <see cref="RecordedNoise"/> replays recorded draws.
/// </summary>
/// <remarks>
/// The destination is the flat, contiguous tensor: with torch's CPU generator the values depend on the element
/// count and the dtype only, not on the shape. Element types: double, float, <see cref="Half"/>,
/// <see cref="Numerics.BFloat16"/>.
/// </remarks>
public interface INoiseSource
{
    /// <summary>Fills <paramref name="destination"/> with one draw of standard normal values of type <typeparamref name="T"/>.</summary>
    void FillStandardNormal<T>(Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Replays draws recorded elsewhere (a fixture's <c>noise</c> list), in order; each must have the requested type and length.</summary>
public sealed class RecordedNoise : INoiseSource
{
    private readonly IReadOnlyList<Array> _draws;

    /// <summary>The draws, in the order the steps will ask for them (arrays of the sample's element type).</summary>
    public RecordedNoise(IReadOnlyList<Array> draws)
    {
        ArgumentNullException.ThrowIfNull(draws);
        _draws = draws;
    }

    /// <summary>How many draws were taken so far.</summary>
    public int Drawn { get; private set; }

    /// <inheritdoc/>
    public void FillStandardNormal<T>(Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Drawn >= _draws.Count)
        {
            throw new InvalidOperationException($"draw {Drawn} was asked for but only {_draws.Count} were recorded");
        }

        if (_draws[Drawn] is not T[] draw || draw.Length != destination.Length)
        {
            throw new ArgumentException($"recorded draw {Drawn} is not a {typeof(T).Name}[{destination.Length}]");
        }

        draw.AsSpan().CopyTo(destination);
        Drawn++;
    }
}
