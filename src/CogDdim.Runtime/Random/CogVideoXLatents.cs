using System.Collections.Immutable;
using CogDdim.Numerics;
using CogDdim.Semantics;

namespace CogDdim.Rng;

/// <summary>
/// The arguments of diffusers' <c>CogVideoXPipeline.prepare_latents</c> that fix the latent shape. Defaults: what the
/// CogVideoX-5b pipeline passes for its default 49 frames at 480 × 720 (latents [1, 13, 16, 60, 90]).
/// </summary>
public sealed record CogVideoXLatentOptions
{
    /// <summary><c>batch_size * num_videos_per_prompt</c>.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary><c>transformer.config.in_channels</c> (16 for CogVideoX text-to-video).</summary>
    public int NumChannelsLatents { get; init; } = 16;

    /// <summary>Video frames (the pipeline's <c>num_frames</c>, 49 for CogVideoX, 81 for CogVideoX 1.5).</summary>
    public int NumFrames { get; init; } = 49;

    /// <summary>Pixels.</summary>
    public int Height { get; init; } = 480;

    /// <summary>Pixels.</summary>
    public int Width { get; init; } = 720;

    /// <summary><c>vae_scale_factor_temporal</c>: video frames per latent frame (<c>vae.config.temporal_compression_ratio</c>, 4).</summary>
    public int VaeScaleFactorTemporal { get; init; } = 4;

    /// <summary><c>vae_scale_factor_spatial</c>: pixels per latent row and column (<c>2 ** (len(vae.config.block_out_channels) - 1)</c>, 8).</summary>
    public int VaeScaleFactorSpatial { get; init; } = 8;

    /// <summary><c>transformer.config.patch_size_t</c>: null for CogVideoX, 2 for CogVideoX 1.5 (pads the latent frames to a multiple).</summary>
    public int? PatchSizeT { get; init; }

    /// <summary>
    /// The shape <c>prepare_latents</c> draws: <c>[batch, (frames - 1) // t + 1, channels, height // s, width // s]</c>
    /// (Python floor division), latent frames padded by <c>frames % patch_size_t</c> when a temporal patch size is set.
    /// </summary>
    public ImmutableArray<int> Shape()
    {
        if (VaeScaleFactorTemporal == 0 || VaeScaleFactorSpatial == 0 || PatchSizeT == 0)
        {
            throw new DivideByZeroException("integer division or modulo by zero");
        }

        var frames = FloorDiv(NumFrames - 1, VaeScaleFactorTemporal) + 1;
        if (PatchSizeT is { } p)
        {
            frames += FloorMod(frames, p);
        }

        return [BatchSize, frames, NumChannelsLatents, FloorDiv(Height, VaeScaleFactorSpatial), FloorDiv(Width, VaeScaleFactorSpatial)];
    }

    private static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);

    private static int FloorMod(int a, int b) => a - (b * FloorDiv(a, b));
}

/// <summary>A row-major latent tensor on the host.</summary>
public sealed record LatentTensor<T>(ImmutableArray<int> Shape, T[] Data)
    where T : unmanaged;

/// <summary>
/// The starting latents of diffusers' CogVideoX pipelines (<c>prepare_latents</c>, for the DDIM and DPM schedulers
/// alike): <c>randn_tensor(shape, generator, dtype)</c> times the scheduler's <c>init_noise_sigma</c>, from a
/// <see cref="TorchGenerator"/> with the same seed giving the same bits as the Python pipeline on the CPU.
/// </summary>
/// <remarks>
/// <c>randn_tensor</c> with CPU generators draws on the CPU whatever the target device: one generator draws the whole
/// tensor with one <c>torch.randn(shape)</c>; a list of generators (one per batch item) draws
/// <c>torch.randn((1,) + shape[1:])</c> from each in turn and concatenates them; a list of one is treated as that one
/// generator. The dtype is the pipeline's (bfloat16 for CogVideoX-5b, float16 for CogVideoX-2b): torch draws in it
/// directly, so the bits depend on its randn rules (<see cref="SemanticsProfile.Randn"/>).
/// </remarks>
public static class CogVideoXLatents
{
    /// <summary><c>prepare_latents(...)</c> with one generator.</summary>
    public static LatentTensor<T> Prepare<T>(CogVideoXLatentOptions options, TorchGenerator generator, double initNoiseSigma = 1.0, SemanticsProfile? profile = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(generator);
        return Prepare<T>(options, [generator], initNoiseSigma, profile);
    }

