using System.Numerics;
using System.Runtime.CompilerServices;
using CogDdim.Numerics;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Scheduling;

/// <summary>
/// How torch's CPU kernels round one element when a 0-dim scalar (in the schedule table's dtype) meets a tensor of
/// the element type. See <c>docs/reference-semantics.md</c>, "How a float64 scalar meets a tensor".
/// </summary>
public static class TorchArithmetic
{
    /// <summary>Half and bfloat16: computed in float32, rounded once.</summary>
    public static bool IsReduced<T>() => typeof(T) == typeof(Half) || typeof(T) == typeof(BFloat16);

    /// <summary>
    /// <c>tensor.to(dtype)</c> of one value. float64 → float16/bfloat16 goes through float32 (two roundings), as
    /// <c>c10::Half</c> and <c>c10::BFloat16</c> are built from float.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TTo Convert<TFrom, TTo>(TFrom value)
        where TFrom : INumberBase<TFrom>
        where TTo : INumberBase<TTo>
    {
        if (typeof(TFrom) == typeof(TTo))
        {
            return Unsafe.As<TFrom, TTo>(ref value);
        }

        return IsReduced<TTo>() ? TTo.CreateTruncating(float.CreateTruncating(value)) : TTo.CreateTruncating(value);
    }

    /// <summary><c>scalar * tensor</c> for one element, under the profile's policy for the tensor's dtype.</summary>
    public static T ScalarTimesTensor<TScalar, T>(TScalar scalar, T x, SemanticsProfile profile)
        where TScalar : INumberBase<TScalar>
        where T : IFloatingPointIeee754<T>
    {
        if (IsReduced<T>() && Policy<T>(profile, ScalarForm.ScalarTimesTensor) == ScalarPolicy.Opmath)
        {
            return T.CreateTruncating(float.CreateTruncating(scalar) * float.CreateTruncating(x));
        }

        return Convert<TScalar, T>(scalar) * x;
    }

    /// <summary><c>tensor / scalar</c> for one element, under the profile's policy for the tensor's dtype.</summary>
    public static T TensorDivScalar<TScalar, T>(T x, TScalar scalar, SemanticsProfile profile)
        where TScalar : INumberBase<TScalar>
        where T : IFloatingPointIeee754<T>
    {
        if (IsReduced<T>() && Policy<T>(profile, ScalarForm.TensorDivScalar) == ScalarPolicy.Opmath)
        {
            return T.CreateTruncating(float.CreateTruncating(x) / float.CreateTruncating(scalar));
        }

        return x / Convert<TScalar, T>(scalar);
    }

    /// <summary>Exact widening of a tensor element to the promoted dtype of a tensor-tensor op.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TWide Widen<TNarrow, TWide>(TNarrow x)
        where TNarrow : INumberBase<TNarrow>
        where TWide : INumberBase<TWide>
    {
        if (typeof(TNarrow) == typeof(TWide))
        {
            return Unsafe.As<TNarrow, TWide>(ref x);
        }

        return TWide.CreateTruncating(x);
    }

    private static ScalarPolicy Policy<T>(SemanticsProfile profile, ScalarForm form) =>
        profile.PolicyFor(typeof(T) == typeof(Half) ? DType.Float16 : DType.BFloat16, form);
}
