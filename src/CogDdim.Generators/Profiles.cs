namespace CogDdim.Generators;

/// <summary>How torch's CPU linspace rounds (mirrors CogDdim.Semantics.LinspaceRounding).</summary>
internal enum Linspace
{
    Fused,
    Vectorized256,
}

/// <summary>
/// The named semantics profiles of CogDdim.Runtime, as the generator needs them: the scalar policy of the two forms
/// step uses, per reduced dtype, and how the tables are built. Kept in step with SemanticsProfile by the conformance
/// tests (a generated variant must reproduce its suites at 0 ULP).
/// </summary>
internal sealed class Profile
{
    private Profile(string name, string runtimeMember, bool scalarTimesTensorOpmath, bool tensorDivScalarOpmath, Linspace linspace)
    {
        Name = name;
        RuntimeMember = runtimeMember;
        ScalarTimesTensorOpmath = scalarTimesTensorOpmath;
        TensorDivScalarOpmath = tensorDivScalarOpmath;
        Linspace = linspace;
    }

    public string Name { get; }

    /// <summary>The static property of CogDdim.Semantics.SemanticsProfile.</summary>
    public string RuntimeMember { get; }

    /// <summary><c>scalar * tensor</c> on float16/bfloat16: the scalar as float32 (opmath) instead of rounded to the dtype.</summary>
    public bool ScalarTimesTensorOpmath { get; }

    /// <summary><c>tensor / scalar</c> on float16/bfloat16.</summary>
    public bool TensorDivScalarOpmath { get; }

    /// <summary>Same rounding for the float64 and float32 linspace in every named profile.</summary>
    public Linspace Linspace { get; }

    public static readonly Profile Torch2Cpu = new("torch2-cpu", "Torch2Cpu", false, true, Linspace.Fused);
    public static readonly Profile Torch113Cpu = new("torch113-cpu", "Torch113Cpu", false, false, Linspace.Vectorized256);
    public static readonly Profile Opmath = new("opmath", "Opmath", true, true, Linspace.Fused);

    public static readonly Profile[] All = [Torch2Cpu, Torch113Cpu, Opmath];

    public static Profile? Find(string name)
    {
        foreach (var p in All)
        {
            if (string.Equals(p.Name, name, System.StringComparison.OrdinalIgnoreCase))
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>
    /// The policy of every form in <c>reference.semantics.scalar_policy</c> (not only the two step uses), so that a
    /// fixture matches a profile only when all its recorded rules are that profile's.
    /// </summary>
    public bool IsOpmath(string form) => Name switch
    {
        "torch2-cpu" => form is "tensor*scalar" or "tensor/scalar",
        "torch113-cpu" => false,
        _ => true,
    };
}
