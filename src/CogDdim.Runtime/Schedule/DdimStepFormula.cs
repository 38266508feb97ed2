using System.Numerics;
using System.Runtime.CompilerServices;
using CogDdim.Config;
using CogDdim.Semantics;

namespace CogDdim.Scheduling;

/// <summary>
/// One element of diffusers' DDIM <c>step</c> (eta = 0) with every rounding point of torch kept: the formula the
/// scalar reference loops over, and the fast scheduler's path for pairings it does not vectorize.
/// </summary>
public static class DdimStepFormula
{
    /// <summary>
    /// pred_original_sample from the prediction type, then <c>a_t * sample + b_t * pred_original_sample</c>; both results
    /// in the model output's dtype (torch's promotion).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (TModel PrevSample, TModel PredOriginalSample) Element<TTable, TSample, TModel>(
        PredictionType prediction, in StepCoefficients<TTable> c, SemanticsProfile profile, TSample sample, TModel modelOutput)
        where TTable : IFloatingPointIeee754<TTable>
        where TSample : IFloatingPointIeee754<TSample>
        where TModel : IFloatingPointIeee754<TModel>
    {
        var x0 = OriginalSample<TTable, TSample, TModel>(prediction, c.SqrtAlphaProd, c.SqrtBetaProd, profile, sample, modelOutput);

        // a_t * sample + b_t * pred_original_sample
        var carried = TorchArithmetic.ScalarTimesTensor(c.At, sample, profile);
        var predicted = TorchArithmetic.ScalarTimesTensor(c.Bt, x0, profile);
        return (TorchArithmetic.Widen<TSample, TModel>(carried) + predicted, x0);
    }

    /// <summary>
    /// pred_original_sample from the prediction type, in the model output's dtype: <c>(sample - sqrt(1 - a) *
    /// model_output) / sqrt(a)</c>, <c>model_output</c> or <c>sqrt(a) * sample - sqrt(1 - a) * model_output</c>.
    /// DDIM's and DPM's step share it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TModel OriginalSample<TTable, TSample, TModel>(
        PredictionType prediction, TTable sqrtAlphaProd, TTable sqrtBetaProd, SemanticsProfile profile, TSample sample, TModel modelOutput)
        where TTable : IFloatingPointIeee754<TTable>
        where TSample : IFloatingPointIeee754<TSample>
        where TModel : IFloatingPointIeee754<TModel>
    {
        switch (prediction)
        {
            case PredictionType.Epsilon:
                // (sample - sqrt(beta) * model_output) / sqrt(a)
                var noiseTerm = TorchArithmetic.ScalarTimesTensor(sqrtBetaProd, modelOutput, profile);
                var difference = TorchArithmetic.Widen<TSample, TModel>(sample) - noiseTerm;
                return TorchArithmetic.TensorDivScalar(difference, sqrtAlphaProd, profile);
            case PredictionType.Sample:
                return modelOutput;
            case PredictionType.VPrediction:
                // sqrt(a) * sample - sqrt(beta) * model_output
                var sampleTerm = TorchArithmetic.ScalarTimesTensor(sqrtAlphaProd, sample, profile);
                var velocityTerm = TorchArithmetic.ScalarTimesTensor(sqrtBetaProd, modelOutput, profile);
                return TorchArithmetic.Widen<TSample, TModel>(sampleTerm) - velocityTerm;
            default:
                throw UnknownPrediction(prediction);
        }
    }

    /// <summary>diffusers' ValueError text for a prediction type it does not know.</summary>
    public static ArgumentException UnknownPrediction(object prediction) =>
        new($"prediction_type given as {prediction} must be one of `epsilon`, `sample`, or `v_prediction`");
}
