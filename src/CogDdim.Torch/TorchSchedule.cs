using CogDdim.Config;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Torch;

/// <summary>Where a scheduler's tables came from: built with torch ops, emulated on the host, or given.</summary>
public enum TableSource
{
    /// <summary>diffusers' <c>__init__</c> as torch ops on this libtorch, on the CPU (where diffusers builds them too).</summary>
    TorchOps,

    /// <summary>
    /// The reference backend's emulation of the profile's torch build (its linspace or cumprod rounding differs from
    /// this libtorch's), copied in: what that build's <c>__init__</c> computes.
    /// </summary>
    ReferenceEmulation,

    /// <summary>Given by the caller (a fixture's recorded schedule, say).</summary>
    Given,
}

/// <summary>
/// The schedule tensors in the dtypes diffusers keeps them, on the CPU: betas, alphas and alphas_cumprod (float64 for
/// scaled_linear, float32 otherwise) and final_alpha_cumprod (a float32 0-dim 1.0 when set_alpha_to_one, else
/// alphas_cumprod[0]). Owns its tensors.
/// </summary>
public sealed class TorchSchedule : IDisposable
{
    private TorchSchedule(Tensor betas, Tensor alphas, Tensor alphasCumprod, Tensor finalAlphaCumprod, TableSource source)
    {
        Betas = betas.DetachFromDisposeScope();
        Alphas = alphas.DetachFromDisposeScope();
        AlphasCumprod = alphasCumprod.DetachFromDisposeScope();
        FinalAlphaCumprod = finalAlphaCumprod.DetachFromDisposeScope();
        Source = source;
    }

    /// <summary>diffusers' <c>betas</c>: 1-dim, num_train_timesteps values, in <see cref="TableType"/>.</summary>
    public Tensor Betas { get; }

    /// <summary>diffusers' <c>alphas</c>: <c>1.0 - betas</c>, in <see cref="TableType"/>.</summary>
    public Tensor Alphas { get; }

    /// <summary>diffusers' <c>alphas_cumprod</c> (after the SNR shift and the zero-terminal-SNR rescale), in <see cref="TableType"/>.</summary>
    public Tensor AlphasCumprod { get; }

    /// <summary>diffusers' <c>final_alpha_cumprod</c>: a 0-dim float32 1.0 when set_alpha_to_one, else <c>alphas_cumprod[0]</c> in <see cref="TableType"/>.</summary>
    public Tensor FinalAlphaCumprod { get; }

    /// <summary>How the tables were made.</summary>
    public TableSource Source { get; }

    /// <summary>The tables' dtype, float64 or float32 (float64 for scaled_linear when built).</summary>
    public ScalarType TableType => AlphasCumprod.dtype;

    /// <summary>
    /// The schedule for <paramref name="config"/> as the profile's torch build computes it: with torch ops when this
    /// libtorch rounds its linspace and cumprod as the profile says (torch 2.x on the CPU), else from the reference
    /// backend's emulation of that build (torch 1.13's vectorized linspace, say).
    /// </summary>
    public static TorchSchedule Build(SchedulerConfig config, SemanticsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(profile);
        return TorchOpsMatch(profile) ? FromTorchOps(config) : FromReference(config, profile);
    }

    /// <summary>
    /// Whether this libtorch's CPU <c>__init__</c> computes the profile's tables: its linspace is fused (one rounding
    /// per element) and a float32 cumprod accumulates in float64, as in torch 2.x.
    /// </summary>
    public static bool TorchOpsMatch(SemanticsProfile profile) =>
        profile.LinspaceFloat64 == LinspaceRounding.Fused
        && profile.LinspaceFloat32 == LinspaceRounding.Fused
        && profile.CumprodFloat32Accumulator == CumprodAccumulator.Float64;

    /// <summary>diffusers' <c>__init__</c>, op for op, on the CPU (square roots: <see cref="IeeeSqrt"/>).</summary>
    public static TorchSchedule FromTorchOps(SchedulerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var betas = BetasOf(config);
        var alphas = 1.0 - betas;
        var alphasCumprod = cumprod(alphas, 0);
        alphasCumprod = SnrShift(alphasCumprod, config.SnrShiftScale);
        if (config.RescaleBetasZeroSnr)
        {
            alphasCumprod = RescaleZeroTerminalSnr(alphasCumprod);
        }

        return new TorchSchedule(betas, alphas, alphasCumprod, FinalAlphaCumprodOf(config, alphasCumprod), TableSource.TorchOps);
    }

    /// <summary>The runtime's emulation of the profile's build (<see cref="DdimSchedule{TTable}"/>), copied into tensors.</summary>
    public static TorchSchedule FromReference(SchedulerConfig config, SemanticsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(config);
        using var scope = NewDisposeScope();
        return config.HasFloat64Table ? Copy(new DdimSchedule<double>(config, profile)) : Copy(new DdimSchedule<float>(config, profile));

        TorchSchedule Copy<T>(DdimSchedule<T> schedule)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var final = schedule.FinalAlphaCumprodDType == DType.Float32
                ? tensor(float.CreateTruncating(schedule.FinalAlphaCumprod))
                : tensor(double.CreateTruncating(schedule.FinalAlphaCumprod));
            return FromTensors(Table(schedule.Betas), Table(schedule.Alphas), Table(schedule.AlphasCumprod), final, TableSource.ReferenceEmulation);
        }

