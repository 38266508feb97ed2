using System.Numerics;

namespace CogDdim.Scheduling;

/// <summary>
/// The 0-dim scalars of one <c>step</c>, in the table's dtype: <c>sqrt(a)</c>, <c>sqrt(1 - a)</c>,
/// <c>a_t = sqrt((1 - ap) / (1 - a))</c> and <c>b_t = sqrt(ap) - sqrt(a) * a_t</c>, with <c>a = ac[t]</c> and
/// <c>ap = ac[t - T // N]</c> (or final_alpha_cumprod).
/// </summary>
public readonly record struct StepCoefficients<T>(long Timestep, long PrevTimestep, T AlphaProd, T AlphaProdPrev, T SqrtAlphaProd, T SqrtBetaProd, T At, T Bt)
    where T : IFloatingPointIeee754<T>
{
    /// <summary>The scalars from <c>a = alpha_prod_t</c> and <c>ap = alpha_prod_t_prev</c>, each op rounded to <typeparamref name="T"/> as torch's 0-dim tensors round.</summary>
    /// <param name="timestep">The step's timestep <c>t</c>.</param>
    /// <param name="prevTimestep"><c>t - num_train_timesteps // num_inference_steps</c> (negative for the last step).</param>
    /// <param name="alphaProd"><c>alphas_cumprod[t]</c>.</param>
    /// <param name="alphaProdPrev"><c>alphas_cumprod[prev_t]</c>, or final_alpha_cumprod when prev_t is negative.</param>
    public static StepCoefficients<T> Compute(long timestep, long prevTimestep, T alphaProd, T alphaProdPrev)
    {
        var betaProd = T.One - alphaProd;
        var sqrtAlphaProd = T.Sqrt(alphaProd);
        var sqrtBetaProd = T.Sqrt(betaProd);
        var at = T.Sqrt((T.One - alphaProdPrev) / (T.One - alphaProd));
        var bt = T.Sqrt(alphaProdPrev) - (sqrtAlphaProd * at);
        return new StepCoefficients<T>(timestep, prevTimestep, alphaProd, alphaProdPrev, sqrtAlphaProd, sqrtBetaProd, at, bt);
    }
}
