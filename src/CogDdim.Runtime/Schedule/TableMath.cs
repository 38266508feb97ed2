using CogDdim.Semantics;

namespace CogDdim.Scheduling;

/// <summary>
/// diffusers' <c>__init__</c> schedule in plain float64 and float32 code: the one implementation of the formulas
/// behind every float64 and float32 table. <see cref="ScheduleMath{T}"/> and <see cref="CogDdim.Scheduling.Linspace"/> run it for
/// <c>double</c> and <c>float</c> (their generic path is kept only for wider oracle types), and the source generator
/// compiles this same file (linked into CogDdim.Generators, netstandard2.0) to compute the tables it emits, so the
/// runtime and the generated code cannot disagree.
/// </summary>
/// <remarks>
/// Written for C# on netstandard2.0 as well as .NET 10: no generic math, no <c>MathF</c> under netstandard2.0 (a float
/// square root rounded from the double one is the correctly rounded float square root), and fused multiply-add bound
/// from the compiler's own runtime there (netstandard2.0 does not declare it, but every .NET the compiler runs on has it).
/// </remarks>
internal static class TableMath
{
    /// <summary><c>torch.linspace(start, end, n)</c> in float64, rounded as <paramref name="rounding"/> says.</summary>
    public static double[] Linspace(double start, double end, int n, LinspaceRounding rounding)
    {
        CheckCount(n);
        var result = new double[n];
        if (n == 0)
        {
            return result;
        }

        if (n == 1)
        {
            result[0] = start;
            return result;
        }

        var step = (end - start) / (n - 1);
        switch (rounding)
        {
            case LinspaceRounding.Fused:
                for (var i = 0; i < n; i++)
                {
                    result[i] = Fused(start, end, step, i, n);
                }

                break;
            case LinspaceRounding.Unfused:
                for (var i = 0; i < n; i++)
                {
                    result[i] = i < n / 2 ? start + (step * i) : end - (step * (n - 1 - i));
                }

                break;
            case LinspaceRounding.Vectorized256:
                // torch 1.13's AVX2 kernel: blocks of 4 lanes, two per loop iteration, each from a fused base; lane j
                // is base + j * step (two roundings); the last n mod 8 elements take the fused scalar formula.
                var vectorEnd = n - (n % 8);
                for (var i0 = 0; i0 < vectorEnd; i0 += 4)
                {
                    var blockBase = Fused(start, end, step, i0, n);
                    for (var j = 0; j < 4; j++)
                    {
                        result[i0 + j] = blockBase + (j * step);
                    }
                }

                for (var i = vectorEnd; i < n; i++)
                {
                    result[i] = Fused(start, end, step, i, n);
                }

                break;
            default:
                throw CannotEmulate(rounding);
        }

        return result;
    }

    /// <summary><c>torch.linspace(start, end, n)</c> in float32, rounded as <paramref name="rounding"/> says.</summary>
    public static float[] Linspace(float start, float end, int n, LinspaceRounding rounding)
    {
        CheckCount(n);
        var result = new float[n];
        if (n == 0)
        {
            return result;
        }

        if (n == 1)
        {
            result[0] = start;
            return result;
        }

        var step = (end - start) / (float)(n - 1);
        switch (rounding)
        {
            case LinspaceRounding.Fused:
                for (var i = 0; i < n; i++)
                {
                    result[i] = Fused(start, end, step, i, n);
                }

                break;
            case LinspaceRounding.Unfused:
                for (var i = 0; i < n; i++)
                {
                    result[i] = i < n / 2 ? start + (step * (float)i) : end - (step * (float)(n - 1 - i));
                }

                break;
            case LinspaceRounding.Vectorized256:
                // 8 float lanes per 256-bit block, two blocks per iteration: the last n mod 16 are scalar.
                var vectorEnd = n - (n % 16);
                for (var i0 = 0; i0 < vectorEnd; i0 += 8)
                {
                    var blockBase = Fused(start, end, step, i0, n);
                    for (var j = 0; j < 8; j++)
                    {
                        result[i0 + j] = blockBase + ((float)j * step);
                    }
                }

                for (var i = vectorEnd; i < n; i++)
                {
                    result[i] = Fused(start, end, step, i, n);
                }

                break;
            default:
                throw CannotEmulate(rounding);
        }

        return result;
    }

    /// <summary>One rounding: <c>fma(step, i, start)</c> below the halfway index, <c>fma(-step, n-1-i, end)</c> from it.</summary>
    public static double Fused(double start, double end, double step, int i, int n) =>
        i < n / 2 ? FusedMultiplyAdd(step, i, start) : FusedMultiplyAdd(-step, n - 1 - i, end);

