using System.Numerics.Tensors;
using CogDdim.Config;
using CogDdim.Numerics;

namespace CogDdim.Conformance.Api;

/// <summary>The TensorSpan overloads are the span scheduler's calls with shapes checked: the same bits, clear errors.</summary>
public sealed class TensorSpanSchedulerTests
{
    private static readonly SchedulerConfig Config = new() { PredictionType = PredictionType.VPrediction, TimestepSpacing = TimestepSpacing.Trailing, RescaleBetasZeroSnr = true, SnrShiftScale = 1.0 };

    [Fact]
    public void Step_on_tensors_equals_step_on_spans_bit_for_bit()
    {
        var scheduler = SpanScheduler.Create(Config);
        scheduler.SetTimesteps(50);
        nint[] shape = [1, 2, 3, 4, 5];
        var random = new Random(3);
        var sample = Enumerable.Range(0, 120).Select(_ => (BFloat16)(float)random.NextDouble()).ToArray();
        var model = Enumerable.Range(0, 120).Select(_ => (float)random.NextDouble()).ToArray();
        var prev = new float[120];
        var x0 = new float[120];
        scheduler.Step<BFloat16, float>(model, scheduler.Timesteps[7], sample, prev, x0);

        var prevTensor = Tensor.CreateFromShape<float>(shape, false);
        var x0Tensor = Tensor.CreateFromShape<float>(shape, false);
        scheduler.Step<BFloat16, float>(Tensor.Create(model, shape), scheduler.Timesteps[7], Tensor.Create(sample, shape), prevTensor, x0Tensor);
        Assert.Equal(prev.Select(BitConverter.SingleToUInt32Bits), prevTensor.Select(BitConverter.SingleToUInt32Bits));
        Assert.Equal(x0.Select(BitConverter.SingleToUInt32Bits), x0Tensor.Select(BitConverter.SingleToUInt32Bits));
        Assert.Contains(prev, v => v != 0);
    }

    [Fact]
    public void A_shape_mismatch_names_the_tensor_and_both_shapes()
    {
        var scheduler = SpanScheduler.Create(Config);
        scheduler.SetTimesteps(50);
        var sample = Tensor.CreateFromShape<float>([2, 3], false);
        var model = Tensor.CreateFromShape<float>([3, 2], false);
        var e = Assert.Throws<ArgumentException>(() => scheduler.Step<float, float>(model, scheduler.Timesteps[0], sample, Tensor.CreateFromShape<float>([2, 3], false), Tensor.CreateFromShape<float>([2, 3], false)));
        Assert.Contains("model_output has shape [3, 2] but sample has shape [2, 3]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_noise_on_tensors_takes_one_timestep_per_batch_item()
    {
        var scheduler = SpanScheduler.Create(Config);
        var original = Tensor.Create(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), [2, 6]);
        var noise = Tensor.Create(Enumerable.Range(0, 12).Select(i => 1f).ToArray(), [2, 6]);
        var noisy = Tensor.CreateFromShape<float>([2, 6], false);
        scheduler.AddNoise<float>(original, noise, [10, 900], noisy);
        var expected = new float[12];
        scheduler.AddNoise<float>(original.ToArray(), noise.ToArray(), [10, 900], expected);
        Assert.Equal(expected, noisy.ToArray());
        Assert.Throws<ArgumentException>(() => scheduler.AddNoise<float>(original, noise, [1, 2, 3], noisy));
    }
}
