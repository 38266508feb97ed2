using System.Numerics;
using CogDdim.Config;
using CogDdim.Semantics;

namespace CogDdim.Scheduling;

/// <summary>
/// The schedule of <c>__init__</c>, one formula per function, in the table's dtype <typeparamref name="T"/>. For
/// <c>double</c> and <c>float</c> every function runs <see cref="TableMath"/>, the plain float64/float32
/// implementation the source generator compiles too; the generic formulas below serve only wider oracle types
/// (CogDdim.Precision's DoubleDouble), which no table of diffusers has.
/// </summary>
public static class ScheduleMath<T>
    where T : IFloatingPointIeee754<T>
{
    /// <summary>diffusers' <c>betas</c>: trained_betas when given, else the beta_schedule's formula over num_train_timesteps.</summary>
    /// <param name="config">The scheduler config.</param>
    /// <param name="profile">How the torch build being reproduced rounds (its linspace).</param>
    /// <exception cref="NotSupportedException">The beta_schedule is not implemented in diffusers (a deferred invalid value) and no trained_betas are given.</exception>
    public static T[] Betas(SchedulerConfig config, SemanticsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(profile);
        if (config.DeferredInvalidValues.TryGetValue(ConfigKeys.BetaSchedule, out var raw) && config.TrainedBetas is null)
        {
            throw new NotSupportedException($"{raw} is not implemented for CogVideoXDDIMScheduler");
        }

        ScheduleChecks.ThrowIfConstructionFails(config);
        if (config.TrainedBetas is { } trained)
        {
            return TrainedBetas(trained.AsSpan());
        }

        return config.BetaSchedule switch
        {
            BetaSchedule.Linear => LinearBetas(config.BetaStart, config.BetaEnd, config.NumTrainTimesteps, profile),
            BetaSchedule.ScaledLinear => ScaledLinearBetas(config.BetaStart, config.BetaEnd, config.NumTrainTimesteps, profile),
            BetaSchedule.SquaredCosCapV2 => SquaredCosCapV2Betas(config.NumTrainTimesteps),
            _ => throw new NotSupportedException($"{config.BetaSchedule} is not implemented for CogVideoXDDIMScheduler"),
        };
    }

    /// <summary><c>torch.tensor(trained_betas, dtype=float32)</c>.</summary>
    public static T[] TrainedBetas(ReadOnlySpan<double> trained)
    {
        if (typeof(T) == typeof(float))
        {
            return As(TableMath.TrainedBetasSingle(trained.ToArray()));
        }

        var betas = new T[trained.Length];
        for (var i = 0; i < betas.Length; i++)
        {
            betas[i] = T.CreateTruncating(trained[i]);
        }

        return betas;
    }

    /// <summary><c>torch.linspace(beta_start, beta_end, n, dtype=float32)</c>.</summary>
    public static T[] LinearBetas(double start, double end, int n, SemanticsProfile profile) =>
        Linspace.Compute(T.CreateTruncating(start), T.CreateTruncating(end), n, LinspaceRoundingFor(profile));

    /// <summary><c>torch.linspace(beta_start ** 0.5, beta_end ** 0.5, n, dtype=float64) ** 2</c>.</summary>
    public static T[] ScaledLinearBetas(double start, double end, int n, SemanticsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (typeof(T) == typeof(double))
        {
            return As(TableMath.ScaledLinearBetas(start, end, n, profile.LinspaceFloat64));
        }

        if (typeof(T) == typeof(float))
        {
            return As(TableMath.ScaledLinearBetas((float)Math.Pow(start, 0.5), (float)Math.Pow(end, 0.5), n, profile.LinspaceFloat32));
        }

        // Python's float ** 0.5 is C pow(x, 0.5), which Math.Pow also calls.
        var roots = Linspace.Compute(T.CreateTruncating(Math.Pow(start, 0.5)), T.CreateTruncating(Math.Pow(end, 0.5)), n, LinspaceRoundingFor(profile));
        for (var i = 0; i < roots.Length; i++)
        {
            roots[i] *= roots[i];
        }

        return roots;
    }

    /// <summary>Glide's cosine schedule: Python doubles with <c>math.cos</c>, capped at 0.999, then rounded to the table dtype.</summary>
    public static T[] SquaredCosCapV2Betas(int n)
    {
        if (typeof(T) == typeof(double))
        {
            return As(TableMath.SquaredCosCapV2Betas(n));
        }

        if (typeof(T) == typeof(float))
        {
            return As(TableMath.SquaredCosCapV2BetasSingle(n));
        }

        var betas = new T[n];
        for (var i = 0; i < n; i++)
        {
            betas[i] = T.CreateTruncating(TableMath.SquaredCosCapV2Beta(i, n));
        }

        return betas;
    }

    /// <summary><c>alphas = 1.0 - betas</c>.</summary>
    public static T[] Alphas(ReadOnlySpan<T> betas)
    {
        if (typeof(T) == typeof(double))
        {
            return As(TableMath.Alphas(Doubles(betas)));
        }

        if (typeof(T) == typeof(float))
        {
            return As(TableMath.Alphas(Singles(betas)));
        }

        var alphas = new T[betas.Length];
        for (var i = 0; i < alphas.Length; i++)
        {
            alphas[i] = T.One - betas[i];
        }

        return alphas;
    }

    /// <summary><c>torch.cumprod(alphas, 0)</c>: a float32 cumprod accumulates in float64 on the CPU and rounds each output.</summary>
    public static T[] Cumprod(ReadOnlySpan<T> alphas, SemanticsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (typeof(T) == typeof(double))
        {
            return As(TableMath.Cumprod(Doubles(alphas)));
        }

        if (typeof(T) == typeof(float))
        {
            return As(TableMath.Cumprod(Singles(alphas), profile.CumprodFloat32Accumulator));
        }

        var result = new T[alphas.Length];
        var product = T.One;
        for (var i = 0; i < alphas.Length; i++)
        {
            product = i == 0 ? alphas[0] : product * alphas[i];
            result[i] = product;
        }

        return result;
    }

    /// <summary>SD3's SNR shift: <c>ac / (s + (1 - s) * ac)</c>; the Python doubles are rounded to the table dtype.</summary>
    public static T[] SnrShift(ReadOnlySpan<T> alphasCumprod, double snrShiftScale)
    {
        if (typeof(T) == typeof(double))
        {
            return As(TableMath.SnrShift(Doubles(alphasCumprod), snrShiftScale));
        }

        if (typeof(T) == typeof(float))
        {
            return As(TableMath.SnrShift(Singles(alphasCumprod), snrShiftScale));
        }

        var scale = T.CreateTruncating(snrShiftScale);
        var oneMinusScale = T.CreateTruncating(1 - snrShiftScale);
        var result = new T[alphasCumprod.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var ac = alphasCumprod[i];
            result[i] = ac / (scale + (oneMinusScale * ac));
        }

        return result;
    }

    /// <summary>Zero terminal SNR (arXiv 2305.08891, Algorithm 1), on alphas_cumprod; the last entry becomes exactly 0.</summary>
    public static T[] RescaleZeroTerminalSnr(ReadOnlySpan<T> alphasCumprod)
    {
        if (typeof(T) == typeof(double))
        {
            return As(TableMath.RescaleZeroTerminalSnr(Doubles(alphasCumprod)));
        }

        if (typeof(T) == typeof(float))
        {
            return As(TableMath.RescaleZeroTerminalSnr(Singles(alphasCumprod)));
        }

        var roots = new T[alphasCumprod.Length];
        for (var i = 0; i < roots.Length; i++)
        {
            roots[i] = T.Sqrt(alphasCumprod[i]);
        }

        var first = roots[0];
        var last = roots[^1];
        var scale = first / (first - last);
        for (var i = 0; i < roots.Length; i++)
        {
            var shifted = roots[i] - last;
            var rescaled = shifted * scale;
            roots[i] = rescaled * rescaled;
        }

        return roots;
    }

    /// <summary>alphas_cumprod from alphas: cumprod, the SNR shift, then (when the config asks) the zero-terminal-SNR rescale.</summary>
    public static T[] AlphasCumprod(ReadOnlySpan<T> alphas, SchedulerConfig config, SemanticsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(profile);
        if (typeof(T) == typeof(double))
        {
            return As(TableMath.AlphasCumprod(Doubles(alphas), config.SnrShiftScale, config.RescaleBetasZeroSnr));
        }

        if (typeof(T) == typeof(float))
        {
            return As(TableMath.AlphasCumprod(Singles(alphas), profile.CumprodFloat32Accumulator, config.SnrShiftScale, config.RescaleBetasZeroSnr));
        }

        var alphasCumprod = SnrShift(Cumprod(alphas, profile), config.SnrShiftScale);
        return config.RescaleBetasZeroSnr ? RescaleZeroTerminalSnr(alphasCumprod) : alphasCumprod;
    }

    private static LinspaceRounding LinspaceRoundingFor(SemanticsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return typeof(T) == typeof(double) ? profile.LinspaceFloat64
            : typeof(T) == typeof(float) ? profile.LinspaceFloat32
            : LinspaceRounding.Unfused;
    }

    private static T[] As<TArray>(TArray[] values) => (T[])(object)values;

    private static double[] Doubles(ReadOnlySpan<T> values) => Reinterpret<double>(values).ToArray();

    private static float[] Singles(ReadOnlySpan<T> values) => Reinterpret<float>(values).ToArray();

    /// <summary>The span as <typeparamref name="TTo"/>, which the caller has checked <typeparamref name="T"/> is.</summary>
    private static ReadOnlySpan<TTo> Reinterpret<TTo>(ReadOnlySpan<T> values) =>
        System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
            ref System.Runtime.CompilerServices.Unsafe.As<T, TTo>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values)), values.Length);
}