        static Tensor Table<T>(T[] values)
            where T : unmanaged => typeof(T) == typeof(double)
                ? tensor((double[])(object)values, ScalarType.Float64)
                : tensor((float[])(object)values, ScalarType.Float32);
    }

    /// <summary>
    /// Given tables (a fixture's recorded schedule), copied to the CPU: their dtypes must be the ones diffusers keeps
    /// (betas, alphas and alphas_cumprod one 1-dim float64 or float32 table each, final_alpha_cumprod one value).
    /// </summary>
    public static TorchSchedule FromTensors(Tensor betas, Tensor alphas, Tensor alphasCumprod, Tensor finalAlphaCumprod, TableSource source = TableSource.Given)
    {
        ArgumentNullException.ThrowIfNull(betas);
        ArgumentNullException.ThrowIfNull(alphas);
        ArgumentNullException.ThrowIfNull(alphasCumprod);
        ArgumentNullException.ThrowIfNull(finalAlphaCumprod);
        var tableType = alphasCumprod.dtype;
        if (tableType is not (ScalarType.Float64 or ScalarType.Float32))
        {
            throw new ArgumentException($"alphas_cumprod is {tableType}; diffusers keeps it in float64 or float32", nameof(alphasCumprod));
        }

        if (alphasCumprod.dim() != 1 || alphasCumprod.shape[0] == 0)
        {
            throw new ArgumentException($"alphas_cumprod has shape [{string.Join(", ", alphasCumprod.shape)}]; it must be a non-empty 1-dim table", nameof(alphasCumprod));
        }

        foreach (var (name, table) in new[] { ("betas", betas), ("alphas", alphas) })
        {
            if (table.dtype != tableType || !table.shape.SequenceEqual(alphasCumprod.shape))
            {
                throw new ArgumentException(
                    $"{name} is {table.dtype} [{string.Join(", ", table.shape)}], alphas_cumprod is {tableType} [{alphasCumprod.shape[0]}]; the tables must have one dtype and length", name);
            }
        }

        if (finalAlphaCumprod.numel() != 1 || !finalAlphaCumprod.is_floating_point())
        {
            throw new ArgumentException($"final_alpha_cumprod is {finalAlphaCumprod.dtype} with {finalAlphaCumprod.numel()} elements; it must be one floating-point value", nameof(finalAlphaCumprod));
        }

        using var scope = NewDisposeScope();
        return new TorchSchedule(betas.cpu().clone(), alphas.cpu().clone(), alphasCumprod.cpu().clone(), finalAlphaCumprod.cpu().reshape([]).clone(), source);
    }

    private static Tensor BetasOf(SchedulerConfig config)
    {
        if (config.DeferredInvalidValues.TryGetValue(ConfigKeys.BetaSchedule, out var raw) && config.TrainedBetas is null)
        {
            throw new NotSupportedException($"{raw} is not implemented for CogVideoXDDIMScheduler");
        }

        ScheduleChecks.ThrowIfConstructionFails(config);
        if (config.TrainedBetas is { } trained)
        {
            // torch.tensor(trained_betas, dtype=torch.float32): Python floats rounded to float32.
            return tensor(trained.ToArray(), ScalarType.Float64).to(ScalarType.Float32);
        }

        var n = config.NumTrainTimesteps;
        return config.BetaSchedule switch
        {
            BetaSchedule.Linear => linspace(config.BetaStart, config.BetaEnd, n, ScalarType.Float32),
            // Python's float ** 0.5 is C pow(x, 0.5), as Math.Pow; tensor ** 2 is torch.pow(tensor, 2).
            BetaSchedule.ScaledLinear => linspace(Math.Pow(config.BetaStart, 0.5), Math.Pow(config.BetaEnd, 0.5), n, ScalarType.Float64).pow(2),
            // betas_for_alpha_bar runs in Python doubles with math.cos, then torch.tensor(…, dtype=torch.float32).
            BetaSchedule.SquaredCosCapV2 => tensor(ScheduleMath<double>.SquaredCosCapV2Betas(n), ScalarType.Float64).to(ScalarType.Float32),
            _ => throw new NotSupportedException($"{config.BetaSchedule} is not implemented for CogVideoXDDIMScheduler"),
        };
    }

    /// <summary>SD3's SNR shift: <c>ac / (snr_shift_scale + (1 - snr_shift_scale) * ac)</c>, Python doubles as scalars.</summary>
    private static Tensor SnrShift(Tensor alphasCumprod, double snrShiftScale) =>
        alphasCumprod / (snrShiftScale + ((1 - snrShiftScale) * alphasCumprod));

    /// <summary>
    /// diffusers' <c>rescale_zero_terminal_snr</c> on alphas_cumprod, with its in-place ops; the square root is the
    /// IEEE one (see <see cref="IeeeSqrt"/>).
    /// </summary>
    private static Tensor RescaleZeroTerminalSnr(Tensor alphasCumprod)
    {
        var alphasBarSqrt = IeeeSqrt.Of(alphasCumprod);
        var first = alphasBarSqrt[0].clone();
        var last = alphasBarSqrt[alphasBarSqrt.shape[0] - 1].clone();
        alphasBarSqrt.sub_(last);
        alphasBarSqrt.mul_(first / (first - last));
        return alphasBarSqrt.pow(2);
    }

    /// <summary><c>torch.tensor(1.0)</c> (float32) when set_alpha_to_one, else <c>alphas_cumprod[0]</c>.</summary>
    private static Tensor FinalAlphaCumprodOf(SchedulerConfig config, Tensor alphasCumprod) =>
        config.SetAlphaToOne ? tensor(1.0f) : alphasCumprod[0].clone();

    /// <summary>Disposes the four tensors.</summary>
    public void Dispose()
    {
        Betas.Dispose();
        Alphas.Dispose();
        AlphasCumprod.Dispose();
        FinalAlphaCumprod.Dispose();
    }
}
