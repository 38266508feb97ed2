using System;
using System.Reflection;

namespace CogDdim.Generators;

/// <summary>The schedule tables of one config, as the emitter writes them (bit patterns).</summary>
internal sealed class Tables
{
    public Tables(bool isDouble, ulong[] betas, ulong[] alphas, ulong[] alphasCumprod, ulong finalAlphaCumprod)
    {
        IsDouble = isDouble;
        Betas = betas;
        Alphas = alphas;
        AlphasCumprod = alphasCumprod;
        FinalAlphaCumprod = finalAlphaCumprod;
    }

    /// <summary>float64 bit patterns when true, float32 (in the low 32 bits) otherwise.</summary>
    public bool IsDouble { get; }

    public ulong[] Betas { get; }

    public ulong[] Alphas { get; }

    public ulong[] AlphasCumprod { get; }

    public ulong FinalAlphaCumprod { get; }
}

/// <summary>
/// diffusers' <c>__init__</c> schedule, computed while compiling: the same formulas and rounding steps as
/// CogDdim.Reference's ScheduleMath and Linspace (one per function), once for float64 tables and once for float32,
/// because netstandard2.0 has no generic math. The conformance tests prove the emitted tables bit-identical.
/// </summary>
internal static class TableMath
{
    // netstandard2.0 does not declare Math.FusedMultiplyAdd, but the compiler runs on .NET, which has it; torch's
    // linspace is fused, so it is needed for bit-exact tables.
    private static readonly Func<double, double, double, double>? FmaDouble =
        Create<Func<double, double, double, double>>(typeof(Math), typeof(double));

    private static readonly Func<float, float, float, float>? FmaSingle =
        Create<Func<float, float, float, float>>(Type.GetType("System.MathF"), typeof(float));

    public static bool HasFusedMultiplyAdd => FmaDouble is not null && FmaSingle is not null;

    public static Tables Compute(ConfigSpec config, Profile profile)
    {
        if (config.HasFloat64Table)
        {
            var betas = ScaledLinearBetas(config.BetaStart, config.BetaEnd, config.NumTrainTimesteps, profile.Linspace);
            var alphas = new double[betas.Length];
            for (var i = 0; i < betas.Length; i++)
            {
                alphas[i] = 1.0 - betas[i];
            }

            var cumprod = Cumprod(alphas);
            cumprod = SnrShift(cumprod, config.SnrShiftScale);
            if (config.RescaleBetasZeroSnr)
            {
                cumprod = RescaleZeroTerminalSnr(cumprod);
            }

            var final = config.SetAlphaToOne ? 1.0 : cumprod[0];
            return new Tables(true, Bits(betas), Bits(alphas), Bits(cumprod), (ulong)BitConverter.DoubleToInt64Bits(final));
        }
        else
        {
            var betas = SingleBetas(config, profile.Linspace);
            var alphas = new float[betas.Length];
            for (var i = 0; i < betas.Length; i++)
            {
                alphas[i] = 1.0f - betas[i];
            }

            var cumprod = Cumprod(alphas);
            cumprod = SnrShift(cumprod, config.SnrShiftScale);
            if (config.RescaleBetasZeroSnr)
            {
                cumprod = RescaleZeroTerminalSnr(cumprod);
            }

            var final = config.SetAlphaToOne ? 1.0f : cumprod[0];
            return new Tables(false, Bits(betas), Bits(alphas), Bits(cumprod), SingleBits(final));
        }
    }

    /// <summary><c>torch.linspace(beta_start ** 0.5, beta_end ** 0.5, n, dtype=float64) ** 2</c>.</summary>
    private static double[] ScaledLinearBetas(double start, double end, int n, Linspace rounding)
    {
        // Python's float ** 0.5 is C pow(x, 0.5), which Math.Pow also calls.
        var roots = LinspaceDouble(Math.Pow(start, 0.5), Math.Pow(end, 0.5), n, rounding);
        for (var i = 0; i < roots.Length; i++)
        {
            roots[i] *= roots[i];
        }

        return roots;
    }

    private static float[] SingleBetas(ConfigSpec config, Linspace rounding)
    {
        if (config.TrainedBetas is { } trained)
        {
            var result = new float[trained.Length];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = (float)trained[i];
            }

            return result;
        }

