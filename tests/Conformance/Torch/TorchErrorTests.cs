using CogDdim.Config;
using CogDdim.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Conformance.TorchBackendTests;

/// <summary>Bad input to the tensor API fails with a .NET exception that names the problem, never in native code.</summary>
public sealed class TorchErrorTests
{
    private static readonly SchedulerConfig Config = TorchTestData.Suite(TorchTestData.Torch26, "cogvideox-5b").Config;

    [Fact]
    public void Step_before_set_timesteps_is_diffusers_value_error()
    {
        using var scheduler = new TorchScheduler(Config);
        using var x = zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => scheduler.Step(x, 999, x));
        Assert.Contains("set_timesteps", e.Message);
    }

    [Fact]
    public void An_integer_sample_is_rejected_by_name()
    {
        using var scheduler = Ready();
        using var sample = zeros([2, 3], ScalarType.Int64);
        using var model = zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => scheduler.Step(model, 999, sample));
        Assert.Equal("sample", e.ParamName);
        Assert.Contains("int64", e.Message);
    }

    [Fact]
    public void An_integer_model_output_is_rejected_by_name()
    {
        using var scheduler = Ready();
        using var sample = zeros(2, 3);
        using var model = zeros([2, 3], ScalarType.Int32);
        var e = Assert.Throws<ArgumentException>(() => scheduler.Step(model, 999, sample));
        Assert.Equal("model_output", e.ParamName);
        Assert.Contains("floating-point", e.Message);
    }

    [Fact]
    public void Mismatched_shapes_are_named_with_both_shapes()
    {
        using var scheduler = Ready();
        using var sample = zeros(2, 3);
        using var model = zeros(3, 2);
        var e = Assert.Throws<ArgumentException>(() => scheduler.Step(model, 999, sample));
        Assert.Contains("[3, 2]", e.Message);
        Assert.Contains("[2, 3]", e.Message);
    }

    [Fact]
    public void A_model_output_narrower_than_the_sample_is_a_dtype_mismatch()
    {
        using var scheduler = Ready();
        using var sample = zeros(2, 3);
        using var model = zeros([2, 3], ScalarType.BFloat16);
        var e = Assert.Throws<ArgumentException>(() => scheduler.Step(model, 999, sample));
        Assert.Contains("float32 sample with a bfloat16 model_output", e.Message);
    }

    [Fact]
    public void A_timestep_outside_the_table_is_out_of_range()
    {
        using var scheduler = Ready();
        using var x = zeros(2, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Step(x, 1000, x));
        Assert.Equal("timestep", e.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Step(x, -1001, x));
    }

    [Fact]
    public void A_noise_timestep_outside_the_table_is_out_of_range()
    {
        using var scheduler = new TorchScheduler(Config);
        using var x = zeros(2, 3);
        using var t = tensor(new long[] { 5, 1000 });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.AddNoise(x, x, t));
        Assert.Equal("timesteps", e.ParamName);
    }

    [Fact]
    public void Noise_timesteps_must_be_int64_and_one_per_item()
    {
        using var scheduler = new TorchScheduler(Config);
        using var x = zeros(2, 3);
        using var int32 = tensor(new[] { 5, 6 });
        Assert.Contains("int64", Assert.Throws<ArgumentException>(() => scheduler.AddNoise(x, x, int32)).Message);
        using var three = tensor(new long[] { 5, 6, 7 });
        Assert.Contains("one per batch item", Assert.Throws<ArgumentException>(() => scheduler.GetVelocity(x, x, three)).Message);
    }

    [Fact]
    public void A_tensor_on_another_device_is_named_with_both_devices()
    {
        // This machine has no GPU: a scheduler "on" cuda cannot be made, so the check is shown with a tensor on the
        // meta device (shapes only, no storage), which is another device than the scheduler's cpu all the same.
        using var scheduler = Ready();
        using var sample = zeros(2, 3);
        using var model = empty([2, 3], device: new Device(DeviceType.META));
        var e = Assert.Throws<ArgumentException>(() => scheduler.Step(model, 999, sample));
        Assert.Equal("model_output", e.ParamName);
        Assert.Contains("this scheduler runs on cpu", e.Message);
    }

    [Fact]
    public void Asking_for_cuda_without_cuda_says_how_to_get_it()
    {
        if (cuda.is_available())
        {
            // scripts/gpu-check.sh on a GPU machine: cuda is then a device like any other.
            Assert.Equal(DeviceType.CUDA, new TorchBackend("cuda").Device.type);
            return;
        }

        var e = Assert.Throws<NotSupportedException>(() => new TorchBackend("cuda"));
        Assert.Contains("torch.cuda.is_available() is false", e.Message);
        Assert.Contains("TorchSharp-cuda-linux", e.Message);
        Assert.Throws<NotSupportedException>(() => new TorchScheduler(Config, new TorchSchedulerOptions { Device = new Device(DeviceType.CUDA, 0) }));
    }

    [Fact]
    public void An_unknown_device_name_is_an_argument_error()
    {
        Assert.Contains("expected cpu, cuda", Assert.Throws<ArgumentException>(() => TorchDevices.Resolve("tpu")).Message);
        Assert.Throws<ArgumentException>(() => TorchDevices.Resolve("cuda:x"));
    }

    [Fact]
    public void A_disposed_scheduler_refuses_to_step()
    {
        var scheduler = Ready();
        scheduler.Dispose();
        using var x = zeros(2, 3);
        Assert.Throws<ObjectDisposedException>(() => scheduler.Step(x, 999, x));
    }

    private static TorchScheduler Ready()
    {
        var scheduler = new TorchScheduler(Config);
        scheduler.SetTimesteps(50);
        return scheduler;
    }
}
