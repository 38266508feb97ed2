using System.Globalization;
using CogDdim.Conformance;
using CogDdim.Fixtures;

namespace CogDdim.Harness;

/// <summary>
/// The generator traps, read from the pattern of randn failures: the serial path (fewer than 16 elements or strided,
/// its cached sample, the switch at 16), the 16-wide path (Box-Muller lanes, the tail block, the float32 Cephes
/// kernel), the float16 kernel of the set's torch build, and the state bytes.
/// </summary>
public static class RandnDiagnosisHints
{
    /// <summary>Hint id: only draws on the serial path fail.</summary>
    public const string Serial = "randn-serial";
    /// <summary>Hint id: only draws on the 16-wide path fail.</summary>
    public const string Vector = "randn-vector";
    /// <summary>Hint id: only float16 draws on the 16-wide path fail.</summary>
    public const string Float16 = "randn-float16";
    /// <summary>Hint id: every output matches but a state does not.</summary>
    public const string State = "randn-state";

    /// <summary>The randn hints that the failures of <paramref name="suites"/> point to.</summary>
    public static IReadOnlyList<DiagnosisHint> Judge(IReadOnlyList<SuiteReport> suites)
    {
        ArgumentNullException.ThrowIfNull(suites);
        var hints = new List<DiagnosisHint>();
        var all = suites.Where(s => s.Fixture.Randn is not null)
            .SelectMany(s => s.Cases.Select(c => (File: s.Fixture.Randn!, c.Case)))
            .Where(x => x.Case.Kind is CaseKinds.RandnDraw or CaseKinds.RandnStrided && !x.Case.Skipped && !x.Case.BackendFailure)
            .ToList();
        var failing = all.Where(x => x.Case.Failed).ToList();
        var stateOnly = suites.SelectMany(s => s.Cases).Where(c => CaseKinds.IsRandn(c.Case.Kind) && c.Case.Failed && !c.Case.BackendFailure
            && c.Case.Comparisons.All(k => k.Passed) && c.Case.Failure is { } f && f.Contains("state after", StringComparison.Ordinal)).ToList();
        if (stateOnly.Count > 0)
        {
            hints.Add(new DiagnosisHint(State,
                "the draws match but the generator state does not: torch's CPUGeneratorImplState is 5056 bytes (u64 seed, i32 left, i32 seeded, u64 next, 624 u64 words, f64 normal_x, normal_y = the cached sample, normal_rho, i32 normal_is_valid, f32 next_float_normal_sample, u8 its flag; docs/randn.md, \"The state\")",
                $"{stateOnly.Count} cases; first: {stateOnly[0].Case.Id}: {stateOnly[0].Case.Failure}"));
        }

        if (failing.Count == 0)
        {
            return hints;
        }

        var serial = all.Where(x => IsSerial(x.File, x.Case)).ToList();
        var vector = all.Where(x => !IsSerial(x.File, x.Case)).ToList();
        var failingSerial = failing.Count(x => IsSerial(x.File, x.Case));
        var failingVector = failing.Count - failingSerial;
        string Evidence(int f, int of, string path) => string.Create(CultureInfo.InvariantCulture,
            $"{f} of {of} {path} draws fail, {failing.Count - f} of {all.Count - of} others; first: {failing.First(x => IsSerial(x.File, x.Case) == (path == "serial-path")).Case.Describe()}");
        if (failingVector == 0)
        {
            hints.Add(new DiagnosisHint(Serial,
                "only draws on the serial path fail (fewer than 16 elements, or a strided view): torch switches to the 16-wide path at 16 contiguous elements; below, each element is normal_distribution<double>: two 53-bit uniforms, u1 for the angle 2π·u1 and u2 for the radius sqrt(-2·log1p(-u2)) (log(1 - u2) on torch 1.13: randn_semantics.serial_log), r·cos θ returned and r·sin θ cached for the next element (or the next small draw), then cast to the dtype through float32",
                Evidence(failingSerial, serial.Count, "serial-path")));
        }
        else if (failingSerial == 0)
        {
            var float16Only = failing.All(x => Dtype(x.Case) == "float16");
            if (float16Only)
            {
                hints.Add(new DiagnosisHint(Float16,
                    "only float16 draws of 16 or more elements fail: torch 2.x rounds every step of Box-Muller to float16 (randn_semantics.float16 = reduced-steps), torch 1.13 computes log, sqrt, cos and sin in float (float-math); follow each request's randn_semantics",
                    Evidence(failingVector, vector.Count, "16-wide-path")));
            }
            else
            {
                hints.Add(new DiagnosisHint(Vector,
                    "only draws of 16 or more contiguous elements fail (torch's 16-wide normal_fill): first one uniform per element, then per block of 16 lane j takes the radius from 1 - u[j] and the angle from u[j + 8], cos goes to element j and sin to j + 8; a length that is not a multiple of 16 recomputes the last 16 elements from 16 fresh uniforms; float32 uses the Cephes log/sincos polynomials with fused multiply-adds (docs/randn.md)",
                    Evidence(failingVector, vector.Count, "16-wide-path")));
            }
        }

        return hints;
    }

    private static string Dtype(CaseResult c) => c.DTypeLabel;

    private static bool IsSerial(RandnFixture file, CaseResult c)
    {
        if (c.Kind == CaseKinds.RandnStrided)
        {
            return true;
        }

        return c.Index >= 0 && c.Index < file.Draws.Length && file.Draws[c.Index].Shape.Aggregate(1L, (a, d) => a * d) < 16;
    }
}
