using CogDdim.Scheduling;

namespace CogDdim.Precision;

/// <summary>
/// The DPM step's scalars for the double-double oracle, from exact identities rather than log/exp (which
/// <see cref="DoubleDouble"/> does not have): with <c>SNR = a / (1 - a)</c>, <c>lamb = ln(SNR) / 2</c>, so
/// <c>exp(-h) = sqrt(SNR_t / SNR_prev)</c> and
/// <c>mult1 = (1 - a_prev) / (1 - a) · sqrt(a / a_prev)</c>, <c>mult2 = expm1(-2h) · sqrt(a_prev) = (a - a_prev) / ((1 - a) sqrt(a_prev))</c>,
/// <c>mult_noise = sqrt(1 - a_prev) · sqrt((a_prev - a) / ((1 - a) a_prev))</c>, and
/// <c>r = h_last / h = ln(SNR_t / SNR_back) / ln(SNR_prev / SNR_t)</c> with a double-double logarithm. The same real
/// numbers diffusers' formulas mean, with no infinities at the edges: <c>a = 0</c> (zero terminal SNR) gives
/// mult1 = 0, mult2 = -sqrt(a_prev), mult_noise = sqrt(1 - a_prev) and then r = +inf (mult3 = 1, mult4 = 0);
/// <c>a_prev = 1</c> gives mult1 = 0, mult2 = -1, mult_noise = 0.
/// </summary>
public static class OracleDpm
{
    private static readonly DoubleDouble Ln2 = new(0.6931471805599453, 2.3190468138462996e-17);

    public static DpmCoefficients<DoubleDouble> Coefficients(DdimSchedule<DoubleDouble> schedule, long timestep, long? timestepBack)
    {
        var n = schedule.NumInferenceSteps ?? throw new InvalidOperationException("set_timesteps first");
        var table = schedule.AlphasCumprod;
        var prev = timestep - (schedule.Config.NumTrainTimesteps / n);
        var a = table[schedule.TableIndex(timestep, nameof(timestep))];
        var ap = prev >= 0 ? table[schedule.TableIndex(prev, "prev_timestep")] : schedule.FinalAlphaCumprod;
        DoubleDouble one = 1;
        var mult1 = (one - ap) / (one - a) * DoubleDouble.Sqrt(a / ap);
        var mult2 = (a - ap) / ((one - a) * DoubleDouble.Sqrt(ap));
        var multNoise = DoubleDouble.Sqrt(one - ap) * DoubleDouble.Sqrt((ap - a) / ((one - a) * ap));
        DoubleDouble ab = 0, r = 0, mult3 = 0, mult4 = 0;
        if (timestepBack is { } back && prev >= 0)
        {
            ab = table[schedule.TableIndex(back, nameof(timestepBack))];
            if (ab == 0)
            {
                r = DoubleDouble.PositiveInfinity;
                mult3 = 1;
                mult4 = 0;
            }
            else
            {
                var snr = a / (one - a);
                r = Ln(snr / (ab / (one - ab))) / Ln((ap / (one - ap)) / snr);
                mult4 = one / (r + r);
                mult3 = one + mult4;
            }
        }

        return new DpmCoefficients<DoubleDouble>(timestep, prev, timestepBack, a, ap, ab, DoubleDouble.Sqrt(a), DoubleDouble.Sqrt(one - a),
            0, 0, 0, 0, 0, r, mult1, mult2, mult3, mult4, multNoise);
    }

    /// <summary>ln(x) for a positive finite x: x = 2^k m, m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh((m - 1) / (m + 1)).</summary>
    public static DoubleDouble Ln(DoubleDouble x)
    {
        if (!(x.Hi > 0) || double.IsInfinity(x.Hi))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x.Hi, "ln of a positive finite value only");
        }

        var k = Math.ILogB(x.Hi);
        var m = x * (DoubleDouble)Math.ScaleB(1.0, -k);
        if (m.Hi > Math.Sqrt(2))
        {
            m *= (DoubleDouble)0.5;
            k++;
        }

        DoubleDouble one = 1;
        var z = (m - one) / (m + one);
        var z2 = z * z;
        var power = z;
        var sum = z;
        for (var i = 3; i < 200; i += 2)
        {
            power *= z2;
            var term = power / (DoubleDouble)i;
            sum += term;
            if (Math.Abs(term.Hi) < 1e-34 * Math.Abs(sum.Hi))
            {
                break;
            }
        }

        return (sum + sum) + (Ln2 * (DoubleDouble)k);
    }
}
