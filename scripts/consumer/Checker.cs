// The consumer test's checker: the same loop through the scalar reference (the CogDdim.Reference package).
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Reference;
using CogDdim.Semantics;

var config = SchedulerConfigReader.ReadFile(args[0]).Config;
var reference = new ReferenceScheduler<double>(config, SemanticsProfile.Torch2Cpu);
reference.SetTimesteps(Loop.Steps);
Console.WriteLine($"reference {Loop.Run(reference.Timesteps, (m, t, s, p, x) => reference.Step<BFloat16, float>(m, t, s, p, x)):X16}");
