using CogDdim.Semantics;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Torch;

/// <summary>How a <see cref="TorchScheduler"/> computes.</summary>
public sealed record TorchSchedulerOptions
{
    /// <summary>Where the tables live and where step's tensors must be. Default: the CPU.</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>
    /// The torch build whose rounding to reproduce (a fixture suite's <c>reference.semantics</c>), or null for what this
    /// libtorch does on <see cref="Device"/> by itself: what diffusers computes on that device. On the CPU, null and
    /// <see cref="SemanticsProfile.Torch2Cpu"/> are the same.
    /// </summary>
    public SemanticsProfile? Profile { get; init; }

    /// <summary><see cref="TorchStepMode.Exact"/> (the default) or the opt-in <see cref="TorchStepMode.FastFused"/>.</summary>
    public TorchStepMode Mode { get; init; } = TorchStepMode.Exact;
}

/// <summary>How <c>step</c> issues its tensor ops.</summary>
public enum TorchStepMode
{
    /// <summary>diffusers' ops in diffusers' order, 0-dim scalars on the device: bit for bit what diffusers computes.</summary>
    Exact,

    /// <summary>
    /// Not bit-exact, opt-in: the step's scalars are computed once on the host and passed as plain numbers, and its
    /// multiply-adds are fused (<c>torch.add(x, y, alpha: s)</c>, which torch's CPU kernels compute with an FMA, in
    /// float32 for float16/bfloat16) and run in place. Fewer kernels and allocations; what it costs in ULP against the
    /// fixtures is measured in docs/torch-backend.md.
    /// </summary>
    FastFused,
}
