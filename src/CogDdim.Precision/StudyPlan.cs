using System.Collections.Immutable;
using CogDdim.Config;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Precision;

/// <summary>How the step's arithmetic is ordered.</summary>
public enum OpOrder
{
    /// <summary>diffusers' order: <c>x0</c> from the prediction, then <c>a_t * sample + b_t * x0</c>, each op rounded.</summary>
    Diffusers,

    /// <summary>
    /// Algebraically fused: <c>prev = c1 * sample + c2 * model_output</c> with <c>c1</c>, <c>c2</c> folded from the
    /// step coefficients in the table's dtype, so each element sees two products and one sum.
    /// </summary>
    Fused,
}

/// <summary>Which dtypes the trajectory loop uses.</summary>
public enum PipelineMode
{
    /// <summary>Latents and model output in one dtype; <c>prev_sample</c> is fed back as is.</summary>
    Pure,

    /// <summary>
    /// What <c>pipeline_cogvideox.py</c> does: float16/bfloat16 latents, a float32 model output (<c>noise_pred.float()</c>),
    /// a float32 <c>prev_sample</c>, cast back to the latents' dtype after every step.
    /// </summary>
    Pipeline,
}

/// <summary>Which diffusers scheduler the trajectories run.</summary>
public enum StudyScheduler
{
    /// <summary>CogVideoXDDIMScheduler (deterministic, eta = 0).</summary>
    Ddim,

    /// <summary>
    /// CogVideoXDPMScheduler (DPM-Solver++(2M), SDE form): each step adds seeded noise (the same draws, rounded to
    /// bfloat16 and so exact in every dtype, for every run and the oracle) and the second-order steps use the
    /// previous step's pred_original_sample.
    /// </summary>
    Dpm,
}

/// <summary>One trajectory of the study: latent dtype × semantics profile × op order × pipeline mode.</summary>
public sealed record Variant(DType Dtype, SemanticsProfile Profile, OpOrder Order, PipelineMode Mode)
{
    /// <summary>The dtype of the model output and of <c>prev_sample</c>: float32 in pipeline mode.</summary>
    public DType ModelDtype => Mode == PipelineMode.Pipeline ? DType.Float32 : Dtype;

    public string Name => $"{Dtype.Name()}/{Profile.Name}/{OrderName(Order)}/{ModeName(Mode)}";

    public static string OrderName(OpOrder order) => order == OpOrder.Diffusers ? "diffusers" : "fused";

    public static string ModeName(PipelineMode mode) => mode == PipelineMode.Pure ? "pure" : "pipeline";

    public override string ToString() => Name;
}

/// <summary>Everything a study run needs; <see cref="Variants"/> expands the requested axes.</summary>
public sealed record StudyPlan
{
    /// <summary>The real CogVideoX-5b latent: batch 1, 13 latent frames, 16 channels, 60 × 90.</summary>
    public static readonly ImmutableArray<int> CogVideoXLatentShape = [1, 13, 16, 60, 90];

    /// <summary>A shape for tests: 2,048 elements.</summary>
    public static readonly ImmutableArray<int> SmallShape = [1, 2, 4, 16, 16];

    public required string ConfigName { get; init; }

    public required SchedulerConfig Config { get; init; }

    public int Steps { get; init; } = 50;

    /// <summary>DDIM (default) or DPM; a DPM study runs diffusers' op order only (the fused order is DDIM's algebra).</summary>
    public StudyScheduler Scheduler { get; init; } = StudyScheduler.Ddim;

    /// <summary>The seed of step i's noise draw in a DPM study (bfloat16-rounded normals, as the starting latents).</summary>
    public ulong NoiseSeed(int step) => Seed + 1_000_003UL + (ulong)step;

    public ImmutableArray<int> Shape { get; init; } = CogVideoXLatentShape;

    public ImmutableArray<DType> Dtypes { get; init; } = [DType.Float64, DType.Float32, DType.Float16, DType.BFloat16];

    public ImmutableArray<SemanticsProfile> Profiles { get; init; } = [SemanticsProfile.Torch2Cpu, SemanticsProfile.Torch113Cpu, SemanticsProfile.Opmath];

    public ImmutableArray<OpOrder> Orders { get; init; } = [OpOrder.Diffusers, OpOrder.Fused];

    public ImmutableArray<PipelineMode> Modes { get; init; } = [PipelineMode.Pure, PipelineMode.Pipeline];

    /// <summary>Seeds the starting latents and the stand-in model's content tensor.</summary>
    public ulong Seed { get; init; } = 7;

    /// <summary>
    /// A step whose median element error exceeds this many ULPs of the latent dtype is over budget (the median, not
    /// the p99: the elements nearest zero have tiny ULPs and put every dtype's p99 far above a few ULP).
    /// </summary>
    public double UlpBudget { get; init; } = 4;

    /// <summary>A step whose relative L2 error exceeds this is over budget.</summary>
    public double RelativeL2Budget { get; init; } = 1e-3;

    /// <summary>At most this many element chunks run at once (1 = sequential).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    public int ElementCount => HostTensor.ElementCount(Shape.AsSpan());

    /// <summary>
    /// Every combination of the requested axes that computes something distinct: pipeline mode only for float16 and
    /// bfloat16 (for float32 and float64 it is the pure loop), and for float32/float64 only profiles whose schedule
    /// rules differ (scalar policies only touch float16/bfloat16, so opmath's float64 run is torch 2.x CPU's).
    /// </summary>
    public IReadOnlyList<Variant> Variants()
    {
        var variants = new List<Variant>();
        foreach (var dtype in Dtypes)
        {
            var profiles = dtype.IsReduced() ? Profiles.ToList() : DistinctTableProfiles();
            foreach (var profile in profiles)
            {
                foreach (var mode in Modes)
                {
                    if (mode == PipelineMode.Pipeline && !dtype.IsReduced())
                    {
                        continue;
                    }

                    foreach (var order in Scheduler == StudyScheduler.Dpm ? Orders.Where(o => o == OpOrder.Diffusers) : Orders)
                    {
                        variants.Add(new Variant(dtype, profile, order, mode));
                    }
                }
            }
        }

        return variants;
    }

    private List<SemanticsProfile> DistinctTableProfiles()
    {
        var kept = new List<SemanticsProfile>();
        foreach (var profile in Profiles)
        {
            if (!kept.Any(k => SameTables(k, profile)))
            {
                kept.Add(profile);
            }
        }

        return kept;
    }

    private static bool SameTables(SemanticsProfile a, SemanticsProfile b) =>
        a.LinspaceFloat64 == b.LinspaceFloat64 && a.LinspaceFloat32 == b.LinspaceFloat32
        && a.CumprodFloat32Accumulator == b.CumprodFloat32Accumulator;
}
