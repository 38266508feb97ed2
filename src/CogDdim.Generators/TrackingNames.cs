namespace CogDdim.Generators;

/// <summary>Names of the pipeline steps, so tests can find them in the driver's tracked steps.</summary>
internal static class TrackingNames
{
    public const string Inputs = nameof(Inputs);
    public const string Parsed = nameof(Parsed);
    public const string Specs = nameof(Specs);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Emitted = nameof(Emitted);
    public const string AllSpecs = nameof(AllSpecs);
    public const string References = nameof(References);
    public const string Schema = nameof(Schema);
}
