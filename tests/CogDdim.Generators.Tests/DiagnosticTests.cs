extern alias gen;

using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using static CogDdim.Generators.Tests.GeneratorHarness;
using gen::CogDdim.Generators;

namespace CogDdim.Generators.Tests;

/// <summary>
/// One test per diagnostic: its id, its whole message, and the exact text and position it points at. Each test
/// lists every diagnostic the file yields, so an unexpected extra one fails it.
/// </summary>
public sealed class DiagnosticTests
{
    private static void AssertExactly(string json, ImmutableArray<Diagnostic> diagnostics, params (string Id, string Message, string SpanText, int Line, int Column)[] expected)
    {
        var actual = diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id).Select(d => Describe(d, json)).ToArray();
        Assert.Equal(expected, actual);
    }

    private static Dictionary<string, string> Metadata(params (string Key, string Value)[] items) => items.ToDictionary(i => i.Key, i => i.Value);

    [Fact]
    public void InvalidJson_PointsAtTheOffendingCharacter()
    {
        const string json = "{\n  \"num_train_timesteps\": 1000,\n}\n";
        AssertExactly(json, Diagnose(json),
            ("CDDIM001", "The scheduler config is not valid JSON: unexpected character '}'; expected a property name in double quotes", "}", 3, 1));
    }

    [Fact]
    public void NotAnObject_PointsAtTheWholeValue()
    {
        const string json = "[1, 2]";
        AssertExactly(json, Diagnose(json),
            ("CDDIM002", "The scheduler config must be a JSON object, not an array", "[1, 2]", 1, 1));
    }

    [Fact]
    public void NotAnObject_FixtureWithoutConfig()
    {
        const string json = "{\"format\": \"cogddim-fixture/1\", \"config\": 3}";
        AssertExactly(json, Diagnose(json, Metadata(("CogDdimSchedulerConfig", "true")), "/app/suite.json"),
            ("CDDIM002", "The 'config' of a cogddim-fixture/1 file must be a JSON object, not a number", "3", 1, 43));
    }

    [Fact]
    public void UnknownKey_IsAWarningOnTheKey()
    {
        const string json = "{\"beta_start\": 0.001, \"guidance\": 6}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM003", "'guidance' is not a CogVideoXDDIMScheduler argument; diffusers ignores it, and so does the generated scheduler", "\"guidance\"", 1, 23));
    }

    [Fact]
    public void SchemaReference_ForEditorsIsNoUnknownKey()
    {
        const string json = "{\"$schema\": \"../schemas/cogvideox-ddim.schema.json\", \"prediction_type\": \"v_prediction\"}";
        AssertExactly(json, Diagnose(json));
    }

    [Fact]
    public void WrongType_NamesWhatWasGivenAndWhatIsExpected()
    {
        const string json = "{\"num_train_timesteps\": \"1000\", \"clip_sample\": 1, \"beta_end\": null}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM004", "'num_train_timesteps' is a string (\"1000\"); expected an integer", "\"1000\"", 1, 25),
            ("CDDIM004", "'clip_sample' is the number 1; expected true or false", "1", 1, 48),
            ("CDDIM004", "'beta_end' is null; expected a number", "null", 1, 63));
    }

    [Fact]
    public void WrongType_FractionalInteger()
    {
        const string json = "{\"steps_offset\": 1.5}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM004", "'steps_offset' is the number 1.5; expected an integer", "1.5", 1, 18));
    }

    [Fact]
    public void ValueNotAllowed_ListsTheAllowedValues()
    {
        const string json = "{\"prediction_type\": \"flow\"}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM005", "'prediction_type' is \"flow\", which is not allowed; allowed: epsilon, sample, v_prediction", "\"flow\"", 1, 21));
    }

    [Fact]
    public void OutOfRange_TooFewAndAbsurdlyManyTimesteps()
    {
        const string zero = "{\"num_train_timesteps\": 0}";
        AssertExactly(zero, Diagnose(zero),
            ("CDDIM006", "'num_train_timesteps' is 0, which is out of range; allowed: 1 to 1000000", "0", 1, 25));
        const string huge = "{\"num_train_timesteps\": 99999999999999999999999}";
        AssertExactly(huge, Diagnose(huge),
            ("CDDIM006", "'num_train_timesteps' is 99999999999999999999999, which is out of range; allowed: 1 to 1000000", "99999999999999999999999", 1, 25));
    }

    [Fact]
    public void OutOfRange_NumberBeyondDouble()
    {
        const string json = "{\"beta_start\": 1e400}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM006", "'beta_start' is 1e400, which is out of range; allowed: finite numbers", "1e400", 1, 16));
    }

    [Fact]
    public void TrainedBetasLength_MustMatchTimesteps()
    {
        const string json = "{\"num_train_timesteps\": 4, \"trained_betas\": [0.1, 0.2, 0.3]}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM007", "'trained_betas' has 3 values but 'num_train_timesteps' is 4; they must be equal", "[0.1, 0.2, 0.3]", 1, 45));
    }

    [Fact]
    public void OtherSchedulerClass_IsAWarning()
    {
        const string json = "{\"_class_name\": \"DDIMScheduler\"}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM008", "'_class_name' is \"DDIMScheduler\", not \"CogVideoXDDIMScheduler\"; the config is read as a CogVideoXDDIMScheduler config", "\"DDIMScheduler\"", 1, 17));
    }

    [Fact]
    public void DuplicateClassName_NamesBothFiles()
    {
        var metadata = Metadata(("CogDdimClassName", "Shared"));
        var (result, _) = Run(new HarnessOptions(Adapter: true), [
            new ConfigFile("/app/a/scheduler_config.json", "{}", metadata),
            new ConfigFile("/app/b/scheduler_config.json", "{\"beta_start\": 0.001}", metadata)]);
        var d = Assert.Single(result.Diagnostics);
        Assert.True(d.Id == "CDDIM009", d.ToString());
        Assert.Equal("Both /app/a/scheduler_config.json and /app/b/scheduler_config.json produce the class Sample.App.Shared; give one of them another CogDdimClassName (or CogDdimNamespace) metadata",
            d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("/app/b/scheduler_config.json", d.Location.GetLineSpan().Path);
        Assert.Equal(2, result.Results[0].GeneratedSources.Length); // the first class and the registry
    }

    [Fact]
    public void EpsilonWithZeroTerminalSnr_WarnsOfTheInfiniteX0()
    {
        const string json = "{\"prediction_type\": \"epsilon\", \"rescale_betas_zero_snr\": true}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM010", "'rescale_betas_zero_snr' makes alphas_cumprod[999] exactly 0, and with prediction_type 'epsilon' step divides by sqrt(0) there: pred_original_sample is infinite (or NaN) at the last training timestep; use v_prediction with zero terminal SNR", "true", 1, 58));
    }

    [Fact]
    public void LeadingOffset_NamesTheSmallestStepCountPastTheTable()
    {
        // T = 10, offset 3: N = 1..4 stay within 0..9 ((N-1) * (10 // N) + 3 ≤ 9); N = 5 gives 4 * 2 + 3 = 11.
        const string json = "{\"num_train_timesteps\": 10, \"steps_offset\": 3, \"timestep_spacing\": \"leading\"}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM011", "With timestep_spacing 'leading' and steps_offset 3, set_timesteps(N) for N = 5 (the smallest such N) gives the timestep 11, past the last training timestep 9; step then fails with an IndexError", "3", 1, 45));
    }

    [Fact]
    public void NonPositiveSnrShift_IsAWarning()
    {
        const string json = "{\"snr_shift_scale\": 0}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM012", "'snr_shift_scale' is 0; a shift scale ≤ 0 makes alphas_cumprod negative or infinite (ac / (s + (1 - s) * ac))", "0", 1, 21));
    }

    [Fact]
    public void DuplicateKey_PointsAtTheSecondOne()
    {
        const string json = "{\"beta_end\": 0.012, \"beta_end\": 0.02}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM013", "'beta_end' appears twice; diffusers would keep the last value silently", "\"beta_end\"", 1, 21));
    }

    [Fact]
    public void InvalidMetadata_Namespace()
    {
        var d = Assert.Single(Diagnose("{}", Metadata(("CogDdimNamespace", "My-Models"))));
        Assert.Equal("CDDIM014", d.Id);
        Assert.Equal("The namespace \"My-Models\" is not usable: every dot-separated part must be a C# identifier", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, d.Location.SourceSpan.Start);
    }

    [Fact]
    public void UnsupportedProfile_FromMetadata()
    {
        var d = Assert.Single(Diagnose("{}", Metadata(("CogDdimProfile", "cuda"))));
        Assert.Equal("CDDIM015", d.Id);
        Assert.Equal("CogDdimProfile \"cuda\" is not a known profile; supported profiles: torch2-cpu, torch113-cpu, opmath", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void UnsupportedProfile_FromFixtureSemantics()
    {
        const string json = "{\"format\": \"cogddim-fixture/1\", \"config\": {}, \"reference\": {\"semantics\": {\"linspace_rounding\": {\"float64\": \"unfused\"}}}}";
        AssertExactly(json, Diagnose(json, Metadata(("CogDdimSchedulerConfig", "true")), "/app/suite.json"),
            ("CDDIM015", "reference.semantics matches no named profile; supported profiles: torch2-cpu, torch113-cpu, opmath", "{\"linspace_rounding\": {\"float64\": \"unfused\"}}", 1, 74));
    }

    [Fact]
    public void InternalError_BecomesADiagnosticNotAnException()
    {
        // A null text cannot come from the compiler; it stands for any bug inside the parser.
        var result = Parser.Parse(new InputFile("/app/scheduler_config.json", null!, null, null, null, false, "App"), CancellationToken.None);
        Assert.Null(result.Spec);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("CDDIM016", d.Id);
        Assert.StartsWith("NullReferenceException", d.Arguments[0], StringComparison.Ordinal);
    }

    [Fact]
    public void DeferredValue_IsANoteInDiffusersCompatibleMode()
    {
        const string json = "{\"timestep_spacing\": \"uniform\"}";
        AssertExactly(json, Diagnose(json, Metadata(("CogDdimDiffusersCompatible", "true"))),
            ("CDDIM017", "'timestep_spacing' is \"uniform\", which is not allowed (allowed: linspace, leading, trailing); kept because CogDdimDiffusersCompatible is true: the generated scheduler fails in set_timesteps (ValueError), as diffusers does", "\"uniform\"", 1, 22));
    }

    [Theory]
    [InlineData("{\"snr_shift_scal\": 4.0}", "snr_shift_scal", "snr_shift_scale", "3.0", 2)]
    [InlineData("{\"prediction-type\": \"v_prediction\"}", "prediction-type", "prediction_type", "\"epsilon\"", 2)]
    [InlineData("{\"timestep_spacings\": \"trailing\"}", "timestep_spacings", "timestep_spacing", "\"leading\"", 2)]
    [InlineData("{\"SNR_SHIFT_SCALE\": 4.0}", "SNR_SHIFT_SCALE", "snr_shift_scale", "3.0", 2)]
    [InlineData("{\"beta_ends\": 0.02}", "beta_ends", "beta_end", "0.012", 2)]
    public void NearMissKey_IsAnErrorThatNamesTheArgumentAndItsDefault(string json, string key, string argument, string defaultJson, int column)
    {
        AssertExactly(json, Diagnose(json),
            ("CDDIM019", $"'{key}' is not a CogVideoXDDIMScheduler argument; did you mean '{argument}'? without it the scheduler uses diffusers' default {defaultJson}", $"\"{key}\"", 1, column));
    }

    [Fact]
    public void NearMissKey_CogView3PlusTypo_PointsAtTheKeyOnItsLine()
    {
        // CogView3-Plus ships snr_shift_scale 4.0; a typo of it builds a scheduler with diffusers' 3.0 silently.
        const string json = "{\n  \"prediction_type\": \"v_prediction\",\n  \"snr_shift_scal\": 4.0\n}\n";
        AssertExactly(json, Diagnose(json),
            ("CDDIM019", "'snr_shift_scal' is not a CogVideoXDDIMScheduler argument; did you mean 'snr_shift_scale'? without it the scheduler uses diffusers' default 3.0", "\"snr_shift_scal\"", 3, 3));
    }

    [Fact]
    public void NearMissKey_StillGeneratesTheClass_SoALoweredSeverityBuilds()
    {
        var (result, output) = Run(new ConfigFile("/app/CogView3Plus/scheduler/scheduler_config.json", "{\"snr_shift_scal\": 4.0}"));
        Assert.Equal("CDDIM019", Assert.Single(result.Diagnostics).Id);
        var source = Assert.Single(result.Results[0].GeneratedSources).SourceText.ToString();
        Assert.Contains("public const double SnrShiftScale = 3D;", source, StringComparison.Ordinal);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void NearMissKey_WithTheRealKeyPresent_IsOnlyAnUnknownKey()
    {
        const string json = "{\"snr_shift_scale\": 4.0, \"snr_shift_scal\": 4.0}";
        AssertExactly(json, Diagnose(json),
            ("CDDIM003", "'snr_shift_scal' is not a CogVideoXDDIMScheduler argument; diffusers ignores it, and so does the generated scheduler", "\"snr_shift_scal\"", 1, 26));
    }

    [Theory]
    [InlineData("{\"snr_shift_scal\": 4.0}")]
    [InlineData("{\n  \"prediction_type\": \"v_prediction\",\n  \"snr_shift_scal\": 4.0\n}\n")]
    [InlineData("{\r\n\t\"beta_start\": 0.001,\r\n\t\t\"timestep_spacings\": \"trailing\"}")]
    [InlineData("{\"_class_name\": \"CogVideoXDDIMScheduler\", \"résumé\": 1,\n \"prediction-type\": \"epsilon\"}")]
    public void NearMissKey_TheRuntimeReaderSaysTheSameAtTheSamePosition(string json)
    {
        var d = Assert.Single(Diagnose(json), d => d.Id == "CDDIM019");
        var (_, message, _, line, column) = Describe(d, json);
        var e = Assert.Throws<CogDdim.Config.ConfigException>(() => CogDdim.Config.SchedulerConfigReader.Read(json, "scheduler_config.json"));
        Assert.Equal((line, column), (e.Line, e.Column));
        var key = message[1..message.IndexOf('\'', 1)];
        Assert.Equal($"scheduler_config.json: line {line}, column {column}: key '{key}': {message[(key.Length + 3)..]}", e.Message);

        // Read as diffusers reads it, the same is a warning with the same position.
        var warning = Assert.Single(CogDdim.Config.SchedulerConfigReader.Read(json, "scheduler_config.json", CogDdim.Config.ConfigStrictness.DiffusersCompatible).Warnings, w => w.Key == key);
        Assert.Equal((line, column), (warning.Line, warning.Column));
        Assert.Equal(message[(key.Length + 3)..], warning.Message);
    }

    [Fact]
    public void FarUnknownKey_StaysAWarningInTheRuntimeReaderToo()
    {
        var result = CogDdim.Config.SchedulerConfigReader.Read("{\"guidance_scale\": 6}");
        var warning = Assert.Single(result.Warnings);
        Assert.Equal("is not a CogVideoXDDIMScheduler argument; ignored, as diffusers ignores it", warning.Message);
    }

    [Fact]
    public void ClassNameOfAGeneratedMember_IsUnusableMetadata()
    {
        var d = Assert.Single(Diagnose("{}", Metadata(("CogDdimClassName", "scheduler"))));
        Assert.Equal("CDDIM014", d.Id);
        Assert.Equal("The class name \"Scheduler\" is not usable: it is the name of a member of the generated class; give the file another CogDdimClassName", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RuntimeNotReferenced_OneErrorNamingThePackage_InsteadOfACompilerErrorPerType()
    {
        var (result, output) = Run(new HarnessOptions(Adapter: true, Runtime: false, Conformance: false), [
            new ConfigFile("/app/models/CogVideoX-5b/scheduler/scheduler_config.json", TestConfig("cogvideox-5b.json")),
            new ConfigFile("/app/models/CogVideoX-2b/scheduler/scheduler_config.json", TestConfig("cogvideox-2b.json"))]);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("CDDIM020", d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("The 2 generated scheduler(s) need CogDdim.Runtime (CogDdim.ISpanScheduler, CogDdim.Config.SchedulerConfig, DdimSchedule.FromTables), which this project does not reference or references in an older version; add a PackageReference to CogDdim.Runtime (the version of CogDdim.Generators)",
            d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(result.Results[0].GeneratedSources);
        Assert.Empty(output.GetDiagnostics().Where(x => x.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void ConformanceNotReferenced_TheAdapterIsLeftOutWithAWarning()
    {
        var (result, output) = Run(new HarnessOptions(Adapter: true, Conformance: false), [
            new ConfigFile("/app/models/CogVideoX-5b/scheduler/scheduler_config.json", TestConfig("cogvideox-5b.json"))]);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("CDDIM021", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        var source = Assert.Single(result.Results[0].GeneratedSources).SourceText.ToString();
        Assert.DoesNotContain("HostScheduler", source, StringComparison.Ordinal);
        Assert.Empty(output.GetDiagnostics().Where(x => x.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void EveryDescriptorIsListedInTheReleaseFile()
    {
        var unshipped = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "CogDdim.Generators", "AnalyzerReleases.Unshipped.md"));
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            Assert.Contains($"{descriptor.Id} | {descriptor.Category} | {descriptor.DefaultSeverity} | {descriptor.Title}", unshipped, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnErrorMeansNoGeneratedScheduler()
    {
        var (result, _) = Run(new ConfigFile("/app/scheduler_config.json", "{\"prediction_type\": \"flow\"}"));
        Assert.Empty(result.Results[0].GeneratedSources);
    }
}
