using System.Collections.Immutable;
using CogDdim.Tensors;

namespace CogDdim.Semantics;

/// <summary>How a float64 (or float32) 0-dim scalar meets a float16/bfloat16 tensor.</summary>
public enum ScalarPolicy
{
    /// <summary>The scalar is first rounded to the tensor's dtype (through float32), then the op runs in float32 and rounds once.</summary>
    Cast,

    /// <summary>The scalar is rounded to float32 only; the op runs in float32 and rounds once.</summary>
    Opmath,
}

/// <summary>The written form of an op between a 0-dim scalar and a tensor, as the fixture format names them.</summary>
public enum ScalarForm
{
    /// <summary><c>scalar * tensor</c> (fixture name <c>scalar*tensor</c>).</summary>
    ScalarTimesTensor,
    /// <summary><c>tensor * scalar</c> (<c>tensor*scalar</c>).</summary>
    TensorTimesScalar,
    /// <summary><c>tensor / scalar</c> (<c>tensor/scalar</c>).</summary>
    TensorDivScalar,
    /// <summary><c>tensor - scalar</c> (<c>tensor-scalar</c>).</summary>
    TensorMinusScalar,
    /// <summary><c>scalar - tensor</c> (<c>scalar-tensor</c>).</summary>
    ScalarMinusTensor,
    /// <summary><c>tensor + scalar</c> (<c>tensor+scalar</c>).</summary>
    TensorPlusScalar,
}

/// <summary>How torch's CPU <c>linspace</c> rounds.</summary>
public enum LinspaceRounding
{
    /// <summary><c>fma(step, i, start)</c> in the first half, <c>fma(-step, n-1-i, end)</c> in the second.</summary>
    Fused,

    /// <summary>The same formulas with a separate multiply and add.</summary>
    Unfused,

    /// <summary>torch 1.13 on AVX2: 256-bit blocks from a fused base, lanes <c>base + j * step</c>, a fused scalar tail.</summary>
    Vectorized256,

    /// <summary>None of the known ways: cannot be emulated.</summary>
    Other,
}

/// <summary>How torch's CPU <c>cumprod</c> of a float32 tensor (the alphas) accumulates.</summary>
public enum CumprodAccumulator
{
    /// <summary>A float32 cumprod accumulates in float64 and rounds each running product (torch CPU).</summary>
    Float64,

    /// <summary>A float32 cumprod accumulates in float32.</summary>
    Float32,
}

/// <summary>
/// The places where torch builds compute differently (<c>reference.semantics</c> of a fixture suite), as one named
/// profile. See <c>docs/reference-semantics.md</c>.
/// </summary>
/// <remarks>
/// The source generator compiles this file too (linked into CogDdim.Generators, netstandard2.0), so the profiles it
/// computes tables for and matches fixtures against are these: keep it free of APIs newer than netstandard2.0.
/// </remarks>
public sealed record SemanticsProfile
{
    /// <summary>Every <see cref="ScalarForm"/>, in declaration order.</summary>
    internal static IReadOnlyList<ScalarForm> Forms { get; } =
    [
        ScalarForm.ScalarTimesTensor, ScalarForm.TensorTimesScalar, ScalarForm.TensorDivScalar,
        ScalarForm.TensorMinusScalar, ScalarForm.ScalarMinusTensor, ScalarForm.TensorPlusScalar,
    ];

    /// <summary>The profile's name as fixtures and the command line spell it (<c>torch2-cpu</c>, <c>torch113-cpu</c>, <c>opmath</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Policy per (float16 or bfloat16, form); a missing entry means <see cref="ScalarPolicy.Cast"/>.</summary>
    public required ImmutableSortedDictionary<(DType DType, ScalarForm Form), ScalarPolicy> ScalarPolicies { get; init; }

    /// <summary>How a float64 <c>linspace</c> rounds (the scaled_linear betas' square roots).</summary>
    public required LinspaceRounding LinspaceFloat64 { get; init; }

