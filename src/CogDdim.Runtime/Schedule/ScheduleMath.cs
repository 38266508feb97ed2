using System.Numerics;
using CogDdim.Config;
using CogDdim.Semantics;

namespace CogDdim.Scheduling;

/// <summary>The schedule of <c>__init__</c>, one formula per function, in the table's dtype <typeparamref name="T"/>.</summary>
public static class ScheduleMath<T>
    where T : IFloatingPointIeee754<T>
{
    /// <summary>diffusers' <c>betas</c>: trained_betas when given, else the beta_schedule's formula over num_train_timesteps.</summary>
    /// <param name="config">The scheduler config.</param>
    /// <param name="profile">How the torch build being reproduced rounds (its linspace).</param>
    /// <exception cref="NotSupportedException">The beta_schedule is not implemented in diffusers (a deferred invalid value) and no trained_betas are given.</exception>
    public static T[] Betas(SchedulerConfig config, SemanticsProfile profile)
    {
        if (config.DeferredInvalidValues.TryGetValue(ConfigKeys.BetaSchedule, out var raw) && config.TrainedBetas is null)
        {
            throw new NotSupportedException($"{raw} is not implemented for CogVideoXDDIMScheduler");
        }

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
        var betas = new T[n];
        for (var i = 0; i < n; i++)
        {
            var t1 = (double)i / n;
            var t2 = (double)(i + 1) / n;
            betas[i] = T.CreateTruncating(Math.Min(1 - (AlphaBar(t2) / AlphaBar(t1)), 0.999));
        }

        return betas;

        static double AlphaBar(double t)
        {
            var c = Math.Cos((t + 0.008) / 1.008 * Math.PI / 2);
            return c * c;
        }
    }

    /// <summary><c>alphas = 1.0 - betas</c>.</summary>
    public static T[] Alphas(ReadOnlySpan<T> betas)
    {
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
        var result = new T[alphas.Length];
        if (typeof(T) == typeof(float) && profile.CumprodFloat32Accumulator == CumprodAccumulator.Float64)
        {
            var accumulator = 1.0;
            for (var i = 0; i < alphas.Length; i++)
            {
                accumulator *= double.CreateTruncating(alphas[i]);
                result[i] = T.CreateTruncating(accumulator);
            }

            return result;
        }

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

    private static LinspaceRounding LinspaceRoundingFor(SemanticsProfile profile) =>
        typeof(T) == typeof(double) ? profile.LinspaceFloat64
        : typeof(T) == typeof(float) ? profile.LinspaceFloat32
        : LinspaceRounding.Unfused;
}
