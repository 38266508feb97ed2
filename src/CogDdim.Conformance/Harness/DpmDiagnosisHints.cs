using System.Globalization;
using CogDdim.Conformance;
using CogDdim.Fixtures;

namespace CogDdim.Harness;

/// <summary>
/// The CogVideoXDPMScheduler traps, read from the pattern of <c>dpm_step</c>/<c>dpm_trajectory</c> failures (beside
/// <see cref="DiagnosisHints"/>, which reads the DDIM ones): glibc instead of SLEEF for the 0-dim log/exp/expm1,
/// IEEE infinities at zero terminal SNR, the draw that counts on a second-order step, the old-without-back IndexError,
/// and the tuple the step returns.
/// </summary>
public static class DpmDiagnosisHints
{
    /// <summary>Hint id: the 0-dim log/exp/expm1 are glibc's, not torch's SLEEF u10.</summary>
    public const string Libm = "dpm-libm";
    /// <summary>Hint id: the zero-terminal-SNR infinities (lamb = -inf, h = +inf, r = inf) are not followed as IEEE arithmetic does.</summary>
    public const string Infinities = "dpm-infinities";
    /// <summary>Hint id: the second-order update (r, mult3, mult4, the discarded first draw) is wrong.</summary>
    public const string SecondOrder = "dpm-second-order";
    /// <summary>Hint id: an old pred_original_sample without timestep_back must raise IndexError.</summary>
    public const string IndexError = "dpm-old-without-back";
    /// <summary>Hint id: diffusers returns a tuple on the first-order path even when return_dict is asked.</summary>
    public const string Tuple = "dpm-tuple";

    private static readonly string[] Kinds = [CaseKinds.DpmStep, CaseKinds.DpmTrajectory];

