using System.Globalization;
using CogDdim.Conformance;
using CogDdim.Fixtures;

namespace CogDdim.Harness;

/// <summary>A likely cause, judged from the pattern of differences, with the evidence that points to it.</summary>
/// <param name="Code">One of the <see cref="DiagnosisHints"/> codes, e.g. <c>scalar-policy</c>.</param>
/// <param name="Title">The likely cause and the rule to follow.</param>
/// <param name="Evidence">What in the run points to it.</param>
public sealed record DiagnosisHint(string Code, string Title, string Evidence)
{
    /// <summary><c>[code] title (evidence)</c>.</summary>
    public override string ToString() => $"[{Code}] {Title} ({Evidence})";
}

/// <summary>
/// Reads the pattern of failures and names the known semantic a port most likely missed
/// (docs/reference-semantics.md; <see cref="SemanticRules"/> says which hint each named rule gets). Each hint looks at
/// where differences are and where they are not.
/// </summary>
public static class DiagnosisHints
{
    /// <summary>The port broke as a process: crashed, hung, or wrote something that is not a reply.</summary>
    public const string Process = "process";
    /// <summary>NaN where the reference has numbers, or numbers where it has NaN.</summary>
    public const string NaN = "nan";
    /// <summary>A bf16/fp16 sample with a float32 model output must give float32 results (torch's type promotion).</summary>
    public const string Promotion = "promotion";
    /// <summary>Outputs have the wrong shape or dtype, for no more specific reason.</summary>
    public const string ShapeOrDType = "shape-dtype";
    /// <summary>A call fails where diffusers does not, succeeds where it fails, or fails with another error class.</summary>
    public const string Errors = "error-class";
    /// <summary>Betas differ: torch's CPU linspace rounding (<c>reference.semantics.linspace_rounding</c>), or the betas squared or rounded in another dtype.</summary>
    public const string Linspace = "linspace";
    /// <summary><c>squaredcos_cap_v2</c> betas differ: alpha_bar in Python doubles with math.cos, clipped at 0.999, then rounded to float32.</summary>
    public const string BetasCosine = "betas-cosine";
    /// <summary>Trained betas differ: the given values rounded to float32.</summary>
    public const string BetasTrained = "betas-trained";
    /// <summary>The tables have the wrong dtype: float64 for <c>scaled_linear</c>, float32 otherwise.</summary>
    public const string TableDType = "table-dtype";
    /// <summary>Betas differ only with <c>rescale_betas_zero_snr</c>: the rescale changes alphas_cumprod only, not betas and alphas.</summary>
    public const string RescaleKeepsBetas = "rescale-keeps-betas";
    /// <summary>The attributes before set_timesteps differ: <c>timesteps</c>, <c>init_noise_sigma</c>, <c>order</c> or <c>len</c>.</summary>
    public const string ScheduleAttributes = "schedule-attributes";
    /// <summary>Only float16/bfloat16 differ, in step and add_noise/get_velocity alike: the rounding to the reduced dtype itself.</summary>
    public const string ReducedRounding = "reduced-rounding";
    /// <summary>Alphas differ while betas match: <c>1 - betas</c> must be computed in the betas' dtype.</summary>
    public const string Alphas = "alphas";
    /// <summary>alphas_cumprod differs while alphas match: the float64 accumulator of a float32 cumprod, the SNR shift or the zero-SNR rescale.</summary>
    public const string CumprodShiftRescale = "cumprod-shift-rescale";
    /// <summary>final_alpha_cumprod (or the steps whose prev_t &lt; 0, which use it) differ: its value, dtype or promotion.</summary>
    public const string FinalAlpha = "final-alpha";
    /// <summary>set_timesteps gives other timesteps: numpy's linspace, leading and trailing rules.</summary>
    public const string TimestepSpacing = "timestep-spacing";
    /// <summary>step takes <c>prev_t = t - num_train_timesteps // num_inference_steps</c> whatever the spacing; the failures are where that is not the next timestep.</summary>
    public const string PrevTimestep = "prev-t";
    /// <summary>Only float16/bfloat16 step results differ: the scalar policy (<c>reference.semantics.scalar_policy</c>: cast or opmath).</summary>
    public const string ScalarPolicy = "scalar-policy";
    /// <summary>prev_sample is one ULP off in every dtype while pred_original_sample matches: its last rounding is wrong.</summary>
    public const string OutputRounding = "output-rounding";
    /// <summary>Only float32/float64 differ, by a few ULP: an operation is fused or reordered where torch rounds every op.</summary>
    public const string Fma = "fma";
    /// <summary>add_noise/get_velocity differ: sqrt(a) and sqrt(1 - a) must be computed in the sample's dtype.</summary>
    public const string NoiseScalars = "noise-scalars";
    /// <summary>step outputs differ in a pattern no known semantic explains.</summary>
    public const string Formula = "formula";

