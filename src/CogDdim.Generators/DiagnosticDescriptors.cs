using Microsoft.CodeAnalysis;

namespace CogDdim.Generators;

/// <summary>Every diagnostic the generator reports; the ids are stable and listed in AnalyzerReleases.*.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "CogDdim.Config";

    public static readonly DiagnosticDescriptor InvalidJson = new(
        "CDDIM001", "Invalid JSON", "The scheduler config is not valid JSON: {0}", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor NotAnObject = new(
        "CDDIM002", "Config is not a JSON object", "{0} must be a JSON object, not {1}", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor UnknownKey = new(
        "CDDIM003", "Unknown config key", "'{0}' is not a CogVideoXDDIMScheduler argument; diffusers ignores it, and so does the generated scheduler",
        Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor WrongType = new(
        "CDDIM004", "Config value of the wrong type", "'{0}' is {1}; expected {2}", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor ValueNotAllowed = new(
        "CDDIM005", "Config value not allowed", "'{0}' is \"{1}\", which is not allowed; allowed: {2}", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor OutOfRange = new(
        "CDDIM006", "Config value out of range", "'{0}' is {1}, which is out of range; allowed: {2}", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor TrainedBetasLength = new(
        "CDDIM007", "trained_betas length differs from num_train_timesteps",
        "'trained_betas' has {0} values but 'num_train_timesteps' is {1}; they must be equal", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor OtherSchedulerClass = new(
        "CDDIM008", "Config names another scheduler class",
        "'_class_name' is \"{0}\", not \"CogVideoXDDIMScheduler\"; the config is read as a CogVideoXDDIMScheduler config",
        Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor DuplicateClassName = new(
        "CDDIM009", "Two configs produce the same class",
        "Both {0} and {1} produce the class {2}; give one of them another CogDdimClassName (or CogDdimNamespace) metadata",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor EpsilonWithZeroSnr = new(
        "CDDIM010", "epsilon prediction with zero terminal SNR",
        "'rescale_betas_zero_snr' makes alphas_cumprod[{0}] exactly 0, and with prediction_type 'epsilon' step divides by sqrt(0) there: pred_original_sample is infinite (or NaN) at the last training timestep; use v_prediction with zero terminal SNR",
        Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor LeadingOffsetPastTable = new(
        "CDDIM011", "steps_offset sends leading timesteps past the table",
        "With timestep_spacing 'leading' and steps_offset {0}, set_timesteps(N) for N = {1} (the smallest such N) gives the timestep {2}, past the last training timestep {3}; step then fails with an IndexError",
        Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor NonPositiveSnrShift = new(
        "CDDIM012", "snr_shift_scale is not positive",
        "'snr_shift_scale' is {0}; a shift scale ≤ 0 makes alphas_cumprod negative or infinite (ac / (s + (1 - s) * ac))",
        Category, DiagnosticSeverity.Warning, true);

    public static readonly DiagnosticDescriptor DuplicateKey = new(
        "CDDIM013", "Config key appears twice", "'{0}' appears twice; diffusers would keep the last value silently", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor InvalidMetadata = new(
        "CDDIM014", "Invalid item metadata", "{0} \"{1}\" is not usable: {2}", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor UnsupportedProfile = new(
        "CDDIM015", "Unsupported semantics profile", "{0}; supported profiles: torch2-cpu, torch113-cpu, opmath", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor InternalError = new(
        "CDDIM016", "Generator failure", "The CogDdim generator failed on this file: {0}; please report it", Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor DeferredValue = new(
        "CDDIM017", "Value kept as diffusers keeps it",
        "'{0}' is \"{1}\", which is not allowed (allowed: {2}); kept because CogDdimDiffusersCompatible is true: the generated scheduler fails {3}, as diffusers does",
        Category, DiagnosticSeverity.Info, true);

    public static readonly DiagnosticDescriptor NoFusedMultiplyAdd = new(
        "CDDIM018", "The compiler's runtime lacks fused multiply-add",
        "The compiler runs on a runtime without Math.FusedMultiplyAdd, which torch's linspace needs to be reproduced; build with the .NET SDK's compiler (dotnet build)",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor NearMissKey = new(
        "CDDIM019", "Unknown config key close to a real one",
        "'{0}' " + CogDdim.Config.KeySuggestions.NearMissFormat,
        Category, DiagnosticSeverity.Error, true,
        "A key a small edit away from a CogVideoXDDIMScheduler argument is almost certainly that argument mistyped; diffusers ignores it and builds the scheduler with the argument's default. Set the severity with dotnet_diagnostic.CDDIM019.severity in .editorconfig.");

    public static readonly DiagnosticDescriptor RuntimeNotReferenced = new(
        "CDDIM020", "CogDdim.Runtime is not referenced",
        "The {0} generated scheduler(s) need CogDdim.Runtime (CogDdim.ISpanScheduler, CogDdim.Config.SchedulerConfig, DdimSchedule.FromTables), which this project does not reference or references in an older version; add a PackageReference to CogDdim.Runtime (the version of CogDdim.Generators)",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor ConformanceNotReferenced = new(
        "CDDIM021", "CogDdim.Conformance is not referenced",
        "CogDdimConformanceAdapter is true, but the conformance adapter (HostScheduler, the registry) needs CogDdim.Conformance (CogDdim.Backends.SpanSchedulerAdapter), which this project does not reference; add a reference to CogDdim.Conformance, or remove the property (the schedulers are generated without the adapter)",
        Category, DiagnosticSeverity.Warning, true);

    // Issue 14: configs diffusers rejects while building the schedule, or accepts and computes NaN from.
    public static readonly DiagnosticDescriptor ComplexLinspace = new(
        "CDDIM022", "Negative beta with scaled_linear",
        "'{0}' is {1}, and with beta_schedule scaled_linear diffusers raises RuntimeError at construction: Python's {0} ** 0.5 is complex (torch.linspace(): inferred dtype c10::complex<float> can't be safely cast to passed dtype Double)",
        Category, DiagnosticSeverity.Error, true);

    public static readonly DiagnosticDescriptor NonFiniteTable = new(
        "CDDIM023", "The schedule is not finite",
        "'{0}' gives a schedule that is not finite: {1}[{2}] is {3}; diffusers accepts the config, and its steps compute NaN",
        Category, DiagnosticSeverity.Warning, true);

    public static DiagnosticDescriptor? Find(string id)
    {
        foreach (var d in All)
        {
            if (d.Id == id)
            {
                return d;
            }
        }

        return null;
    }

    public static readonly DiagnosticDescriptor[] All =
    [
        InvalidJson, NotAnObject, UnknownKey, WrongType, ValueNotAllowed, OutOfRange, TrainedBetasLength, OtherSchedulerClass,
        DuplicateClassName, EpsilonWithZeroSnr, LeadingOffsetPastTable, NonPositiveSnrShift, DuplicateKey, InvalidMetadata,
        UnsupportedProfile, InternalError, DeferredValue, NoFusedMultiplyAdd, NearMissKey, RuntimeNotReferenced,
        ConformanceNotReferenced, ComplexLinspace, NonFiniteTable,
    ];
}
