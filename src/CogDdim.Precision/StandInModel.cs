using CogDdim.Config;

namespace CogDdim.Precision;

/// <summary>
/// The study's stand-in for the video transformer (<c>gaussian-denoiser-v1</c>): the exact prediction of a perfect
/// model for data whose elements are independent normals <c>x0 ~ N(μ, s²)</c>, with a fixed seeded "content"
/// tensor <c>μ ~ N(0, 1 − s²)</c> and <c>s² = 1/2</c> (so the clean latents have unit variance, like CogVideoX's
/// scaled VAE latents).
/// </summary>
/// <remarks>
/// For <c>x_t = sqrt(a) x0 + sqrt(1 − a) ε</c> the posterior mean is <c>x̂0 = μ + k (x_t − sqrt(a) μ)</c> with
/// <c>k = sqrt(a) s² / D</c>, <c>D = a s² + 1 − a</c>. Each prediction type is then linear in the sample:
/// <c>output = P(t) · sample + Q(t) · μ</c>, with
/// epsilon: <c>P = sqrt(1 − a) / D</c>, <c>Q = −sqrt(a) sqrt(1 − a) / D</c>;
/// sample: <c>P = k</c>, <c>Q = (1 − a) / D</c>;
/// v_prediction: <c>P = sqrt(a) sqrt(1 − a) (1 − s²) / D</c>, <c>Q = −sqrt(1 − a) / D</c>.
/// Why it is realistic enough for a study of the scheduler's arithmetic: samples and outputs keep unit-order
/// magnitudes at every step as real latents do; each output has the magnitude the prediction type really has;
/// an error in the sample feeds back through the model with the gain of the Bayes-optimal denoiser, as it would
/// through a trained one; and it is deterministic. What it leaves out is the network's own error, which is not
/// the scheduler's. <c>P</c> and <c>Q</c> are computed in double-double from the oracle's table; the oracle
/// applies them in double-double, every other run in double (rounding the output once to its model dtype).
/// </remarks>
public sealed class StandInModel
{
    public const string Name = "gaussian-denoiser-v1";

    /// <summary>The per-element variance of the clean data around the content tensor.</summary>
    public const double DataVariance = 0.5;

    private readonly Dictionary<long, (DoubleDouble P, DoubleDouble Q)> _coefficients = [];

    public StandInModel(PredictionType prediction, IReadOnlyList<DoubleDouble> alphasCumprod, IEnumerable<long> timesteps, int count, ulong seed)
    {
        Prediction = prediction;
        var normals = new SeededNormals(seed ^ 0x636F6E74656E74UL);
        var contentScale = Math.Sqrt(1 - DataVariance);
        Content = new double[count];
        for (var i = 0; i < count; i++)
        {
            Content[i] = contentScale * normals.Next();
        }

        foreach (var t in timesteps)
        {
            var index = (int)(t < 0 ? t + alphasCumprod.Count : t);
            _coefficients[t] = Coefficients(prediction, alphasCumprod[index]);
        }
    }

    public PredictionType Prediction { get; }

    /// <summary>μ: the clean latents' mean, a seeded normal tensor of variance 1 − s².</summary>
    public double[] Content { get; }

    /// <summary><c>(P, Q)</c> at timestep <paramref name="t"/>.</summary>
    public (DoubleDouble P, DoubleDouble Q) At(long t) =>
        _coefficients.TryGetValue(t, out var pq) ? pq : throw new ArgumentOutOfRangeException(nameof(t), t, "the stand-in model was not prepared for this timestep");

    public static (DoubleDouble P, DoubleDouble Q) Coefficients(PredictionType prediction, DoubleDouble alphaProd)
    {
        DoubleDouble variance = DataVariance;
        var one = DoubleDouble.One;
        var sqrtAlpha = DoubleDouble.Sqrt(alphaProd);
        var sqrtBeta = DoubleDouble.Sqrt(one - alphaProd);
        var d = (alphaProd * variance) + one - alphaProd;
        return prediction switch
        {
            PredictionType.Epsilon => (sqrtBeta / d, -(sqrtAlpha * sqrtBeta) / d),
            PredictionType.Sample => (sqrtAlpha * variance / d, (one - alphaProd) / d),
            PredictionType.VPrediction => (sqrtAlpha * sqrtBeta * (one - variance) / d, -sqrtBeta / d),
            _ => throw new ArgumentException($"the stand-in model has no prediction for '{prediction}'", nameof(prediction)),
        };
    }
}