    private static readonly string[] StepKinds = [CaseKinds.Step, CaseKinds.Trajectory];

    /// <summary>The likely causes of a run's failures, one hint per cause; none when nothing failed.</summary>
    /// <param name="suites">The run's suite reports.</param>
    public static IReadOnlyList<DiagnosisHint> Judge(IReadOnlyList<SuiteReport> suites)
    {
        ArgumentNullException.ThrowIfNull(suites);
        var hints = new List<DiagnosisHint>();
        var all = suites.SelectMany(s => s.Cases.Select(c => (Suite: s, c.Case))).ToList();
        var failing = all.Where(x => x.Case.Failed).ToList();
        if (failing.Count == 0)
        {
            return hints;
        }

        var broken = failing.Where(x => x.Case.BackendFailure).ToList();
        if (broken.Count > 0)
        {
            hints.Add(new DiagnosisHint(Process, "the port broke as a process (crashed, hung, or wrote something that is not a reply)",
                $"{broken.Count} cases; first: {broken[0].Case.Failure}"));
        }

        // The randn cases (torch's generator) have hints of their own (RandnDiagnosisHints); the ones below read scheduler cases.
        all = all.Where(x => !CaseKinds.IsRandn(x.Case.Kind)).ToList();
        failing = failing.Where(x => !CaseKinds.IsRandn(x.Case.Kind)).ToList();
        var comparisons = failing.SelectMany(x => x.Case.Comparisons.Where(c => !c.Passed).Select(c => (x.Suite, x.Case, Comparison: c))).ToList();
        var structural = comparisons.Where(x => x.Comparison.StructuralError is not null).ToList();
        if (structural.Count > 0)
        {
            var dtypeOnly = structural.All(x => x.Comparison.StructuralError!.Contains("dtype", StringComparison.Ordinal));
            var mixedOnly = structural.All(x => x.Case.DTypeLabel.Contains('/', StringComparison.Ordinal));
            var tablesOnly = structural.All(x => x.Case.Kind == CaseKinds.Schedule);
            var finalOnly = tablesOnly && structural.All(x => x.Comparison.Quantity == "final_alpha_cumprod");
            hints.Add(dtypeOnly && mixedOnly
                ? new DiagnosisHint(Promotion, "a bfloat16/float16 sample with a float32 model output must give float32 results (torch's type promotion)",
                    $"{structural.Count} outputs with the wrong dtype, all in mixed-dtype cases")
                : dtypeOnly && finalOnly
                ? new DiagnosisHint(FinalAlpha, "final_alpha_cumprod has the wrong dtype: a float32 0-dim 1.0 with set_alpha_to_one (whatever the table's dtype), else alphas_cumprod[0]",
                    $"{structural.Count} schedules; first: {structural[0].Suite.Result.Name} {structural[0].Comparison.Describe()}")
                : dtypeOnly && tablesOnly
                ? new DiagnosisHint(TableDType, "the tables have the wrong dtype: float64 for scaled_linear; float32 for linear, squaredcos_cap_v2 and trained_betas (the given values rounded to float32)",
                    $"{structural.Count} tables; first: {structural[0].Suite.Result.Name} {structural[0].Comparison.Describe()}")
                : new DiagnosisHint(ShapeOrDType, "outputs have the wrong shape or dtype",
                    $"{structural.Count} outputs; first: {structural[0].Case.Id} {structural[0].Comparison.Describe()}"));
        }

        var elements = comparisons.Where(x => x.Comparison.StructuralError is null).ToList();
        var nanElements = elements.Sum(x => (long)x.Comparison.ClassMismatches);
        var differing = elements.Sum(x => (long)x.Comparison.Mismatches);
        if (differing > 0 && nanElements * 2 >= differing)
        {
            hints.Add(new DiagnosisHint(NaN, "NaN where the reference has numbers (or numbers where it has NaN): an uninitialised output, 0/0, or the sqrt of a negative",
                string.Create(CultureInfo.InvariantCulture, $"{nanElements} of {differing} differing elements are NaN against a number")));
        }

        var wrongErrors = failing.Where(x => x.Case.Failure is { } f && !x.Case.BackendFailure && f.StartsWith("expected ", StringComparison.Ordinal)).ToList();
        var unexpected = failing.Where(x => x.Case.Failure is { } f && !x.Case.BackendFailure && !f.StartsWith("expected ", StringComparison.Ordinal)).ToList();
        if (wrongErrors.Count + unexpected.Count > 0)
        {
            var first = wrongErrors.Concat(unexpected).First();
            hints.Add(new DiagnosisHint(Errors, "a call fails where diffusers does not, succeeds where it fails, or fails with another error class (ValueError, IndexError, NotImplementedError, ZeroDivisionError)",
                $"{wrongErrors.Count} wrong or missing errors, {unexpected.Count} unexpected errors; first: {first.Case.Id}: {first.Case.Failure}"));
        }

        var scheduleBroken = new HashSet<SuiteReport>();
        static bool TableDiffers(CaseResult c, string quantity) => c.Comparisons.Any(x => x.Quantity == quantity && !x.Passed && x.StructuralError is null);
        var betasBroken = failing.Where(x => x.Case.Kind == CaseKinds.Schedule && TableDiffers(x.Case, "betas")).Select(x => x.Suite).ToList();
        // Betas that differ only where the zero-SNR rescale is on, while schedules without it pass: the rescale was
        // carried back into the betas.
        var rescaleOnly = betasBroken.Count > 0 && betasBroken.All(s => s.Fixture.Config.RescaleBetasZeroSnr)
            && all.Any(x => x.Case.Kind == CaseKinds.Schedule && x.Case.Passed && !x.Suite.Fixture.Config.RescaleBetasZeroSnr);
        foreach (var (suite, c) in failing.Where(x => x.Case.Kind == CaseKinds.Schedule))
        {
            scheduleBroken.Add(suite);
            bool Differs(string quantity) => TableDiffers(c, quantity);
            if (Differs("betas"))
            {
                var config = suite.Fixture.Config;
                hints.Add(rescaleOnly
                    ? Table(RescaleKeepsBetas, suite, c, "betas",
                        "betas differ only where rescale_betas_zero_snr is on: the rescale changes alphas_cumprod only; betas and alphas stay as the beta schedule made them")
                    : config.TrainedBetas is not null
                    ? Table(BetasTrained, suite, c, "betas", "trained betas differ: the given values rounded to float32")
                    : config.BetaSchedule == CogDdim.Config.BetaSchedule.SquaredCosCapV2
                    ? Table(BetasCosine, suite, c, "betas",
                        "squaredcos_cap_v2 betas differ: alpha_bar in Python doubles with math.cos (the platform's libm), min(1 - f((i+1)/N) / f(i/N), 0.999), then rounded to float32")
                    : Table(Linspace, suite, c, "betas",
                        "betas differ: torch's CPU linspace rounding (fma(step, i, start) in the first half, fma(-step, n-1-i, end) in the second; torch 1.13: vectorized-256 with a fused scalar tail; one step gives [start]), or betas squared/rounded in another dtype"));
            }
            else if (Differs("alphas"))
            {
                hints.Add(Table(Alphas, suite, c, "alphas", "alphas differ while betas match: 1 - betas must be computed in the betas' dtype"));
            }
            else if (Differs("alphas_cumprod"))
            {
                hints.Add(Table(CumprodShiftRescale, suite, c, "alphas_cumprod",
                    "alphas_cumprod differs while alphas match: a float32 cumprod keeps a float64 running product and rounds only each output to float32 (the rounded value is never fed back); the SNR shift (1 - snr_shift_scale a Python double) comes before the zero-SNR rescale, both in the table's dtype"));
            }

            var attributes = c.Comparisons.Where(x => x.Quantity is "timesteps" or "init_noise_sigma" or "order" or "len" && !x.Passed).ToList();
            if (attributes.Count > 0)
            {
                hints.Add(new DiagnosisHint(ScheduleAttributes,
                    "the schedule's attributes before set_timesteps differ: timesteps = arange(num_train_timesteps)[::-1] (int64), init_noise_sigma 1.0, order 1, len = num_train_timesteps",
                    $"{suite.Result.Name}: {string.Join(", ", attributes.Select(x => x.Quantity))}"));
            }

            if (Differs("final_alpha_cumprod"))
            {
                hints.Add(Table(FinalAlpha, suite, c, "final_alpha_cumprod",
                    "final_alpha_cumprod differs: a float32 0-dim 1.0 with set_alpha_to_one, else alphas_cumprod[0] in the table's dtype"));
            }
        }

        var spacing = failing.Where(x => x.Case.Kind == CaseKinds.SetTimesteps && x.Case.Failure is null).ToList();
        if (spacing.Count > 0)
        {
            hints.Add(new DiagnosisHint(TimestepSpacing, "set_timesteps gives other timesteps: numpy's linspace/leading/trailing rules (round half to even; linspace's last element is T - 1 only when N > 1, so N = 1 gives [0]; T // N and steps_offset; trailing's float ratio and numpy's arange: ceil(T / ratio) elements, element i = T + i * ((T - ratio) - T))",
                $"{spacing.Count} cases; first: {spacing[0].Suite.Result.Name} {spacing[0].Case.Describe()}"));
        }

        var stepFailures = failing.Where(x => StepKinds.Contains(x.Case.Kind) && !scheduleBroken.Contains(x.Suite)
            && x.Case.Failure is null && x.Case.Comparisons.All(c => c.StructuralError is null)).ToList();
        if (stepFailures.Count > 0)
        {
            hints.Add(StepPattern(all.Where(x => !scheduleBroken.Contains(x.Suite)).ToList(), stepFailures));
        }

        var noise = failing.Where(x => x.Case.Kind is CaseKinds.AddNoise or CaseKinds.GetVelocity && x.Case.Failure is null && !scheduleBroken.Contains(x.Suite)).ToList();
        static bool ReducedCase(CaseResult c) => c.DTypeLabel.Contains("float16", StringComparison.Ordinal);
        var reducedSteps = hints.FindIndex(h => h.Code == ScalarPolicy);
        if (noise.Count > 0 && reducedSteps >= 0 && noise.All(x => ReducedCase(x.Case))
            && all.Any(x => x.Case.Kind is CaseKinds.AddNoise or CaseKinds.GetVelocity && x.Case.Passed && !ReducedCase(x.Case)))
        {
            // Reduced dtypes differ in step and in add_noise alike (which has no 0-dim scalars): the rounding to
            // float16/bfloat16 itself, not the scalar policy.
            hints[reducedSteps] = new DiagnosisHint(ReducedRounding,
                "only float16/bfloat16 differ, in step and add_noise/get_velocity alike: the rounding to float16/bfloat16 (to nearest, ties to even, subnormals kept; bfloat16 on the float32 bits) or float64 -> float16/bfloat16 not going through float32 (torch rounds twice)",
                string.Create(CultureInfo.InvariantCulture, $"{noise.Count} add_noise/get_velocity cases and {hints[reducedSteps].Evidence}"));
        }
        else if (noise.Count > 0)
        {
            hints.Add(new DiagnosisHint(NoiseScalars, "add_noise/get_velocity differ: alphas_cumprod is converted to the sample's dtype first (float64 through float32), then sqrt(a) and sqrt(1 - a) are computed in that dtype; noisy = sa * x + sb * noise and velocity = sa * noise - sb * sample, one rounding per op",
                $"{noise.Count} cases; first: {noise[0].Suite.Result.Name} {noise[0].Case.Id}"));
        }

        return Merge(hints);
    }

