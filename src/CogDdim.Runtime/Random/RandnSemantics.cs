namespace CogDdim.Rng;

/// <summary>How torch's 16-wide <c>normal_</c> path (contiguous, 16 or more elements) computes a reduced dtype.</summary>
public enum RandnReducedKernel
{
    /// <summary>
    /// Every step rounds to the dtype: uniforms of the dtype's precision (11 or 8 bits), <c>1 - u</c>, <c>log</c>,
    /// <c>-2 * l</c>, <c>sqrt</c>, the angle (double → float → dtype), <c>cos</c>/<c>sin</c>, the product, the
    /// <c>* std</c> and the <c>+ mean</c> each rounded (torch 2.x for float16 and bfloat16; torch 1.13 for bfloat16,
    /// whose math functions already returned bfloat16).
    /// </summary>
    ReducedSteps,

    /// <summary>
    /// torch 1.13's float16: <c>std::log</c>, <c>std::sqrt</c>, <c>std::cos</c> and <c>std::sin</c> of a
    /// <c>c10::Half</c> run in float and return float, so only <c>1 - u</c>, the radius, the angle and the result
    /// are rounded to float16.
    /// </summary>
    FloatMath,
}

/// <summary>The transform of the serial path (fewer than 16 elements, or a non-contiguous tensor).</summary>
public enum RandnSerialLog
{
    /// <summary><c>r = sqrt(-2 * log1p(-u2))</c> (torch 2.x).</summary>
    Log1p,

    /// <summary><c>r = sqrt(-2 * log(1 - u2))</c> (torch 1.13).</summary>
    LogOneMinus,
}

/// <summary>How the float32 16-wide path computes log and sin/cos.</summary>
public enum RandnFloat32Kernel
{
    /// <summary>The AVX2 Cephes polynomials (<c>log256_ps</c>, <c>sincos256_ps</c>) with GCC's fused multiply-adds: x86-64 builds with AVX2 or AVX-512.</summary>
    Avx2Cephes,

    /// <summary>The scalar kernel with libm's <c>logf</c>/<c>cosf</c>/<c>sinf</c> (builds without AVX2).</summary>
    Libm,
}

/// <summary>
/// The randn rules of one torch CPU build: the places where <c>torch.randn(shape, generator=g, dtype=…)</c> gives
/// different bits on different builds for the same seed. Carried by <see cref="Semantics.SemanticsProfile.Randn"/>.
/// </summary>
public sealed record RandnSemantics
{
    /// <summary>The rules' name (<c>torch2-cpu</c>, <c>torch113-cpu</c>), as <see cref="FindByName"/> and fixtures spell it.</summary>
    public required string Name { get; init; }

    /// <summary>How float32 draws of 16 or more contiguous elements compute log and sin/cos.</summary>
    public required RandnFloat32Kernel Float32 { get; init; }

    /// <summary>How float16 draws of 16 or more contiguous elements round.</summary>
    public required RandnReducedKernel Float16 { get; init; }

    /// <summary>How bfloat16 draws of 16 or more contiguous elements round.</summary>
    public required RandnReducedKernel BFloat16 { get; init; }

    /// <summary>The Box–Muller radius of the serial path (fewer than 16 elements, or non-contiguous).</summary>
    public required RandnSerialLog SerialLog { get; init; }

    /// <summary>torch 2.x on x86-64 (measured: 2.6.0, AVX-512 capability).</summary>
    public static RandnSemantics Torch2Cpu { get; } = new()
    {
        Name = "torch2-cpu",
        Float32 = RandnFloat32Kernel.Avx2Cephes,
        Float16 = RandnReducedKernel.ReducedSteps,
        BFloat16 = RandnReducedKernel.ReducedSteps,
        SerialLog = RandnSerialLog.Log1p,
    };

    /// <summary>torch 1.13 on x86-64 (measured: 1.13.0 Debian, AVX2 capability).</summary>
    public static RandnSemantics Torch113Cpu { get; } = new()
    {
        Name = "torch113-cpu",
        Float32 = RandnFloat32Kernel.Avx2Cephes,
        Float16 = RandnReducedKernel.FloatMath,
        BFloat16 = RandnReducedKernel.ReducedSteps,
        SerialLog = RandnSerialLog.LogOneMinus,
    };

    /// <summary>The measured builds: <see cref="Torch2Cpu"/>, <see cref="Torch113Cpu"/>.</summary>
    public static IReadOnlyList<RandnSemantics> Named { get; } = [Torch2Cpu, Torch113Cpu];

    /// <summary>The <see cref="Named"/> rules called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static RandnSemantics? FindByName(string name) =>
        Named.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}
