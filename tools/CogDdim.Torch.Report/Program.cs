using System.Globalization;
using CogDdim.Conformance;
using CogDdim.Fixtures;
using CogDdim.Semantics;
using CogDdim.Tensors;
using CogDdim.Torch;

// Usage: CogDdim.Torch.Report [--device cpu|cuda] [--fast] [--profile NAME] [--tsv FILE] [FIXTURES…]
// Runs every committed fixture case through the TorchSharp backend and reports, for every recorded quantity, how far
// it is from the fixture in ULP: a summary per set and dtype on stdout, one line per quantity in the TSV file.
// --profile overrides each suite's own semantics profile: opmath on cuda is what diffusers computes on a GPU.
var device = "cpu";
var mode = TorchStepMode.Exact;
SemanticsProfile? profile = null;
string? tsvPath = null;
var paths = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--device": device = args[++i]; break;
        case "--fast": mode = TorchStepMode.FastFused; break;
        case "--profile":
            profile = SemanticsProfile.FindByName(args[++i]) ?? throw new ArgumentException($"unknown profile {args[i]}");
            break;
        case "--tsv": tsvPath = args[++i]; break;
        default: paths.Add(args[i]); break;
    }
}

if (paths.Count == 0)
{
    paths.Add(FindFixtures());
}

var backend = new TorchBackend(device, mode);
var runner = new ConformanceRunner(backend);
using var tsv = tsvPath is null ? TextWriter.Null : new StreamWriter(tsvPath);
tsv.WriteLine("set\tsuite\tcase\tquantity\tdtype\telements\tdiffering\tworst_ulp");
var rows = new List<(string Set, string Label, bool Exact, ulong Worst, int Differing, int Elements)>();
var failures = 0;
foreach (var file in paths.SelectMany(FixtureReader.FindFiles))
{
    var suite = FixtureReader.ReadFile(file);
    var result = runner.Run(suite, profile);
    foreach (var c in result.Cases)
    {
        if (c.Failure is not null)
        {
            failures++;
            Console.WriteLine($"FAIL {result.Name} {c.Id}: {c.Failure}");
        }

        foreach (var q in c.Comparisons.Where(q => q.DType != DType.Int64))
        {
            tsv.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Set}\t{result.Suite}\t{c.Id}\t{q.Quantity}\t{q.DType.Name()}\t{q.Elements}\t{q.Mismatches}\t{(q.StructuralError is null ? q.WorstUlp.ToString(CultureInfo.InvariantCulture) : "structure")}"));
        }

        if (c.DTypeLabel is not ("-" or "int64") && c.Failure is null)
        {
            rows.Add((result.Set, c.DTypeLabel, c.Passed, c.WorstUlp, c.Comparisons.Sum(q => q.Mismatches), c.Comparisons.Sum(q => q.Elements)));
        }
    }
}

Console.WriteLine($"torch backend on {device}, {(mode == TorchStepMode.Exact ? "exact" : "fast (fused, not bit-exact)")}, profile {profile?.Name ?? "each suite's own"}");
Console.WriteLine("set              dtype              cases  exact  elements differing  worst ULP");
foreach (var g in rows.GroupBy(r => (r.Set, r.Label)).OrderBy(g => g.Key.Set, StringComparer.Ordinal).ThenBy(g => g.Key.Label, StringComparer.Ordinal))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{g.Key.Set,-16} {g.Key.Label,-18} {g.Count(),5}  {g.Count(r => r.Exact),5}  {g.Sum(r => (long)r.Differing),8}/{g.Sum(r => (long)r.Elements),-9} {g.Max(r => r.Worst),9}"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{rows.Count(r => r.Exact)} of {rows.Count} float cases exact; {failures} cases failed outright (exceptions or missing errors)"));
return failures == 0 ? 0 : 1;

static string FindFixtures()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "CogDdim.sln")))
        {
            return Path.Combine(dir.FullName, "fixtures");
        }
    }

    throw new DirectoryNotFoundException("no fixtures/ folder above the working directory; give fixture paths");
}