    /// <summary>The DPM hints that the failures of <paramref name="suites"/> point to.</summary>
    public static IReadOnlyList<DiagnosisHint> Judge(IReadOnlyList<SuiteReport> suites)
    {
        ArgumentNullException.ThrowIfNull(suites);
        var hints = new List<DiagnosisHint>();
        var all = suites.SelectMany(s => s.Cases.Select(c => (Suite: s, c.Case))).Where(x => Kinds.Contains(x.Case.Kind)).ToList();
        var failing = all.Where(x => x.Case.Failed).ToList();
        if (failing.Count == 0)
        {
            return hints;
        }

        var tuple = failing.Where(x => x.Case.BackendFailure && x.Case.Failure is { } f
            && (f.Contains("result.prev_sample", StringComparison.Ordinal) || f.Contains("result.pred_original_sample", StringComparison.Ordinal))).ToList();
        if (tuple.Count > 0)
        {
            hints.Add(new DiagnosisHint(Tuple,
                "dpm_step must answer prev_sample and pred_original_sample: diffusers' DPM step returns the tuple (prev_sample, pred_original_sample) (return_dict defaults to False in this class, and the first-order path returns the tuple even with return_dict=True)",
                $"{tuple.Count} cases; first: {tuple[0].Case.Id}: {tuple[0].Case.Failure}"));
        }

        var indexErrors = failing.Where(x => Variant(x) == "old-without-back" && x.Case.Failure is not null && !x.Case.BackendFailure).ToList();
        if (indexErrors.Count > 0)
        {
            hints.Add(new DiagnosisHint(IndexError,
                "old_pred_original_sample without timestep_back is an IndexError on a step with prev_t >= 0 (diffusers indexes mult[2] of [mult1, mult2]), raised after the first noise draw; with prev_t < 0 the step is first order and succeeds",
                $"{indexErrors.Count} cases; first: {indexErrors[0].Case.Id}: {indexErrors[0].Case.Failure}"));
        }

        var numeric = failing.Where(x => x.Case.Failure is null && x.Case.Comparisons.All(c => c.StructuralError is null)).ToList();
        if (numeric.Count == 0)
        {
            return hints;
        }

        var zeroSnr = numeric.Where(x => x.Suite.Fixture.Config.RescaleBetasZeroSnr).ToList();
        var nanAgainstNumber = numeric.Sum(x => x.Case.Comparisons.Sum(c => (long)c.ClassMismatches));
        if (zeroSnr.Count > 0 && (zeroSnr.Count == numeric.Count || nanAgainstNumber > 0))
        {
            hints.Add(new DiagnosisHint(Infinities,
                "zero terminal SNR: alphas_cumprod[999] = 0 gives lamb = log(0) = -inf, h = +inf, mult1 = sqrt(..) * exp(-inf) = 0, mult2 = expm1(-inf) * sqrt(a_prev) = -sqrt(a_prev), and on the next step r = inf / h = +inf, mult3 = 1, mult4 = 0: follow IEEE infinities as torch does (no clamping, no guards, log(0) must be -inf)",
                string.Create(CultureInfo.InvariantCulture, $"{zeroSnr.Count} of {numeric.Count} failing DPM cases are in zero-SNR suites; {nanAgainstNumber} elements are NaN against a number")));
        }

        var steps = all.Where(x => x.Case.Kind == CaseKinds.DpmStep && !x.Case.Skipped).ToList();
        var failingSteps = numeric.Where(x => x.Case.Kind == CaseKinds.DpmStep).ToList();
        var secondOrderFailing = failingSteps.Where(x => Variant(x) == "second-order").ToList();
        var firstOrderPassing = steps.Where(x => Variant(x) == "first-order" && x.Case.Passed).ToList();
        if (failingSteps.Count > 0 && secondOrderFailing.Count == failingSteps.Count && firstOrderPassing.Count > 0)
        {
            hints.Add(new DiagnosisHint(SecondOrder,
                "only second-order steps differ: denoised_d = (1 + 1/(2r)) * x0 - (1/(2r)) * old_x0 with r = h_last / h, h_last = lamb - lamb_previous (lamb_previous from timestep_back), and the noise that enters prev_sample is the second randn_tensor draw (diffusers draws once, discards it, and draws again; the harness passes that second draw)",
                $"{secondOrderFailing.Count} failing second-order cases; {firstOrderPassing.Count} first-order cases pass"));
        }

        // log/exp/expm1 only enter the multipliers: pred_original_sample stays exact, prev_sample differs at the few
        // timesteps whose arguments the two libms round differently (a glibc port: about a fifth of the float64 steps).
        var onlyPrev = failingSteps.All(x => x.Case.Comparisons.Where(c => !c.Passed).All(c => c.Quantity == "prev_sample"));
        var fractionFailing = steps.Count == 0 ? 0 : (double)failingSteps.Count / steps.Count;
        if (failingSteps.Count > 0 && onlyPrev && fractionFailing < 0.5 && secondOrderFailing.Count < failingSteps.Count)
        {
            var worst = failingSteps.SelectMany(x => x.Case.Comparisons).Where(c => !c.Passed).Max(c => c.WorstUlp);
            hints.Add(new DiagnosisHint(Libm,
                "some DPM steps differ in prev_sample only (pred_original_sample is exact), at particular timesteps: the 0-dim log/exp/expm1 must be torch's, SLEEF's u10 functions with FMA (Sleef_logd4_u10, …), not glibc's or the language's Math.log/exp (1 ULP apart on a few percent of arguments, amplified where prev_sample nearly cancels), and expm1 must be a real expm1, not exp(x) - 1; see docs/dpm-scalars.md and the SLEEF ports in examples/",
                string.Create(CultureInfo.InvariantCulture, $"{failingSteps.Count} of {steps.Count} dpm_step cases differ, all in prev_sample, worst {worst} ULP; dtypes {string.Join(", ", failingSteps.Select(x => x.Case.DTypeLabel).Distinct())}")));
        }

        return hints;
    }

    private static string Variant((SuiteReport Suite, CaseResult Case) x)
    {
        var fixture = x.Suite.Fixture;
        return x.Case.Kind == CaseKinds.DpmStep && x.Case.Index >= 0 && x.Case.Index < fixture.DpmSteps.Length ? fixture.DpmSteps[x.Case.Index].Variant : string.Empty;
    }
}
