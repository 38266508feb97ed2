extern alias gen;

using static CogDdim.Generators.Tests.GeneratorHarness;

namespace CogDdim.Generators.Tests;

/// <summary>
/// Which AdditionalFiles become schedulers: a scheduler_config.json by its name only inside the project's own tree;
/// any JSON file, anywhere, when marked CogDdimSchedulerConfig="true"; none when marked "false".
/// </summary>
public sealed class ConfigSelectionTests
{
    private const string Project = "/home/me/src/App";

    private static string[] Generated(params ConfigFile[] files) =>
        Run(new HarnessOptions(ProjectDirectory: Project), files).Result.Results[0].GeneratedSources.Select(s => s.HintName).Order().ToArray();

    private static Dictionary<string, string> Marked(string value) => new() { ["CogDdimSchedulerConfig"] = value };

    [Fact]
    public void SchedulerConfigJson_InsideTheProject_IsGeneratedByItsName()
    {
        Assert.Equal(["Sample.App.CogVideoX5b.g.cs"], Generated(new ConfigFile(Project + "/models/CogVideoX-5b/scheduler/scheduler_config.json", TestConfig("cogvideox-5b.json"))));
    }

    [Fact]
    public void StraySchedulerConfigJson_OutsideTheProject_IsNotGenerated()
    {
        // e.g. a linked folder or another package's items: the user did not ask for it.
        Assert.Empty(Generated(
            new ConfigFile("/home/me/models/CogVideoX-5b/scheduler/scheduler_config.json", TestConfig("cogvideox-5b.json")),
            new ConfigFile("/home/me/src/AppOther/scheduler_config.json", TestConfig("cogvideox-2b.json")),
            new ConfigFile(Project + "/../shared/scheduler/scheduler_config.json", TestConfig("cogvideox-2b.json"))));
    }

    [Fact]
    public void MarkedJson_OutsideTheProject_IsGenerated()
    {
        Assert.Equal(["Sample.App.CogVideoX5b.g.cs", "Sample.App.Linear.g.cs"], Generated(
            new ConfigFile("/home/me/models/CogVideoX-5b/scheduler/scheduler_config.json", TestConfig("cogvideox-5b.json"), Marked("true")),
            new ConfigFile("/shared/configs/linear.json", TestConfig("linear-sample-linspace.json"), Marked("True"))));
    }

    [Fact]
    public void MarkedFalse_IsNeverGenerated()
    {
        Assert.Empty(Generated(new ConfigFile(Project + "/scheduler_config.json", TestConfig("cogvideox-5b.json"), Marked("false"))));
    }

    [Theory]
    [InlineData("/home/me/src/App/a.json", "/home/me/src/App", true)]
    [InlineData("/home/me/src/App/a.json", "/home/me/src/App/", true)]
    [InlineData("/home/me/src/AppOther/a.json", "/home/me/src/App", false)]
    [InlineData("/home/me/src/App/../models/scheduler/scheduler_config.json", "/home/me/src/App", false)]
    [InlineData("/home/me/src/App/./models//scheduler_config.json", "/home/me/src/App", true)]
    [InlineData("/home/me/src/Other/../App/scheduler_config.json", "/home/me/src/App/", true)]
    [InlineData("C:\\Users\\me\\App\\models\\scheduler_config.json", "c:\\users\\me\\app", true)]
    [InlineData("/anywhere/a.json", null, true)]
    public void IsUnder(string path, string? directory, bool expected) =>
        Assert.Equal(expected, gen::CogDdim.Generators.SchedulerGenerator.IsUnder(path, directory));
}
