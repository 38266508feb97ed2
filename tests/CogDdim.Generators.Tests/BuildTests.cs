using System.Diagnostics;
using static CogDdim.Generators.Tests.GeneratorHarness;

namespace CogDdim.Generators.Tests;

/// <summary>
/// Real builds (dotnet run / dotnet build in a child process, a minute or more each): the CLI's CogDdimExtraConfigs
/// as the README writes it, on a folder of configs the repository never compiled in; and a user's project whose
/// configs live outside its folder. Filter them out with <c>--filter Category!=Build</c>.
/// </summary>
[Trait("Category", "Build")]
public sealed class BuildTests : IDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly string _root = Directory.CreateTempSubdirectory("cogddim-build-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>
    /// Real diffusers fixtures under a config no build has seen: clip_sample_range, which CogVideoXDDIMScheduler takes
    /// and never uses, so every recorded output stays diffusers' own while the config matches no compiled-in variant.
    /// </summary>
    private void WriteFixture(string relativePath, string source)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "fixtures", "diffusers-0.37.0", source));
        const string original = "\"clip_sample_range\": 1.0,";
        Assert.Equal(1, text.Split(original).Length - 1);
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace(original, "\"clip_sample_range\": 2.5,", StringComparison.Ordinal));
    }

    [Fact]
    public void ExtraConfigs_TheReadmeCommand_GeneratesAndConformsExactly()
    {
        WriteFixture("newconfigs/cogvideox-5b.json", "torch-2.6-cpu/cogvideox-5b.json");
        WriteFixture("newconfigs/older/trained-betas.json", "torch-1.13-cpu/trained-betas-v-trailing.json");
        WriteFixture("more/linear.json", "torch-2.6-cpu/linear-sample-linspace.json");
        var cli = Path.Combine(RepositoryRoot(), "src", "CogDdim.Cli");

        // A glob with ** and a ;-list, both relative to where the build starts (here, the temporary folder).
        var (exit, output) = Dotnet(_root, "run", "--project", cli, "-c", Configuration,
            "-p:CogDdimExtraConfigs=newconfigs/**/*.json%3Bmore/*.json", "--", "conform", "newconfigs", "more", "--backend", "generated");
        Assert.True(exit == 0, output);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var suites = lines.Where(l => l.StartsWith("ok ", StringComparison.Ordinal) || l.StartsWith("FAIL ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, suites.Length);
        Assert.All(suites, l => Assert.StartsWith("ok ", l, StringComparison.Ordinal));
        Assert.All(suites, l => Assert.Contains("worst ULP float64 0, float32 0, float16 0, bfloat16 0, float16/float32 0, bfloat16/float32 0", l, StringComparison.Ordinal));
        Assert.Matches("^[1-9][0-9]* passed, 0 failed$", lines[^1]);
    }

    [Fact]
    public void UserProject_MarkedConfigsOutsideItsFolderAreGenerated_StrayOnesAreNot_NearMissFailsUntilConfigured()
    {
        var app = Path.Combine(_root, "App");
        Directory.CreateDirectory(app);
        Directory.CreateDirectory(Path.Combine(_root, "configs"));
        Directory.CreateDirectory(Path.Combine(_root, "stray", "scheduler"));
        var src = Path.Combine(RepositoryRoot(), "src");
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{src}/CogDdim.Generators/build/CogDdim.Generators.props" />
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <RootNamespace>App</RootNamespace>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                <CompilerGeneratedFilesOutputPath>obj/generated</CompilerGeneratedFilesOutputPath>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{src}/CogDdim.Runtime/CogDdim.Runtime.csproj" />
                <ProjectReference Include="{src}/CogDdim.Generators/CogDdim.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                <AdditionalFiles Include="../configs/*.json" CogDdimSchedulerConfig="true" />
                <AdditionalFiles Include="../stray/**/scheduler_config.json" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            ISpanScheduler scheduler = new App.Cogview3Plus.Scheduler();
            scheduler.SetTimesteps(50);
            Console.WriteLine(FormattableString.Invariant($"{App.Cogview3Plus.SnrShiftScale} {scheduler.Timesteps[0]}"));
            """.Replace("ISpanScheduler", "CogDdim.ISpanScheduler", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_root, "configs", "cogview3-plus.json"), """
            {
              "_class_name": "CogVideoXDDIMScheduler",
              "prediction_type": "v_prediction",
              "rescale_betas_zero_snr": true,
              "timestep_spacing": "trailing",
              "snr_shift_scale": 4.0
            }
            """);
        File.WriteAllText(Path.Combine(_root, "stray", "scheduler", "scheduler_config.json"), TestConfig("cogvideox-5b.json"));

        var (exit, output) = Dotnet(app, "build", "-c", Configuration);
        Assert.True(exit == 0, output);
        var generated = Directory.GetFiles(Path.Combine(app, "obj", "generated"), "*.g.cs", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).ToArray();
        Assert.Equal(["App.Cogview3Plus.g.cs"], generated);
        (exit, output) = Dotnet(app, "run", "--no-build", "-c", Configuration);
        Assert.True(exit == 0, output);
        Assert.Equal("4 999", output.Trim());

        // The CogView3-Plus typo: the build fails, at the key, with the suggestion and the default it would get.
        File.WriteAllText(Path.Combine(_root, "configs", "cogview3-plus.json"),
            File.ReadAllText(Path.Combine(_root, "configs", "cogview3-plus.json")).Replace("\"snr_shift_scale\"", "\"snr_shift_scal\"", StringComparison.Ordinal));
        (exit, output) = Dotnet(app, "build", "-c", Configuration);
        Assert.NotEqual(0, exit);
        Assert.Contains("cogview3-plus.json(6,3): error CDDIM019: 'snr_shift_scal' is not a CogVideoXDDIMScheduler argument; did you mean 'snr_shift_scale'? without it the scheduler uses diffusers' default 3.0", output, StringComparison.Ordinal);

        // Roslyn's analyzer config for diagnostics outside C# files: a global one sets the severity.
        File.WriteAllText(Path.Combine(app, ".globalconfig"), "is_global = true\ndotnet_diagnostic.CDDIM019.severity = warning\n");
        (exit, output) = Dotnet(app, "build", "-c", Configuration);
        Assert.True(exit == 0, output);
        Assert.Contains("warning CDDIM019", output, StringComparison.Ordinal);
        (exit, output) = Dotnet(app, "run", "--no-build", "-c", Configuration);
        Assert.Equal("3 999", output.Trim());
    }

    private static (int ExitCode, string Output) Dotnet(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs under an MSBuild-launched dotnet: keep its MSBuild settings out of the child's build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("MSBuild", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, stdout + stderr.Result + "\n(timed out)");
        }

        return (process.ExitCode, stdout + stderr.Result);
    }
}
