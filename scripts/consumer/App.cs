// The consumer test's app: what a user writes after `dotnet add package CogDdim.Runtime` and dropping a model's
// scheduler_config.json into the project. It runs the 50-step loop with the runtime's span scheduler and with the
// scheduler generated from the config, and prints both checksums and the assemblies CogDdim.Runtime references.
using app; // the generated class lives in the project's root namespace
using CogDdim;

var path = Path.Combine(AppContext.BaseDirectory, "CogVideoX-5b", "scheduler", "scheduler_config.json");
ISpanScheduler runtime = SpanScheduler.FromConfigFile(path);
runtime.SetTimesteps(Loop.Steps);
var runtimeHash = Loop.Run(runtime.Timesteps, (m, t, s, p, x) => runtime.Step(m, t, s, p, x));

ISpanScheduler generated = new CogVideoX5b.Scheduler();
generated.SetTimesteps(Loop.Steps);
var generatedHash = Loop.Run(generated.Timesteps, (m, t, s, p, x) => generated.Step(m, t, s, p, x));

Console.WriteLine($"runtime {runtimeHash:X16}");
Console.WriteLine($"generated {generatedHash:X16}");
Console.WriteLine("references " + string.Join(" ", typeof(ISpanScheduler).Assembly.GetReferencedAssemblies().Select(a => a.Name)));
