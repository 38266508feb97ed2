using CogDdim.Backends;
using CogDdim.Tensors;

namespace CogDdim.Conformance;

/// <summary>One Dispose rule for every IScheduler (issue 14): idempotent, and every call after it throws ObjectDisposedException.</summary>
public sealed class DisposeRuleTests
{
    public static TheoryData<string> Backends => ["reference", "simd", "torch"];

    [Theory]
    [MemberData(nameof(Backends))]
    public void Every_call_after_Dispose_throws_ObjectDisposedException(string name)
    {
        var suite = Harness.HarnessFixtures.Suite(Harness.HarnessFixtures.Primary, "trained-betas-v-trailing");
        ISchedulerBackend backend = name switch
        {
            "reference" => ReferenceBackend.Instance,
            "simd" => SimdBackend.Instance,
            _ => new global::CogDdim.Torch.TorchBackend(),
        };
        var scheduler = backend.Create(suite.Config, suite.Reference.Semantics);
        scheduler.SetTimesteps(10);
        var x = HostTensor.Zeros(DType.Float32, 1, 2);
        var t = HostTensor.Create(new long[] { 1 }, 1);
        scheduler.Dispose();
        scheduler.Dispose();

        Assert.Throws<ObjectDisposedException>(() => scheduler.SetTimesteps(10));
        Assert.Throws<ObjectDisposedException>(() => scheduler.Step(x, scheduler.Timesteps[0], x));
        Assert.Throws<ObjectDisposedException>(() => scheduler.AddNoise(x, x, t));
        Assert.Throws<ObjectDisposedException>(() => scheduler.GetVelocity(x, x, t));
        Assert.Throws<ObjectDisposedException>(() => scheduler.ScaleModelInput(x));
    }
}
