using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CogDdim.Harness;

/// <summary>
/// One known failure a port accepts for now: which suites and cases (globs, <c>*</c> and <c>?</c>) and why.
/// </summary>
/// <param name="Suite">A glob over <c>set/suite</c>, e.g. <c>torch-1.13-cpu/*</c>.</param>
/// <param name="Case">A glob over case ids, e.g. <c>step[*] * bfloat16*</c>.</param>
/// <param name="Reason">Why the port fails there.</param>
public sealed record ExpectedFailure(string Suite, string Case, string Reason)
{
    private readonly Regex _suite = Glob(Suite);
    private readonly Regex _case = Glob(Case);

    /// <summary><paramref name="suite"/> is <c>set/suite</c> (e.g. <c>torch-1.13-cpu/defaults</c>); a case id as reports print it.</summary>
    public bool Matches(string suite, string caseId) => _suite.IsMatch(suite) && _case.IsMatch(caseId);

    /// <summary><c>suite :: case</c>, the entry's patterns.</summary>
    public override string ToString() => $"{Suite} :: {Case}";

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.Singleline);
}

/// <summary>
/// A <c>cogddim-expected-failures/1</c> manifest (docs/porting-guide.md): failures a port knows about, each with its
/// reason. A failing case that an entry matches is an expected failure, not a failure; a passing case that one
/// matches is an unexpected pass, and an entry that matches no case is unused: reports list both.
/// </summary>
/// <param name="Source">The file it was read from; empty for <see cref="None"/>.</param>
/// <param name="Entries">The entries, in file order.</param>
public sealed record ExpectedFailureManifest(string Source, ImmutableArray<ExpectedFailure> Entries)
{
    /// <summary>The manifest's <c>format</c> value.</summary>
    public const string FormatName = "cogddim-expected-failures/1";

    /// <summary>An empty manifest: no failure is expected.</summary>
    public static ExpectedFailureManifest None { get; } = new(string.Empty, []);

    /// <summary>Reads a manifest file; <see cref="FormatException"/> when it is not one.</summary>
    /// <param name="path">The manifest's path.</param>
    public static ExpectedFailureManifest ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Read(File.ReadAllText(path), path);
    }

    /// <summary>Reads a manifest: <c>format</c>, then <c>entries</c> of <c>suite</c> and <c>case</c> (globs, <c>*</c> when left out) and a required <c>reason</c>.</summary>
    /// <param name="json">The manifest's text.</param>
    /// <param name="source">Its file name, for errors and <see cref="Source"/>.</param>
    /// <exception cref="FormatException">Not JSON, another format, or an entry that is not an object of non-empty strings.</exception>
    public static ExpectedFailureManifest Read(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.GetString() != FormatName)
            {
                throw new FormatException($"{source}: at $.format: expected \"{FormatName}\"");
            }

            if (!root.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{source}: at $.entries: expected a list");
            }

            var list = ImmutableArray.CreateBuilder<ExpectedFailure>();
            var i = 0;
            foreach (var entry in entries.EnumerateArray())
            {
                var path = $"$.entries[{i++}]";
                string Text(string key, string fallback)
                {
                    if (entry.ValueKind != JsonValueKind.Object)
                    {
                        throw new FormatException($"{source}: at {path}: expected an object");
                    }

                    if (!entry.TryGetProperty(key, out var value))
                    {
                        return fallback.Length > 0 ? fallback : throw new FormatException($"{source}: at {path}.{key}: missing");
                    }

                    var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
                    return text.Trim().Length > 0 ? text : throw new FormatException($"{source}: at {path}.{key}: expected a non-empty string");
                }

                list.Add(new ExpectedFailure(Text("suite", "*"), Text("case", "*"), Text("reason", string.Empty)));
            }

            return new ExpectedFailureManifest(source, list.ToImmutable());
        }
    }

    /// <summary>The first entry that matches, or null.</summary>
    public ExpectedFailure? Match(string suite, string caseId) => Entries.FirstOrDefault(e => e.Matches(suite, caseId));
}
