namespace CogDdim.Harness;

/// <summary>
/// One named rule of docs/reference-semantics.md: what diffusers + torch compute, the hint the harness gives when a
/// port breaks it, and the python-numpy example's mutants (<c>--mutant NAME</c>) that break this rule and nothing else.
/// </summary>
/// <param name="Id">The rule's stable name, as the doc writes it (<c>[rule: Id]</c>).</param>
/// <param name="Section">The doc section it sits in.</param>
/// <param name="Summary">The rule in one line.</param>
/// <param name="Hint">The <see cref="DiagnosisHints"/> code a port breaking the rule gets.</param>
/// <param name="Mutants">The example port's mutants for it.</param>
public sealed record SemanticRule(string Id, string Section, string Summary, string Hint, IReadOnlyList<string> Mutants);

/// <summary>The rules of docs/reference-semantics.md, in the doc's order.</summary>
public static class SemanticRules
{
    private const string Schedule = "Schedule";
    private const string SetTimesteps = "set_timesteps";
    private const string Step = "step";
    private const string DTypes = "Dtypes";
    private const string Noise = "add_noise / get_velocity";

    /// <summary>Every named rule.</summary>
    public static IReadOnlyList<SemanticRule> All { get; } =
    [
        new("betas-scaled-linear", Schedule, "scaled_linear: linspace of the square roots in float64, squared (x * x), everything after it float64", DiagnosisHints.Linspace, ["roots-float32"]),
        new("betas-linear", Schedule, "linear: linspace in float32", DiagnosisHints.Linspace, ["linear-float64"]),
        new("betas-cosine", Schedule, "squaredcos_cap_v2: Python doubles with math.cos (the platform's libm), min(..., 0.999), rounded to float32", DiagnosisHints.BetasCosine, ["cosine-float32"]),
        new("betas-trained", Schedule, "trained_betas: the values rounded to float32 (a float32 table)", DiagnosisHints.TableDType, ["trained-float64"]),
        new("linspace-torch2", Schedule, "torch 2.x linspace: fma(step, i, start) below N / 2, fma(-step, N - 1 - i, end) above, one rounding", DiagnosisHints.Linspace, ["linspace-unfused", "linspace-one-sided"]),
        new("linspace-torch113", Schedule, "torch 1.13 linspace: 256-bit blocks base + j * step, the last N mod (2 x lanes) elements with the fused scalar formula", DiagnosisHints.Linspace, ["linspace-no-tail"]),
        new("linspace-one", Schedule, "torch.linspace(start, end, 1) is [start]", DiagnosisHints.Linspace, ["linspace-one-step"]),
        new("alphas", Schedule, "alphas = 1 - betas in the betas' dtype", DiagnosisHints.Alphas, ["alphas-float32"]),
        new("cumprod-float32", Schedule, "a float32 cumprod keeps a float64 running product and rounds only each output to float32", DiagnosisHints.CumprodShiftRescale, ["cumprod-feedback"]),
        new("cumprod-float64", Schedule, "a float64 cumprod is a plain running product", DiagnosisHints.CumprodShiftRescale, ["cumprod-log"]),
        new("snr-shift", Schedule, "ac / (s + (1 - s) * ac), every op in the table's dtype", DiagnosisHints.CumprodShiftRescale, ["shift-float64"]),
        new("snr-shift-constant", Schedule, "1 - snr_shift_scale is a Python double, rounded to the table's dtype", DiagnosisHints.CumprodShiftRescale, ["shift-constant-in-dtype"]),
        new("shift-before-rescale", Schedule, "the SNR shift runs before the zero-SNR rescale", DiagnosisHints.CumprodShiftRescale, ["rescale-before-shift"]),
        new("zero-snr-rescale", Schedule, "the zero-SNR rescale of alphas_cumprod, in the table's dtype", DiagnosisHints.CumprodShiftRescale, ["rescale-float64"]),
        new("rescale-keeps-betas", Schedule, "the rescale changes alphas_cumprod only; betas and alphas stay as they were", DiagnosisHints.RescaleKeepsBetas, ["rescale-betas"]),
        new("final-alpha", Schedule, "final_alpha_cumprod: a float32 0-dim 1.0 with set_alpha_to_one, else alphas_cumprod[0]", DiagnosisHints.FinalAlpha, ["final-alpha-first", "final-alpha-table-dtype"]),
        new("schedule-attributes", Schedule, "before set_timesteps: timesteps = arange(T)[::-1] (int64), init_noise_sigma 1.0, order 1, len = num_train_timesteps", DiagnosisHints.ScheduleAttributes, ["initial-timesteps-ascending"]),
        new("too-many-steps", SetTimesteps, "N > num_train_timesteps raises ValueError", DiagnosisHints.Errors, ["no-step-limit"]),
        new("zero-steps", SetTimesteps, "set_timesteps(0): ZeroDivisionError for leading and trailing, no timesteps for linspace", DiagnosisHints.Errors, ["zero-steps-value-error"]),
        new("spacing-linspace", SetTimesteps, "linspace: round(np.linspace(0, T - 1, N)) reversed, halves to even", DiagnosisHints.TimestepSpacing, ["timesteps-half-up"]),
        new("linspace-n1", SetTimesteps, "numpy's linspace sets the last element to T - 1 only when N > 1: N = 1 gives [0]", DiagnosisHints.TimestepSpacing, ["linspace-last-always"]),
        new("spacing-leading", SetTimesteps, "leading: arange(N) * (T // N) reversed, + steps_offset", DiagnosisHints.TimestepSpacing, ["leading-no-offset"]),
        new("spacing-trailing", SetTimesteps, "trailing: ratio = T / N as a float, round(arange(T, 0, -ratio)) - 1", DiagnosisHints.TimestepSpacing, ["trailing-int-ratio"]),
        new("trailing-arange", SetTimesteps, "numpy's arange: ceil((0 - T) / -ratio) elements, element i = T + i * ((T - ratio) - T)", DiagnosisHints.TimestepSpacing, ["arange-plain", "arange-length-n"]),
        new("unknown-spacing", SetTimesteps, "an unknown timestep_spacing raises ValueError in set_timesteps, not at construction", DiagnosisHints.Errors, ["spacing-at-construction"]),
        new("prev-t", SetTimesteps, "step's prev_t = t - T // N whatever the spacing", DiagnosisHints.PrevTimestep, ["prev-next-timestep"]),
        new("step-before-set-timesteps", Step, "step before set_timesteps raises ValueError", DiagnosisHints.Errors, ["no-set-timesteps-check"]),
        new("timestep-index", Step, "alphas_cumprod[t] indexes as Python: a negative t from the end, t >= len or t < -len raises IndexError", DiagnosisHints.Errors, ["timestep-wraps", "negative-t-raises"]),
        new("step-check-order", Step, "step checks set_timesteps, then indexes alphas_cumprod (IndexError), then prediction_type (ValueError)", DiagnosisHints.Errors, ["prediction-type-first"]),
        new("prediction-type-at-step", Step, "an unknown prediction_type raises ValueError in step, not at construction", DiagnosisHints.Errors, ["prediction-type-at-construction"]),
        new("step-formula", Step, "x0 and prev_sample as written, the one division tensor / scalar", DiagnosisHints.Formula, ["x0-reciprocal"]),
        new("step-unfused", Step, "every tensor op rounds separately, nothing is fused", DiagnosisHints.Fma, ["fma-step"]),
        new("output-rounding", Step, "every op rounds to nearest, ties to even, in its result dtype", DiagnosisHints.OutputRounding, ["ulp-nudge"]),
        new("scalar-policy", Step, "a float64 0-dim scalar meets a float16/bfloat16 tensor as reference.semantics.scalar_policy says per form", DiagnosisHints.ScalarPolicy, ["scalar-opmath"]),
        new("scalar-policy-float32", Step, "a float32 0-dim scalar (float32 tables) follows the same policy, form by form", DiagnosisHints.ScalarPolicy, ["float32-scalar-opmath", "float32-scalar-cast"]),
        new("step-op-forms", Step, "step's multiplications are scalar * tensor, its division tensor / scalar", DiagnosisHints.ScalarPolicy, ["tensor-times-scalar"]),
        new("through-float32", DTypes, "float64 -> float16/bfloat16 goes through float32 (two roundings): .to() and a scalar cast alike", DiagnosisHints.ReducedRounding, ["direct-half"]),
        new("promotion", DTypes, "tensor-tensor ops promote: float16/bfloat16 with float32 -> float32, anything with float64 -> float64", DiagnosisHints.Promotion, ["no-promotion"]),
        new("reduced-rounding", DTypes, "float32 -> float16/bfloat16 rounds to nearest, ties to even, keeps subnormals", DiagnosisHints.ReducedRounding, ["bf16-ties-away", "f16-ties-away", "f16-flush-subnormals"]),
        new("noise-scalars", Noise, "alphas_cumprod converted to the sample's dtype first, then sqrt(a) and sqrt(1 - a) in that dtype", DiagnosisHints.NoiseScalars, ["noise-scalars-table-dtype"]),
        new("noise-formula", Noise, "noisy = sa * x + sb * noise, velocity = sa * noise - sb * sample, one rounding per op", DiagnosisHints.NoiseScalars, ["noise-fused"]),
    ];

    /// <summary>The rule with this id, or null.</summary>
    public static SemanticRule? Find(string id) => All.FirstOrDefault(r => r.Id == id);
}
