using CogDdim.Backends;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Simd;

namespace CogDdim.Cli;

/// <summary>The backends <c>--backend NAME</c> can pick.</summary>
public static class BackendRegistry
{
    private static readonly Dictionary<string, Func<CommandLine, ISchedulerBackend>> Factories = new(StringComparer.Ordinal)
    {
        ["reference"] = _ => ReferenceBackend.Instance,
        ["simd"] = _ => SimdBackend.Instance,
        ["torch"] = TorchBackendFactory.Create,
        ["generated"] = _ => CogDdim.Generated.GeneratedSchedulers.Backend,
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static ISchedulerBackend Create(string name, CommandLine options) =>
        Factories.TryGetValue(name, out var factory)
            ? factory(options)
            : throw new UsageException($"--backend {name}: unknown backend; available: {string.Join(", ", Factories.Keys)}");
}
