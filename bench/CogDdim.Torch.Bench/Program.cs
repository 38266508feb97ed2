using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using CogDdim.Torch.Bench;

// dotnet run -c Release --project bench/CogDdim.Torch.Bench [-- BenchmarkDotNet options]
// A short job: each step moves ~10-40 MB, so a few iterations give a stable mean on this small machine.
var config = DefaultConfig.Instance.AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1));
BenchmarkSwitcher.FromAssembly(typeof(TorchStepBenchmarks).Assembly).Run(args, config);