    /// <inheritdoc cref="Fused(double, double, double, int, int)"/>
    public static float Fused(float start, float end, float step, int i, int n) =>
        i < n / 2 ? FusedMultiplyAdd(step, i, start) : FusedMultiplyAdd(-step, n - 1 - i, end);

    /// <summary><c>torch.linspace(beta_start ** 0.5, beta_end ** 0.5, n, dtype=float64) ** 2</c>.</summary>
    public static double[] ScaledLinearBetas(double start, double end, int n, LinspaceRounding rounding)
    {
        // Python's float ** 0.5 is C pow(x, 0.5), which Math.Pow also calls.
        var roots = Linspace(Math.Pow(start, 0.5), Math.Pow(end, 0.5), n, rounding);
        for (var i = 0; i < roots.Length; i++)
        {
            roots[i] *= roots[i];
        }

        return roots;
    }

    /// <summary>The same in float32 (diffusers never builds it; for <c>ScheduleMath&lt;float&gt;</c>).</summary>
    public static float[] ScaledLinearBetas(float start, float end, int n, LinspaceRounding rounding)
    {
        var roots = Linspace(start, end, n, rounding);
        for (var i = 0; i < roots.Length; i++)
        {
            roots[i] *= roots[i];
        }

        return roots;
    }

    /// <summary>Glide's cosine schedule, beta i of n: Python doubles with <c>math.cos</c>, capped at 0.999, unrounded.</summary>
    public static double SquaredCosCapV2Beta(int i, int n)
    {
        var t1 = (double)i / n;
        var t2 = (double)(i + 1) / n;
        return Math.Min(1 - (AlphaBar(t2) / AlphaBar(t1)), 0.999);

        static double AlphaBar(double t)
        {
            var c = Math.Cos((t + 0.008) / 1.008 * Math.PI / 2);
            return c * c;
        }
    }

    /// <summary>The cosine schedule's n Python doubles.</summary>
    public static double[] SquaredCosCapV2Betas(int n)
    {
        var betas = new double[n];
        for (var i = 0; i < n; i++)
        {
            betas[i] = SquaredCosCapV2Beta(i, n);
        }

        return betas;
    }

    /// <summary>The cosine schedule rounded to float32 (<c>torch.tensor(betas, dtype=float32)</c>).</summary>
    public static float[] SquaredCosCapV2BetasSingle(int n)
    {
        var betas = new float[n];
        for (var i = 0; i < n; i++)
        {
            betas[i] = (float)SquaredCosCapV2Beta(i, n);
        }

        return betas;
    }

    /// <summary><c>torch.tensor(trained_betas, dtype=float32)</c>.</summary>
    public static float[] TrainedBetasSingle(IReadOnlyList<double> trained)
    {
        var betas = new float[trained.Count];
        for (var i = 0; i < betas.Length; i++)
        {
            betas[i] = (float)trained[i];
        }

        return betas;
    }

    /// <summary><c>alphas = 1.0 - betas</c>.</summary>
    public static double[] Alphas(double[] betas)
    {
        var alphas = new double[betas.Length];
        for (var i = 0; i < alphas.Length; i++)
        {
            alphas[i] = 1.0 - betas[i];
        }

        return alphas;
    }

    /// <inheritdoc cref="Alphas(double[])"/>
    public static float[] Alphas(float[] betas)
    {
        var alphas = new float[betas.Length];
        for (var i = 0; i < alphas.Length; i++)
        {
            alphas[i] = 1.0f - betas[i];
        }

        return alphas;
    }

    /// <summary>float64 <c>torch.cumprod(alphas, 0)</c>: a plain running product.</summary>
    public static double[] Cumprod(double[] alphas)
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

    /// <summary>
    /// float32 <c>torch.cumprod(alphas, 0)</c>: on torch's CPU accumulated in float64, each running product rounded to
    /// float32; or a float32 running product.
    /// </summary>
    public static float[] Cumprod(float[] alphas, CumprodAccumulator accumulator)
    {
        var result = new float[alphas.Length];
        if (accumulator == CumprodAccumulator.Float64)
        {
            var wide = 1.0;
            for (var i = 0; i < alphas.Length; i++)
            {
                wide *= alphas[i];
                result[i] = (float)wide;
            }

            return result;
        }

        var product = 1.0f;
        for (var i = 0; i < alphas.Length; i++)
        {
            product = i == 0 ? alphas[0] : product * alphas[i];
            result[i] = product;
        }

        return result;
    }

    /// <summary>SD3's SNR shift: <c>ac / (s + (1 - s) * ac)</c> in Python doubles.</summary>
    public static double[] SnrShift(double[] alphasCumprod, double snrShiftScale)
    {
        var oneMinusScale = 1 - snrShiftScale;
        var result = new double[alphasCumprod.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var ac = alphasCumprod[i];
            result[i] = ac / (snrShiftScale + (oneMinusScale * ac));
        }

        return result;
    }