    /// <summary><c>prepare_latents(...)</c> with a list of generators (diffusers requires one per batch item).</summary>
    public static LatentTensor<T> Prepare<T>(CogVideoXLatentOptions options, IReadOnlyList<TorchGenerator> generators, double initNoiseSigma = 1.0, SemanticsProfile? profile = null)
        where T : unmanaged
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

        var latents = RandnTensor<T>(shape.AsSpan(), generators, profile);
        Scale(latents, initNoiseSigma, profile ?? SemanticsProfile.Torch2Cpu);
        return new LatentTensor<T>(shape, latents);
    }

    /// <summary>diffusers' <c>randn_tensor(shape, generator=…, dtype=…)</c> with CPU generators.</summary>
    public static T[] RandnTensor<T>(ReadOnlySpan<int> shape, IReadOnlyList<TorchGenerator> generators, SemanticsProfile? profile = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(generators);
        if (generators.Count == 0)
        {
            throw new ArgumentException("randn_tensor needs a generator (diffusers indexes generator[0])", nameof(generators));
        }

        var semantics = (profile ?? SemanticsProfile.Torch2Cpu).Randn;
        var data = new T[TorchGenerator.ElementCount(shape)];
        if (generators.Count == 1)
        {
            Generator(generators, 0).Randn<T>(data, semantics);
            return data;
        }

        if (shape.IsEmpty)
        {
            throw new ArgumentException("a list of generators needs a batch dimension", nameof(shape));
        }

        // One (1, ...) draw per batch item, concatenated along dim 0; diffusers indexes the list by batch item.
        var batch = shape[0];
        if (generators.Count < batch)
        {
            throw new ArgumentException($"list index out of range: {generators.Count} generators for a batch of {batch}", nameof(generators));
        }

        var per = batch == 0 ? 0 : data.Length / batch;
        for (var i = 0; i < batch; i++)
        {
            Generator(generators, i).Randn<T>(data.AsSpan(i * per, per), semantics);
        }

        return data;
    }

    private static TorchGenerator Generator(IReadOnlyList<TorchGenerator> generators, int index) =>
        generators[index] ?? throw new ArgumentNullException(nameof(generators), $"generator {index} is null");

    /// <summary><c>latents * init_noise_sigma</c> (a Python float): 1.0 (DDIM, DPM) leaves every bit as it is.</summary>
    private static void Scale<T>(T[] latents, double sigma, SemanticsProfile profile)
        where T : unmanaged
    {
        if (sigma == 1.0)
        {
            return;
        }

        switch (latents)
        {
            case double[] d:
                for (var i = 0; i < d.Length; i++)
                {
                    d[i] *= sigma;
                }

                break;
            case float[] f:
                var sf = (float)sigma;
                for (var i = 0; i < f.Length; i++)
                {
                    f[i] *= sf;
                }

                break;
            case Half[] h:
                var sh = profile.PolicyFor(Tensors.DType.Float16, ScalarForm.TensorTimesScalar) == ScalarPolicy.Cast ? (float)(Half)(float)sigma : (float)sigma;
                for (var i = 0; i < h.Length; i++)
                {
                    h[i] = (Half)((float)h[i] * sh);
                }

                break;
            case BFloat16[] b:
                var sb = profile.PolicyFor(Tensors.DType.BFloat16, ScalarForm.TensorTimesScalar) == ScalarPolicy.Cast ? (float)(BFloat16)(float)sigma : (float)sigma;
                for (var i = 0; i < b.Length; i++)
                {
                    b[i] = (BFloat16)((float)b[i] * sb);
                }

                break;
            default:
                throw new NotSupportedException($"latents of {typeof(T).Name}");
        }
    }
}
