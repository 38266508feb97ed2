using CogDdim.Semantics;
using CogDdim.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Torch;

/// <summary>
/// How a 0-dim scalar in the table's dtype meets a tensor in <c>step</c>, written as diffusers writes it
/// (<c>scalar * tensor</c>, <c>tensor / scalar</c>). Where the profile wants what this libtorch does on the device
/// anyway, the op is issued as written; where it wants the other rounding (torch 1.13's "cast" on torch 2.x, say),
/// the op is issued in the form that computes it. See docs/reference-semantics.md, "How a float64 scalar meets a tensor".
/// </summary>
internal sealed class ScalarArithmetic(SemanticsProfile? profile, Device device)
{
    /// <summary>diffusers' <c>scalar * tensor</c>.</summary>
    public Tensor Multiply(Tensor scalar, Tensor tensor) =>
        WantedPolicy(tensor, ScalarForm.ScalarTimesTensor) switch
        {
            ScalarPolicy.Cast => scalar.to_type(tensor.dtype).mul(tensor),
            ScalarPolicy.Opmath => InFloat32(tensor, x => scalar.to_type(ScalarType.Float32).mul(x)),
            _ => scalar.mul(tensor),
        };

    /// <summary>diffusers' <c>tensor / scalar</c>.</summary>
    public Tensor Divide(Tensor tensor, Tensor scalar) =>
        WantedPolicy(tensor, ScalarForm.TensorDivScalar) switch
        {
            ScalarPolicy.Cast => tensor.div(scalar.to_type(tensor.dtype)),
            ScalarPolicy.Opmath => InFloat32(tensor, x => x.div(scalar.to_type(ScalarType.Float32))),
            _ => tensor.div(scalar),
        };

    /// <summary>
    /// What libtorch 2.x does by itself when a float64/float32 0-dim tensor meets a float16/bfloat16 tensor. On the CPU
    /// the 0-dim operand of <c>scalar * tensor</c> is cast to the tensor's dtype by TensorIterator, while
    /// <c>tensor * scalar</c> and <c>tensor / scalar</c> read it as float32 (the reduced-float scalar fast path of
    /// mul and div). CUDA kernels load every operand as float32 (opmath).
    /// </summary>
    public static ScalarPolicy NativePolicy(DeviceType device, ScalarForm form) =>
        device == DeviceType.CPU && form is not (ScalarForm.TensorTimesScalar or ScalarForm.TensorDivScalar)
            ? ScalarPolicy.Cast
            : ScalarPolicy.Opmath;

    /// <summary>The policy to emulate, or null when the op as written already computes what the profile says.</summary>
    private ScalarPolicy? WantedPolicy(Tensor tensor, ScalarForm form)
    {
        if (profile is null || tensor.dtype.ToDType() is not { } dtype || !dtype.IsReduced())
        {
            return null;
        }

        var wanted = profile.PolicyFor(dtype, form);
        return wanted == NativePolicy(device.type, form) ? null : wanted;
    }

    /// <summary>The op in float32, rounded once to the tensor's dtype: what an opmath kernel does.</summary>
    private static Tensor InFloat32(Tensor tensor, Func<Tensor, Tensor> op) =>
        op(tensor.to_type(ScalarType.Float32)).to_type(tensor.dtype);
}