    /// <summary>How a float32 <c>linspace</c> rounds (the linear betas).</summary>
    public required LinspaceRounding LinspaceFloat32 { get; init; }

    /// <summary>How a float32 <c>cumprod</c> accumulates (alphas_cumprod of a float32 table).</summary>
    public required CumprodAccumulator CumprodFloat32Accumulator { get; init; }

    /// <summary>How this build's <c>torch.randn</c> draws (not part of a suite's recorded <c>semantics</c>, nor of <see cref="SameRules"/>).</summary>
    public Rng.RandnSemantics Randn { get; init; } = Rng.RandnSemantics.Torch2Cpu;

    /// <summary>How a 0-dim scalar meets a <paramref name="dtype"/> tensor in <paramref name="form"/>; <see cref="ScalarPolicy.Cast"/> when <see cref="ScalarPolicies"/> has no entry.</summary>
    /// <param name="dtype">The tensor's dtype (only float16 and bfloat16 have entries).</param>
    /// <param name="form">The op's written form.</param>
    public ScalarPolicy PolicyFor(DType dtype, ScalarForm form) =>
        ScalarPolicies.TryGetValue((dtype, form), out var policy) ? policy : ScalarPolicy.Cast;

    /// <summary><see cref="LinspaceFloat64"/> for <see cref="DType.Float64"/>, otherwise <see cref="LinspaceFloat32"/>.</summary>
    /// <param name="dtype">The linspace's dtype.</param>
    public LinspaceRounding LinspaceFor(DType dtype) => dtype == DType.Float64 ? LinspaceFloat64 : LinspaceFloat32;

    /// <summary>torch 2.x on an x86-64 CPU with FMA: the primary fixtures (torch 2.6).</summary>
    public static SemanticsProfile Torch2Cpu { get; } = new()
    {
        Name = "torch2-cpu",
        ScalarPolicies = Policies(form => form is ScalarForm.TensorTimesScalar or ScalarForm.TensorDivScalar
            ? ScalarPolicy.Opmath
            : ScalarPolicy.Cast),
        LinspaceFloat64 = LinspaceRounding.Fused,
        LinspaceFloat32 = LinspaceRounding.Fused,
        CumprodFloat32Accumulator = CumprodAccumulator.Float64,
    };

    /// <summary>torch 1.13 on an AVX2 CPU: every scalar is rounded to the tensor's dtype, linspace vectorized.</summary>
    public static SemanticsProfile Torch113Cpu { get; } = new()
    {
        Name = "torch113-cpu",
        ScalarPolicies = Policies(_ => ScalarPolicy.Cast),
        LinspaceFloat64 = LinspaceRounding.Vectorized256,
        LinspaceFloat32 = LinspaceRounding.Vectorized256,
        CumprodFloat32Accumulator = CumprodAccumulator.Float64,
        Randn = Rng.RandnSemantics.Torch113Cpu,
    };

    /// <summary>
    /// How CUDA treats scalars (from torch's source, not measured here): every scalar meets a reduced tensor as
    /// float32. The tables follow torch 2.x CPU.
    /// </summary>
    public static SemanticsProfile Opmath { get; } = new()
    {
        Name = "opmath",
        ScalarPolicies = Policies(_ => ScalarPolicy.Opmath),
        LinspaceFloat64 = LinspaceRounding.Fused,
        LinspaceFloat32 = LinspaceRounding.Fused,
        CumprodFloat32Accumulator = CumprodAccumulator.Float64,
    };

    /// <summary>The named profiles: <see cref="Torch2Cpu"/>, <see cref="Torch113Cpu"/>, <see cref="Opmath"/>.</summary>
    public static IReadOnlyList<SemanticsProfile> Named { get; } = [Torch2Cpu, Torch113Cpu, Opmath];

