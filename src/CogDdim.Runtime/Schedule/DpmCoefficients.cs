using System.Numerics;
using CogDdim.Config;

namespace CogDdim.Scheduling;

/// <summary>
/// The 0-dim scalars of one <c>CogVideoXDPMScheduler.step</c> (DPM-Solver++(2M), SDE form), in the table's dtype,
/// computed as diffusers' <c>get_variables</c> and <c>get_mult</c> compute them, with torch's
/// log/exp/expm1 (<see cref="SleefMath"/>) and IEEE infinities followed as torch follows them (zero terminal SNR:
/// <c>alphas_cumprod[999] = 0</c> gives <c>lamb = -inf</c>, <c>h = +inf</c>, <c>mult1 = 0</c>, and on the next step
/// <c>r = +inf</c>, <c>mult3 = 1</c>, <c>mult4 = 0</c>). Every backend takes its DPM scalars from here.
/// </summary>
/// <remarks>
/// <c>lamb = log(sqrt(a / (1 - a)))</c>, <c>h = lamb_next - lamb</c>, <c>r = h_last / h</c>,
/// <c>mult1 = sqrt((1 - a_prev) / (1 - a)) * exp(-h)</c>, <c>mult2 = expm1(-2h) * sqrt(a_prev)</c>,
/// <c>mult3 = 1 + 1 / (2r)</c>, <c>mult4 = 1 / (2r)</c>, <c>mult_noise = sqrt(1 - a_prev) * sqrt(1 - exp(-2h))</c>.
/// With a float64 table and set_alpha_to_one diffusers holds the final alpha as float32 1.0; every value derived
/// from it (0, +inf, 1, -1) is exact in either dtype, so computing in the table's dtype gives the same bits.
/// <see cref="HasBack"/> is false (and the back-dependent values are zero) when <c>timestep_back</c> is None.
/// </remarks>
public readonly record struct DpmCoefficients<T>(
    long Timestep,
    long PrevTimestep,
    long? TimestepBack,
    T AlphaProd,
    T AlphaProdPrev,
    T AlphaProdBack,
    T SqrtAlphaProd,
    T SqrtBetaProd,
    T Lamb,
    T LambNext,
    T LambPrevious,
    T H,
    T HLast,
    T R,
    T Mult1,
    T Mult2,
    T Mult3,
    T Mult4,
    T MultNoise)
    where T : IFloatingPointIeee754<T>
{
    /// <summary>A <c>timestep_back</c> was given: <see cref="AlphaProdBack"/>, <see cref="LambPrevious"/>,
    /// <see cref="HLast"/>, <see cref="R"/>, <see cref="Mult3"/> and <see cref="Mult4"/> exist.</summary>
    public bool HasBack => TimestepBack is not null;

    /// <summary>
    /// Whether the step with this old x0 is second order: an old x0 was given and <c>prev_timestep &gt;= 0</c>.
    /// Throws diffusers' IndexError (<c>mult[2]</c> of a two-element list) when it would be second order without a
    /// <c>timestep_back</c>; diffusers raises it after the first noise draw.
    /// </summary>
    public bool IsSecondOrder(bool hasOldPredOriginalSample)
    {
        if (!hasOldPredOriginalSample || PrevTimestep < 0)
        {
            return false;
        }

        return HasBack
            ? true
            : throw new ArgumentOutOfRangeException("timestep_back", "list index out of range: old_pred_original_sample was given without timestep_back (diffusers' mult[2] raises IndexError)");
    }

    /// <summary>How many times diffusers' step calls <c>randn_tensor</c> before it returns: 1 on a first-order
    /// step, 2 on a second-order one (the first draw is discarded).</summary>
    public int NoiseDraws(bool hasOldPredOriginalSample) =>
        hasOldPredOriginalSample && PrevTimestep >= 0 && HasBack ? 2 : 1;

    /// <summary>
    /// The scalars of <c>step(model_output, old, timestep, timestep_back, sample)</c> on <paramref name="schedule"/>,
    /// with diffusers' checks in diffusers' order: set_timesteps first (ValueError), then the table lookups of
    /// timestep, prev_timestep and timestep_back (IndexError), then the prediction type (ValueError).
    /// </summary>
    public static DpmCoefficients<T> Compute(DdimSchedule<T> schedule, long timestep, long? timestepBack)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (schedule.NumInferenceSteps is not { } n)
        {
            // diffusers raises a ValueError here, and a ValueError is an ArgumentException (CogDdim.Backends.ErrorClasses).
            throw new ArgumentException(
                "Number of inference steps is 'None', you need to run 'set_timesteps' after creating the scheduler");
        }

        var table = schedule.AlphasCumprod;
        var prevTimestep = timestep - (schedule.Config.NumTrainTimesteps / n);
        var a = table[schedule.TableIndex(timestep, nameof(timestep))];
        var ap = prevTimestep >= 0 ? table[schedule.TableIndex(prevTimestep, "prev_timestep")] : schedule.FinalAlphaCumprod;
        var ab = timestepBack is { } back ? table[schedule.TableIndex(back, "timestep_back")] : T.Zero;
        if (schedule.Config.DeferredInvalidValues.TryGetValue(ConfigKeys.PredictionType, out var raw))
        {
            throw new ArgumentException($"prediction_type given as {raw} must be one of `epsilon`, `sample`, or `v_prediction`");
        }

        return FromAlphas(timestep, prevTimestep, timestepBack, a, ap, ab);
    }

    /// <summary>The scalars from the three alphas (<paramref name="alphaProdBack"/> is ignored without a back timestep).</summary>
    public static DpmCoefficients<T> FromAlphas(long timestep, long prevTimestep, long? timestepBack, T alphaProd, T alphaProdPrev, T alphaProdBack)
    {
        var one = T.One;
        var two = one + one;
        var betaProd = one - alphaProd;

        // get_variables
        var lamb = Lambda(alphaProd);
        var lambNext = Lambda(alphaProdPrev);
        var h = lambNext - lamb;
        T lambPrevious = T.Zero, hLast = T.Zero, r = T.Zero, mult3 = T.Zero, mult4 = T.Zero;
        if (timestepBack is not null)
        {
            lambPrevious = Lambda(alphaProdBack);
            hLast = lamb - lambPrevious;
            r = hLast / h;
        }
        else
        {
            alphaProdBack = T.Zero;
        }

        // get_mult
        var mult1 = T.Sqrt((one - alphaProdPrev) / (one - alphaProd)) * SleefMath.Exp(-h);
        var mult2 = SleefMath.ExpM1(-two * h) * T.Sqrt(alphaProdPrev);
        if (timestepBack is not null)
        {
            var twoR = two * r;
            mult3 = one + (one / twoR);
            mult4 = one / twoR;
        }

        var multNoise = T.Sqrt(one - alphaProdPrev) * T.Sqrt(one - SleefMath.Exp(-two * h));
        return new DpmCoefficients<T>(timestep, prevTimestep, timestepBack, alphaProd, alphaProdPrev, alphaProdBack,
            T.Sqrt(alphaProd), T.Sqrt(betaProd), lamb, lambNext, lambPrevious, h, hLast, r, mult1, mult2, mult3, mult4, multNoise);

        static T Lambda(T a) => SleefMath.Log(T.Sqrt(a / (T.One - a)));
    }
}