    /// <summary>One hint per cause: the same cause found in several suites is said once, with how many.</summary>
    private static List<DiagnosisHint> Merge(List<DiagnosisHint> hints) =>
        hints.GroupBy(h => h.Code)
            .Select(g => g.Count() == 1
                ? g.First()
                : g.First() with { Evidence = string.Create(CultureInfo.InvariantCulture, $"in {g.Count()} places; first: {g.First().Evidence}") })
            .ToList();

    private static DiagnosisHint Table(string code, SuiteReport suite, CaseResult c, string quantity, string title)
    {
        var comparison = c.Comparisons.First(x => x.Quantity == quantity);
        return new DiagnosisHint(code, title, string.Create(CultureInfo.InvariantCulture,
            $"{suite.Result.Name}: {comparison.Mismatches} of {comparison.Elements} {quantity} differ, worst {comparison.WorstUlp} ULP"));
    }

    /// <summary>Which step cases fail, set against those that pass, decides between the step-level causes.</summary>
    private static DiagnosisHint StepPattern(List<(SuiteReport Suite, CaseResult Case)> all, List<(SuiteReport Suite, CaseResult Case)> failing)
    {
        var steps = all.Where(x => x.Case.Kind == CaseKinds.Step && !x.Case.Skipped).ToList();
        var failingSteps = failing.Where(x => x.Case.Kind == CaseKinds.Step).ToList();

        // prev_t = t - T // N, which for linspace spacing is not the next timestep.
        var prevDiffers = steps.Where(x => PrevDiffersFromNext(x.Suite.Fixture, x.Case) == true).ToList();
        if (failingSteps.Count > 0 && prevDiffers.Count > 0
            && failingSteps.All(x => PrevDiffersFromNext(x.Suite.Fixture, x.Case) == true)
            && failingSteps.Count * 2 >= prevDiffers.Count)
        {
            return new DiagnosisHint(PrevTimestep,
                "step uses prev_t = t - num_train_timesteps // num_inference_steps whatever the spacing; with linspace spacing that is not the next timestep",
                $"{failingSteps.Count} failing step cases, every one where t - T // N differs from the next timestep ({prevDiffers.Count} such cases); all others pass");
        }

        var lastOnly = failingSteps.Count > 0 && failingSteps.All(x => PrevT(x.Suite.Fixture, x.Case) < 0)
            && steps.Any(x => x.Case.Passed && PrevT(x.Suite.Fixture, x.Case) >= 0);
        if (lastOnly)
        {
            return new DiagnosisHint(FinalAlpha,
                "only steps whose prev_t < 0 differ: final_alpha_cumprod (a float32 0-dim 1.0 with set_alpha_to_one, else alphas_cumprod[0]) and its promotion with the table's dtype",
                $"{failingSteps.Count} failing step cases, all at the last timestep");
        }

        static bool Reduced(CaseResult c) => c.DTypeLabel.Contains("float16", StringComparison.Ordinal);
        var stepLike = all.Where(x => StepKinds.Contains(x.Case.Kind) && !x.Case.Skipped).ToList();
        // Trajectories amplify a difference step after step: the ULP pattern is read from single steps.
        var differing = failing.Where(x => x.Case.Kind == CaseKinds.Step).SelectMany(x => x.Case.Comparisons.Where(c => !c.Passed)).ToList();
        var histogram = differing.Aggregate(UlpHistogram.Empty, (h, c) => h.Add(c.Histogram));
        var onlyOneUlp = histogram.ClassMismatches == 0 && histogram.ZeroSignMismatches == 0
            && Enumerable.Range(2, UlpHistogram.DistanceBuckets - 2).All(b => histogram.Buckets[b] == 0) && histogram.Buckets[1] > 0;
        var onlyPrev = differing.All(c => c.Quantity.StartsWith("prev_sample", StringComparison.Ordinal));
        var evidence = string.Create(CultureInfo.InvariantCulture,
            $"{failing.Count} failing step/trajectory cases; dtypes {string.Join(", ", failing.Select(x => x.Case.DTypeLabel).Distinct())}; differing elements by ULP: {histogram.Describe()}");

        if (failing.All(x => Reduced(x.Case)) && stepLike.Any(x => !Reduced(x.Case) && x.Case.Passed))
        {
            return new DiagnosisHint(ScalarPolicy,
                "only float16/bfloat16 differ: the scalar policy (a 0-dim scalar, float64 or float32 — float32 tables give float32 scalars — meets a reduced tensor either rounded to its dtype, through float32 — cast — or as float32 — opmath, per form as reference.semantics.scalar_policy says; step's multiplications are scalar * tensor, its division tensor / scalar), or float64 → float16/bfloat16 not going through float32",
                evidence);
        }

        if (onlyOneUlp && onlyPrev && failing.Any(x => Reduced(x.Case)) && failing.Any(x => !Reduced(x.Case)))
        {
            return new DiagnosisHint(OutputRounding,
                "prev_sample is off by exactly one ULP in every dtype while pred_original_sample matches: the last rounding of prev = a_t * sample + b_t * x0 (a rounding mode, a nudge, or a conversion) is wrong",
                evidence);
        }

        if (failing.All(x => !Reduced(x.Case)) && stepLike.Any(x => Reduced(x.Case) && x.Case.Passed))
        {
            return new DiagnosisHint(Fma,
                "only float32/float64 differ, by a few ULP: an operation is fused (FMA, a * b + c rounded once) or reordered where torch rounds every tensor op separately",
                evidence);
        }

        return new DiagnosisHint(Formula, "step outputs differ in a pattern no known semantic explains: compare the formula term by term with docs/reference-semantics.md", evidence);
    }

    private static long? PrevT(FixtureSuite fixture, CaseResult c)
    {
        if (c.Index < 0 || c.Index >= fixture.Steps.Length)
        {
            return null;
        }

        var s = fixture.Steps[c.Index];
        return s.NumInferenceSteps <= 0 ? null : s.Timestep - (fixture.Config.NumTrainTimesteps / s.NumInferenceSteps);
    }

    /// <summary>Whether t - T // N names another table entry than the next timestep of set_timesteps(N).</summary>
    private static bool? PrevDiffersFromNext(FixtureSuite fixture, CaseResult c)
    {
        if (PrevT(fixture, c) is not { } prev)
        {
            return null;
        }

        var s = fixture.Steps[c.Index];
        var timesteps = fixture.SetTimesteps.FirstOrDefault(x => x.NumInferenceSteps == s.NumInferenceSteps)?.Timesteps;
        if (timesteps is not { } list)
        {
            return null;
        }

        var at = list.IndexOf(s.Timestep);
        if (at < 0)
        {
            return null;
        }

        var next = at + 1 < list.Length ? list[at + 1] : -1;
        return Math.Max(prev, -1) != Math.Max(next, -1);
    }
}