        return config.BetaSchedule switch
        {
            "linear" => LinspaceSingle((float)config.BetaStart, (float)config.BetaEnd, config.NumTrainTimesteps, rounding),
            _ => SquaredCosCapV2Betas(config.NumTrainTimesteps),
        };
    }

    /// <summary>Glide's cosine schedule in Python doubles with <c>math.cos</c>, capped at 0.999, rounded to float32.</summary>
    private static float[] SquaredCosCapV2Betas(int n)
    {
        var betas = new float[n];
        for (var i = 0; i < n; i++)
        {
            var t1 = (double)i / n;
            var t2 = (double)(i + 1) / n;
            betas[i] = (float)Math.Min(1 - (AlphaBar(t2) / AlphaBar(t1)), 0.999);
        }

        return betas;

        static double AlphaBar(double t)
        {
            var c = Math.Cos((t + 0.008) / 1.008 * Math.PI / 2);
            return c * c;
        }
    }

    private static double[] LinspaceDouble(double start, double end, int n, Linspace rounding)
    {
        var result = new double[n];
        if (n == 1)
        {
            result[0] = start;
        }

        if (n <= 1)
        {
            return result;
        }

        var step = (end - start) / (n - 1);
        var vectorEnd = rounding == Linspace.Vectorized256 ? n - (n % 8) : 0;
        for (var i0 = 0; i0 < vectorEnd; i0 += 4)
        {
            // torch 1.13's AVX2 kernel: a fused base per 4-lane block, lanes base + j * step (two roundings).
            var blockBase = FusedDouble(start, end, step, i0, n);
            for (var j = 0; j < 4; j++)
            {
                var offset = j * step;
                result[i0 + j] = blockBase + offset;
            }
        }

        for (var i = vectorEnd; i < n; i++)
        {
            result[i] = FusedDouble(start, end, step, i, n);
        }

        return result;
    }

    private static float[] LinspaceSingle(float start, float end, int n, Linspace rounding)
    {
        var result = new float[n];
        if (n == 1)
        {
            result[0] = start;
        }

        if (n <= 1)
        {
            return result;
        }

        var difference = end - start;
        var step = difference / (float)(n - 1);
        var vectorEnd = rounding == Linspace.Vectorized256 ? n - (n % 16) : 0;
        for (var i0 = 0; i0 < vectorEnd; i0 += 8)
        {
            var blockBase = FusedSingle(start, end, step, i0, n);
            for (var j = 0; j < 8; j++)
            {
                var offset = (float)j * step;
                result[i0 + j] = blockBase + offset;
            }
        }

        for (var i = vectorEnd; i < n; i++)
        {
            result[i] = FusedSingle(start, end, step, i, n);
        }

        return result;
    }

    /// <summary>One rounding: <c>fma(step, i, start)</c> below the halfway index, <c>fma(-step, n-1-i, end)</c> from it.</summary>
    private static double FusedDouble(double start, double end, double step, int i, int n) =>
        i < n / 2 ? FmaDouble!(step, i, start) : FmaDouble!(-step, n - 1 - i, end);

    private static float FusedSingle(float start, float end, float step, int i, int n) =>
        i < n / 2 ? FmaSingle!(step, i, start) : FmaSingle!(-step, n - 1 - i, end);

    /// <summary>float64 cumprod: a plain running product.</summary>
    private static double[] Cumprod(double[] alphas)
    {
        var result = new double[alphas.Length];
        var product = 1.0;
        for (var i = 0; i < alphas.Length; i++)
        {
            product = i == 0 ? alphas[0] : product * alphas[i];
            result[i] = product;
        }

        return result;
    }

    /// <summary>float32 cumprod on torch's CPU: accumulated in float64, each running product rounded to float32.</summary>
    private static float[] Cumprod(float[] alphas)
    {
        var result = new float[alphas.Length];
        var accumulator = 1.0;
        for (var i = 0; i < alphas.Length; i++)
        {
            accumulator *= alphas[i];
            result[i] = (float)accumulator;
        }

        return result;
    }

    /// <summary>SD3's SNR shift: <c>ac / (s + (1 - s) * ac)</c>, the Python doubles rounded to the table dtype.</summary>
    private static double[] SnrShift(double[] alphasCumprod, double snrShiftScale)
    {
        var oneMinusScale = 1 - snrShiftScale;
        var result = new double[alphasCumprod.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var ac = alphasCumprod[i];
            var product = oneMinusScale * ac;
            var denominator = snrShiftScale + product;
            result[i] = ac / denominator;
        }

        return result;
    }

    private static float[] SnrShift(float[] alphasCumprod, double snrShiftScale)
    {
        var scale = (float)snrShiftScale;
        var oneMinusScale = (float)(1 - snrShiftScale);
        var result = new float[alphasCumprod.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var ac = alphasCumprod[i];
            var product = oneMinusScale * ac;
            var denominator = scale + product;
            result[i] = ac / denominator;
        }

        return result;
    }

    /// <summary>Zero terminal SNR (arXiv 2305.08891, Algorithm 1); the last entry becomes exactly 0.</summary>
    private static double[] RescaleZeroTerminalSnr(double[] alphasCumprod)
    {
        var roots = new double[alphasCumprod.Length];
        for (var i = 0; i < roots.Length; i++)
        {
            roots[i] = Math.Sqrt(alphasCumprod[i]);
        }

        var first = roots[0];
        var last = roots[roots.Length - 1];
        var scale = first / (first - last);
        for (var i = 0; i < roots.Length; i++)
        {
            var shifted = roots[i] - last;
            var rescaled = shifted * scale;
            roots[i] = rescaled * rescaled;
        }

        return roots;
    }

    private static float[] RescaleZeroTerminalSnr(float[] alphasCumprod)
    {
        var roots = new float[alphasCumprod.Length];
        for (var i = 0; i < roots.Length; i++)
        {
            // A float's square root rounded from the double one is the correctly rounded float square root.
            roots[i] = (float)Math.Sqrt(alphasCumprod[i]);
        }

        var first = roots[0];
        var last = roots[roots.Length - 1];
        var gap = first - last;
        var scale = first / gap;
        for (var i = 0; i < roots.Length; i++)
        {
            var shifted = roots[i] - last;
            var rescaled = shifted * scale;
            roots[i] = rescaled * rescaled;
        }

        return roots;
    }

    private static ulong[] Bits(double[] values)
    {
        var bits = new ulong[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            bits[i] = (ulong)BitConverter.DoubleToInt64Bits(values[i]);
        }

        return bits;
    }

    private static ulong[] Bits(float[] values)
    {
        var bits = new ulong[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            bits[i] = SingleBits(values[i]);
        }

        return bits;
    }

    private static ulong SingleBits(float value) => BitConverter.ToUInt32(BitConverter.GetBytes(value), 0);

    private static T? Create<T>(Type? type, Type operand)
        where T : Delegate
    {
        var method = type?.GetMethod("FusedMultiplyAdd", BindingFlags.Public | BindingFlags.Static, null, [operand, operand, operand], null);
        return method is null ? null : (T)method.CreateDelegate(typeof(T));
    }
}
