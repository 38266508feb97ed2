using System.Numerics;
using System.Runtime.CompilerServices;
using CogDdim.Semantics;

namespace CogDdim.Scheduling;

/// <summary>
/// One element of diffusers' <c>CogVideoXDPMScheduler.step</c> with every rounding point of torch kept: the formula
/// the scalar reference loops over, and the fast scheduler's path for pairings it does not vectorize.
/// </summary>
/// <remarks>
/// First order: <c>mult1 * sample - mult2 * x0 + mult_noise * noise</c>. Second order: the same with
/// <c>d = mult3 * x0 - mult4 * old_pred_original_sample</c> in place of <c>x0</c>. Each product of a 0-dim scalar
/// with a tensor is rounded to that tensor's dtype (the sample's, the noise's = the sample's, or the model
/// output's); the sums run in the promoted dtype, left to right, as Python evaluates them.
/// </remarks>
public static class DpmStepFormula
{
    /// <summary>prev_sample of one element; the result has the model output's dtype.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TModel PrevSample<TTable, TSample, TModel>(
        in DpmCoefficients<TTable> c, bool secondOrder, SemanticsProfile profile, TSample sample, TModel predOriginalSample, TModel oldPredOriginalSample, TSample noise)
        where TTable : IFloatingPointIeee754<TTable>
        where TSample : IFloatingPointIeee754<TSample>
        where TModel : IFloatingPointIeee754<TModel>
    {
        var denoised = predOriginalSample;
        if (secondOrder)
        {
            // mult[2] * pred_original_sample - mult[3] * old_pred_original_sample
            denoised = TorchArithmetic.ScalarTimesTensor(c.Mult3, predOriginalSample, profile)
                - TorchArithmetic.ScalarTimesTensor(c.Mult4, oldPredOriginalSample, profile);
        }

        // mult[0] * sample - mult[1] * denoised + mult_noise * noise
        var carried = TorchArithmetic.ScalarTimesTensor(c.Mult1, sample, profile);
        var predicted = TorchArithmetic.ScalarTimesTensor(c.Mult2, denoised, profile);
        var noiseTerm = TorchArithmetic.ScalarTimesTensor(c.MultNoise, noise, profile);
        return (TorchArithmetic.Widen<TSample, TModel>(carried) - predicted) + TorchArithmetic.Widen<TSample, TModel>(noiseTerm);
    }

    /// <summary>pred_original_sample and prev_sample of one element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (TModel PrevSample, TModel PredOriginalSample) Element<TTable, TSample, TModel>(
        CogDdim.Config.PredictionType prediction, in DpmCoefficients<TTable> c, bool secondOrder, SemanticsProfile profile,
        TSample sample, TModel modelOutput, TModel oldPredOriginalSample, TSample noise)
        where TTable : IFloatingPointIeee754<TTable>
        where TSample : IFloatingPointIeee754<TSample>
        where TModel : IFloatingPointIeee754<TModel>
    {
        var x0 = DdimStepFormula.OriginalSample<TTable, TSample, TModel>(prediction, c.SqrtAlphaProd, c.SqrtBetaProd, profile, sample, modelOutput);
        return (PrevSample(c, secondOrder, profile, sample, x0, oldPredOriginalSample, noise), x0);
    }
}
