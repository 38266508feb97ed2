using System.Diagnostics;
using System.Numerics;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Precision;

/// <summary>
/// Runs every variant of a <see cref="StudyPlan"/> from the same starting latents, in lockstep with the
/// double-double oracle, and measures each step against it; also measures torch 1.13 and opmath (CUDA) runs
/// against the torch 2.x CPU run of the same dtype, order and mode.
/// </summary>
public static class PrecisionStudy
{
    /// <summary>Runs the plan. <paramref name="progress"/> gets (units done, units in all); a unit is one trajectory step.</summary>
    public static StudyResult Run(StudyPlan plan, Action<int, int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var watch = Stopwatch.StartNew();
        var latents = StartingLatents.Create(plan.ElementCount, plan.Seed);
        var oracle = new OracleTrajectory(plan.Config, plan.Steps, latents, plan.Seed, plan.Parallelism);
        var variants = plan.Variants()
            .Select(v => VariantTrajectory.Create(v, plan.Config, plan.Steps, latents, oracle.Model, plan.Parallelism))
            .ToList();
        var spreads = SpreadPairs(variants);
        var timesteps = oracle.Timesteps.ToArray();
        foreach (var variant in variants)
        {
            if (!variant.Timesteps.SequenceEqual(timesteps))
            {
                throw new InvalidOperationException($"{variant.Variant.Name} has other timesteps than the oracle");
            }
        }

        var meter = new ErrorMeter(plan.ElementCount, plan.Parallelism);
        var variantSteps = variants.Select(_ => new List<StepErrors>()).ToList();
        var spreadSteps = spreads.Select(_ => new List<StepErrors>()).ToList();
        var total = timesteps.Length * (variants.Count + 1);
        var done = 0;
        progress?.Invoke(0, total);
        for (var step = 0; step < timesteps.Length; step++)
        {
            var t = timesteps[step];
            if (plan.Scheduler == StudyScheduler.Dpm)
            {
                // diffusers draws randn_tensor in the sample's dtype; here every run gets the same bfloat16-exact draw
                // (the one that enters prev_sample), so only the arithmetic differs between runs.
                var noise = StartingLatents.Create(plan.ElementCount, plan.NoiseSeed(step));
                oracle.StepNoise = noise;
                foreach (var variant in variants)
                {
                    variant.StepNoise = noise;
                }
            }

            oracle.Step(t);
            progress?.Invoke(++done, total);
            for (var v = 0; v < variants.Count; v++)
            {
                variants[v].Step(t);
                variantSteps[v].Add(variants[v].MeasureAgainst(meter, step + 1, t, oracle.Latents));
                progress?.Invoke(++done, total);
            }

            for (var s = 0; s < spreads.Count; s++)
            {
                var (variant, reference) = spreads[s];
                spreadSteps[s].Add(variant.MeasureAgainst(meter, step + 1, t, reference));
            }
        }

        var variantResults = variants.Select((v, i) => new VariantResult(
            v.Variant,
            variantSteps[i],
            variantSteps[i].FirstOrDefault(e => e.MedianUlp > plan.UlpBudget) is { Step: > 0 } overUlp ? overUlp.Step : null,
            variantSteps[i].FirstOrDefault(e => e.RelativeL2 > plan.RelativeL2Budget) is { Step: > 0 } overL2 ? overL2.Step : null)).ToList();
        var spreadResults = spreads.Select((p, i) => new SpreadResult(p.Variant.Variant, p.Reference.Variant, spreadSteps[i])).ToList();
        return new StudyResult(plan, timesteps, variantResults, spreadResults, Tables(plan, oracle), watch.Elapsed);
    }

    /// <summary>Each non-torch-2.x-CPU variant against the torch 2.x CPU variant of the same dtype, order and mode.</summary>
    private static List<(VariantTrajectory Variant, VariantTrajectory Reference)> SpreadPairs(List<VariantTrajectory> variants)
    {
        var pairs = new List<(VariantTrajectory, VariantTrajectory)>();
        foreach (var reference in variants.Where(v => v.Variant.Profile == SemanticsProfile.Torch2Cpu))
        {
            foreach (var other in variants.Where(v => v.Variant.Profile != SemanticsProfile.Torch2Cpu
                && v.Variant with { Profile = SemanticsProfile.Torch2Cpu } == reference.Variant))
            {
                pairs.Add((other, reference));
            }
        }

        return pairs;
    }

    /// <summary>Each profile's <c>alphas_cumprod</c> against the oracle's, over the whole table and over the timesteps a step reads.</summary>
    private static List<TableResult> Tables(StudyPlan plan, OracleTrajectory oracle)
    {
        var used = new HashSet<int>();
        var scheduler = oracle.Scheduler;
        foreach (var t in scheduler.Timesteps)
        {
            used.Add(scheduler.TableIndex(t, "timestep"));
            var prev = t - (plan.Config.NumTrainTimesteps / plan.Steps);
            if (prev >= 0)
            {
                used.Add(scheduler.TableIndex(prev, "prev_timestep"));
            }
        }

        var results = new List<TableResult>();
        foreach (var profile in plan.Profiles)
        {
            results.Add(plan.Config.HasFloat64Table
                ? Table<double>(profile, plan, oracle.Scheduler.AlphasCumprod, used)
                : Table<float>(profile, plan, oracle.Scheduler.AlphasCumprod, used));
        }

        return results;
    }

    private static TableResult Table<TTable>(SemanticsProfile profile, StudyPlan plan, DoubleDouble[] oracle, HashSet<int> used)
        where TTable : IFloatingPointIeee754<TTable>
    {
        var table = new ReferenceScheduler<TTable>(plan.Config, profile).AlphasCumprod;
        var dtype = DTypes.Of<TTable>()!.Value;
        var max = 0.0;
        var worst = 0;
        var maxUsed = 0.0;
        for (var i = 0; i < table.Length; i++)
        {
            var difference = ((DoubleDouble)double.CreateTruncating(table[i]) - oracle[i]).Hi;
            var ulps = Math.Abs(difference) / ErrorMeter.UlpAt(dtype, oracle[i].Hi);
            if (ulps > max)
            {
                (max, worst) = (ulps, i);
            }

            if (used.Contains(i))
            {
                maxUsed = Math.Max(maxUsed, ulps);
            }
        }

        return new TableResult(profile.Name, dtype, max, worst, maxUsed);
    }
}
