using CogDdim.Config;

namespace CogDdim.Scheduling;

/// <summary>The timesteps of <c>set_timesteps(n)</c>, computed as numpy computes them (int64 and float64).</summary>
public static class InferenceTimesteps
{
    /// <summary>The timesteps for <paramref name="n"/> inference steps, with diffusers' checks first.</summary>
    public static long[] Compute(SchedulerConfig config, int n)
    {
        var trainTimesteps = config.NumTrainTimesteps;
        if (n > trainTimesteps)
        {
            // A ValueError in diffusers: an ArgumentException (an ArgumentOutOfRangeException would be an IndexError).
            throw new ArgumentException(
                $"`num_inference_steps`: {n} cannot be larger than `num_train_timesteps`: {trainTimesteps}, as the model trained with this scheduler can only handle {trainTimesteps} timesteps", nameof(n));
        }

        if (config.DeferredInvalidValues.TryGetValue(ConfigKeys.TimestepSpacing, out var raw))
        {
            throw new ArgumentException($"{raw} is not supported. Please make sure to choose one of 'leading' or 'trailing'.", nameof(config));
        }

        // n = 0: diffusers divides by it (leading: T // 0, trailing: T / 0), a ZeroDivisionError, and returns no
        // timesteps at all with linspace; we refuse linspace's empty schedule and any negative n as well.
        if (n == 0 && config.TimestepSpacing is TimestepSpacing.Leading or TimestepSpacing.Trailing)
        {
            throw new DivideByZeroException(config.TimestepSpacing == TimestepSpacing.Leading ? "integer division or modulo by zero" : "division by zero");
        }

        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, $"`num_inference_steps` must be at least 1, not {n}");
        }

        return config.TimestepSpacing switch
        {
            TimestepSpacing.Linspace => LinspaceSpacing(trainTimesteps, n),
            TimestepSpacing.Leading => LeadingSpacing(trainTimesteps, n, config.StepsOffset),
            TimestepSpacing.Trailing => TrailingSpacing(trainTimesteps, n),
            _ => throw new ArgumentException($"timestep spacing {config.TimestepSpacing} is not supported", nameof(config)),
        };
    }

    /// <summary><c>np.linspace(0, T - 1, n).round()[::-1]</c>.</summary>
    public static long[] LinspaceSpacing(int trainTimesteps, int n)
    {
        var result = new long[n];
        double stop = trainTimesteps - 1;
        var step = stop / (n - 1); // n == 1: numpy multiplies by delta instead, giving [0]
        for (var i = 0; i < n; i++)
        {
            var y = n == 1 ? 0.0 * stop : i * step;
            if (i == n - 1 && n > 1)
            {
                y = stop;
            }

            result[n - 1 - i] = (long)Math.Round(y, MidpointRounding.ToEven);
        }

        return result;
    }

    /// <summary><c>(np.arange(0, n) * (T // n)).round()[::-1] + steps_offset</c>.</summary>
    public static long[] LeadingSpacing(int trainTimesteps, int n, int stepsOffset)
    {
        var ratio = trainTimesteps / n;
        var result = new long[n];
        for (var i = 0; i < n; i++)
        {
            result[n - 1 - i] = ((long)i * ratio) + stepsOffset;
        }

        return result;
    }

    /// <summary>
    /// <c>np.round(np.arange(T, 0, -T / n)).astype(int64) - 1</c>. numpy's arange has length
    /// <c>ceil((0 - T) / -ratio)</c> and fills <c>start + i * d</c> with <c>d = (start + delta) - start</c>.
    /// </summary>
    public static long[] TrailingSpacing(int trainTimesteps, int n)
    {
        var ratio = (double)trainTimesteps / n;
        double start = trainTimesteps;
        var delta = -ratio;
        var length = (long)Math.Ceiling((0 - start) / delta);
        if (length <= 0)
        {
            return [];
        }

        var values = new double[length];
        values[0] = start;
        if (length > 1)
        {
            values[1] = start + delta;
            var filledDelta = values[1] - values[0];
            for (var i = 2; i < length; i++)
            {
                values[i] = start + (i * filledDelta);
            }
        }

        var result = new long[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = (long)Math.Round(values[i], MidpointRounding.ToEven) - 1;
        }

        return result;
    }
}