    /// <summary>The SNR shift on a float32 table: the Python doubles <c>s</c> and <c>1 - s</c> rounded to float32 first.</summary>
    public static float[] SnrShift(float[] alphasCumprod, double snrShiftScale)
    {
        var scale = (float)snrShiftScale;
        var oneMinusScale = (float)(1 - snrShiftScale);
        var result = new float[alphasCumprod.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var ac = alphasCumprod[i];
            result[i] = ac / (scale + (oneMinusScale * ac));
        }

        return result;
    }

    /// <summary>Zero terminal SNR (arXiv 2305.08891, Algorithm 1), on alphas_cumprod; the last entry becomes exactly 0.</summary>
    public static double[] RescaleZeroTerminalSnr(double[] alphasCumprod)
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
            var rescaled = (roots[i] - last) * scale;
            roots[i] = rescaled * rescaled;
        }

        return roots;
    }

    /// <inheritdoc cref="RescaleZeroTerminalSnr(double[])"/>
    public static float[] RescaleZeroTerminalSnr(float[] alphasCumprod)
    {
        var roots = new float[alphasCumprod.Length];
        for (var i = 0; i < roots.Length; i++)
        {
            roots[i] = Sqrt(alphasCumprod[i]);
        }

        var first = roots[0];
        var last = roots[roots.Length - 1];
        var scale = first / (first - last);
        for (var i = 0; i < roots.Length; i++)
        {
            var rescaled = (roots[i] - last) * scale;
            roots[i] = rescaled * rescaled;
        }

        return roots;
    }

    /// <summary>alphas_cumprod from alphas: cumprod, the SNR shift, then (when asked) the zero-terminal-SNR rescale.</summary>
    public static double[] AlphasCumprod(double[] alphas, double snrShiftScale, bool rescaleBetasZeroSnr)
    {
        var alphasCumprod = SnrShift(Cumprod(alphas), snrShiftScale);
        return rescaleBetasZeroSnr ? RescaleZeroTerminalSnr(alphasCumprod) : alphasCumprod;
    }

    /// <inheritdoc cref="AlphasCumprod(double[], double, bool)"/>
    public static float[] AlphasCumprod(float[] alphas, CumprodAccumulator accumulator, double snrShiftScale, bool rescaleBetasZeroSnr)
    {
        var alphasCumprod = SnrShift(Cumprod(alphas, accumulator), snrShiftScale);
        return rescaleBetasZeroSnr ? RescaleZeroTerminalSnr(alphasCumprod) : alphasCumprod;
    }

    /// <summary>The correctly rounded float32 square root.</summary>
    public static float Sqrt(float x) =>
#if NETSTANDARD2_0
        (float)Math.Sqrt(x);
#else
        MathF.Sqrt(x);
#endif

#if NETSTANDARD2_0
    private static readonly Func<double, double, double, double>? FmaDouble =
        Bind<Func<double, double, double, double>>(typeof(Math), typeof(double));

    private static readonly Func<float, float, float, float>? FmaSingle =
        Bind<Func<float, float, float, float>>(Type.GetType("System.MathF"), typeof(float));

    /// <summary>Whether the runtime the compiler runs on has fused multiply-add (every .NET Core does; .NET Framework not).</summary>
    public static bool HasFusedMultiplyAdd => FmaDouble is not null && FmaSingle is not null;

    private static double FusedMultiplyAdd(double a, double b, double c) =>
        (FmaDouble ?? throw new PlatformNotSupportedException("Math.FusedMultiplyAdd is not available on this runtime"))(a, b, c);

    private static float FusedMultiplyAdd(float a, float b, float c) =>
        (FmaSingle ?? throw new PlatformNotSupportedException("MathF.FusedMultiplyAdd is not available on this runtime"))(a, b, c);

    private static T? Bind<T>(Type? type, Type operand)
        where T : Delegate
    {
        var method = type?.GetMethod("FusedMultiplyAdd", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static, null, [operand, operand, operand], null);
        return method is null ? null : (T)method.CreateDelegate(typeof(T));
    }
#else
    private static double FusedMultiplyAdd(double a, double b, double c) => Math.FusedMultiplyAdd(a, b, c);

    private static float FusedMultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
#endif

    private static void CheckCount(int n)
    {
        if (n < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "linspace needs a count of at least 0");
        }
    }

    private static NotSupportedException CannotEmulate(LinspaceRounding rounding) =>
        new($"linspace rounding '{SemanticsProfile.LinspaceName(rounding)}' cannot be emulated");
}