    /// <summary>The <see cref="Named"/> profile called <paramref name="name"/> (case-insensitive), or null.</summary>
    /// <param name="name">A profile name such as <c>torch2-cpu</c>.</param>
    public static SemanticsProfile? FindByName(string name) =>
        Named.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The named profile with the same rules as this one, if there is one.</summary>
    public SemanticsProfile? MatchNamed() => Named.FirstOrDefault(SameRules);

    /// <summary>Whether <paramref name="other"/> rounds the schedule and step as this one does (linspace, cumprod, every reduced-dtype scalar policy); names and <see cref="Randn"/> are not compared.</summary>
    /// <param name="other">The profile to compare with.</param>
    public bool SameRules(SemanticsProfile other) =>
        LinspaceFloat32 == other.LinspaceFloat32
        && LinspaceFloat64 == other.LinspaceFloat64
        && CumprodFloat32Accumulator == other.CumprodFloat32Accumulator
        && DTypes.FloatingPoint.Where(d => d.IsReduced())
            .All(d => Forms.All(f => PolicyFor(d, f) == other.PolicyFor(d, f)));

    /// <summary>The fixture format's name of <paramref name="form"/> (<c>scalar*tensor</c>, <c>tensor/scalar</c>, …).</summary>
    /// <param name="form">The op's written form.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="form"/> is not a member of <see cref="ScalarForm"/>.</exception>
    public static string FormName(ScalarForm form) => form switch
    {
        ScalarForm.ScalarTimesTensor => "scalar*tensor",
        ScalarForm.TensorTimesScalar => "tensor*scalar",
        ScalarForm.TensorDivScalar => "tensor/scalar",
        ScalarForm.TensorMinusScalar => "tensor-scalar",
        ScalarForm.ScalarMinusTensor => "scalar-tensor",
        ScalarForm.TensorPlusScalar => "tensor+scalar",
        _ => throw new ArgumentOutOfRangeException(nameof(form)),
    };

    /// <summary>Parses a <see cref="FormName"/> (exact match); false for any other string.</summary>
    /// <param name="name">The fixture format's name.</param>
    /// <param name="form">The form, or the default when parsing fails.</param>
    public static bool TryParseForm(string name, out ScalarForm form)
    {
        foreach (var candidate in Forms)
        {
            if (FormName(candidate) == name)
            {
                form = candidate;
                return true;
            }
        }

        form = default;
        return false;
    }

    /// <summary>The fixture format's name of <paramref name="rounding"/>: <c>fused</c>, <c>unfused</c>, <c>vectorized-256</c> or <c>other</c>.</summary>
    /// <param name="rounding">The linspace rounding.</param>
    public static string LinspaceName(LinspaceRounding rounding) => rounding switch
    {
        LinspaceRounding.Fused => "fused",
        LinspaceRounding.Unfused => "unfused",
        LinspaceRounding.Vectorized256 => "vectorized-256",
        _ => "other",
    };

    /// <summary>Parses a <see cref="LinspaceName"/>; any unknown name is <see cref="LinspaceRounding.Other"/>.</summary>
    /// <param name="name">The fixture format's name.</param>
    public static LinspaceRounding ParseLinspace(string name) => name switch
    {
        "fused" => LinspaceRounding.Fused,
        "unfused" => LinspaceRounding.Unfused,
        "vectorized-256" => LinspaceRounding.Vectorized256,
        _ => LinspaceRounding.Other,
    };

    private static ImmutableSortedDictionary<(DType, ScalarForm), ScalarPolicy> Policies(Func<ScalarForm, ScalarPolicy> rule)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<(DType, ScalarForm), ScalarPolicy>();
        foreach (var dtype in new[] { DType.Float16, DType.BFloat16 })
        {
            foreach (var form in Forms)
            {
                builder[(dtype, form)] = rule(form);
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>The <see cref="Name"/>.</summary>
    public override string ToString() => Name;
}
