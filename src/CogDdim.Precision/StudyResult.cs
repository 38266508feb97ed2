using CogDdim.Tensors;

namespace CogDdim.Precision;

/// <summary>One variant's errors against the oracle, step by step.</summary>
/// <param name="FirstStepOverUlpBudget">the first step whose median ULP error exceeds the plan's budget</param>
public sealed record VariantResult(Variant Variant, IReadOnlyList<StepErrors> Steps, int? FirstStepOverUlpBudget, int? FirstStepOverRelativeL2Budget)
{
    public StepErrors Final => Steps[^1];

    /// <summary>The worst step of the run by max ULP.</summary>
    public double WorstMaxUlp => Steps.Max(s => s.MaxUlp);

    public double WorstP99Ulp => Steps.Max(s => s.P99Ulp);

    public double WorstRelativeL2 => Steps.Max(s => s.RelativeL2);
}

/// <summary>How far one variant's trajectory is from another's (<see cref="Reference"/>), step by step.</summary>
public sealed record SpreadResult(Variant Variant, Variant Reference, IReadOnlyList<StepErrors> Steps)
{
    public string Name => $"{Variant.Profile.Name} vs {Reference.Profile.Name} ({Variant.Dtype.Name()}/{Variant.OrderName(Variant.Order)}/{Variant.ModeName(Variant.Mode)})";

    public StepErrors Final => Steps[^1];
}

/// <summary>How far a profile's <c>alphas_cumprod</c> table is from the oracle's, in ULPs of the table's dtype.</summary>
public sealed record TableResult(string Profile, DType TableDtype, double MaxUlp, int WorstIndex, double MaxUlpOverUsedTimesteps);

public sealed record StudyResult(
    StudyPlan Plan,
    IReadOnlyList<long> Timesteps,
    IReadOnlyList<VariantResult> Variants,
    IReadOnlyList<SpreadResult> Spreads,
    IReadOnlyList<TableResult> Tables,
    TimeSpan Elapsed);
