using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Numerics;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Conformance.Reference;

public sealed class ReferenceSchedulerTests
{
    private static readonly SchedulerConfig CogVideoX5b = TestFixtures.Load("torch-2.6-cpu/cogvideox-5b").Config;

    private static ReferenceScheduler<double> Scheduler5b(int? steps = 50)
    {
        var scheduler = new ReferenceScheduler<double>(CogVideoX5b, SemanticsProfile.Torch2Cpu);
        if (steps is { } n)
        {
            scheduler.SetTimesteps(n);
        }

        return scheduler;
    }

    [Fact]
    public void Step_before_SetTimesteps_fails_with_diffusers_message()
    {
        var scheduler = Scheduler5b(steps: null);
        var e = Assert.Throws<ArgumentException>(() => scheduler.Step<float>(new float[2], 999, new float[2], new float[2], new float[2]));
        Assert.Contains("set_timesteps", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(5000)]
    public void More_inference_steps_than_training_timesteps_is_an_error(int n)
    {
        var e = Assert.Throws<ArgumentException>(() => Scheduler5b().SetTimesteps(n));
        Assert.Contains($"{n} cannot be larger than `num_train_timesteps`: 1000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_inference_steps_is_an_error()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Scheduler5b().SetTimesteps(-3));
        Assert.Contains("at least 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_inference_steps_divides_by_zero_as_diffusers_does_with_trailing_spacing()
    {
        // CogVideoX-5b is trailing: diffusers computes num_train_timesteps / 0, a ZeroDivisionError.
        var e = Assert.Throws<DivideByZeroException>(() => Scheduler5b().SetTimesteps(0));
        Assert.Equal("division by zero", e.Message);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(-1001)]
    [InlineData(long.MaxValue)]
    public void A_timestep_outside_the_table_is_an_index_error(long t)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Scheduler5b().Step<float>(new float[1], t, new float[1], new float[1], new float[1]));
        Assert.Contains($"timestep {t} is outside the table of 1000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_timestep_indexes_from_the_end_as_python_does()
    {
        var scheduler = Scheduler5b();
        Assert.Equal(scheduler.Coefficients(999).AlphaProd, scheduler.Coefficients(-1).AlphaProd);
    }

    [Fact]
    public void Mismatched_sample_and_model_output_lengths_are_an_error()
    {
        var e = Assert.Throws<ArgumentException>(() => Scheduler5b().Step<float>(new float[3], 999, new float[4], new float[4], new float[4]));
        Assert.Contains("model output has 3 elements but the sample has 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_tensors_of_different_shapes_are_an_error()
    {
        using var scheduler = ReferenceBackend.CreateScheduler(CogVideoX5b, SemanticsProfile.Torch2Cpu);
        scheduler.SetTimesteps(50);
        var e = Assert.Throws<ArgumentException>(() =>
            scheduler.Step(HostTensor.Zeros(DType.Float32, 2, 3), 999, HostTensor.Zeros(DType.Float32, 3, 2)));
        Assert.Contains("model_output has shape [2, 3] but sample has shape [3, 2]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_narrower_model_output_than_sample_is_refused_with_the_promotion_named()
    {
        using var scheduler = ReferenceBackend.CreateScheduler(CogVideoX5b, SemanticsProfile.Torch2Cpu);
        scheduler.SetTimesteps(50);
        var e = Assert.Throws<NotSupportedException>(() =>
            scheduler.Step(HostTensor.Zeros(DType.BFloat16, 4), 999, HostTensor.Zeros(DType.Float32, 4)));
        Assert.Contains("bfloat16 model output", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integer_tensors_are_refused()
    {
        using var scheduler = ReferenceBackend.CreateScheduler(CogVideoX5b, SemanticsProfile.Torch2Cpu);
        scheduler.SetTimesteps(50);
        var e = Assert.Throws<ArgumentException>(() =>
            scheduler.Step(HostTensor.Zeros(DType.Int64, 4), 999, HostTensor.Zeros(DType.Int64, 4)));
        Assert.Contains("int64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_noise_needs_one_timestep_per_batch_item_or_one_for_all()
    {
        using var scheduler = ReferenceBackend.CreateScheduler(CogVideoX5b, SemanticsProfile.Torch2Cpu);
        var samples = HostTensor.Zeros(DType.Float32, 4, 3);
        var e = Assert.Throws<ArgumentException>(() => scheduler.AddNoise(samples, samples, HostTensor.Create(new long[] { 1, 2 }, 2)));
        Assert.Contains("2 timesteps for original_samples of shape [4, 3]", e.Message, StringComparison.Ordinal);

        var one = scheduler.AddNoise(HostTensor.Create(new float[] { 1, 2, 3, 4 }, 4, 1), HostTensor.Zeros(DType.Float32, 4, 1), HostTensor.Create(new long[] { 0 }, 1));
        var sqrtAlpha = MathF.Sqrt((float)((ReferenceBackend.HostScheduler<double>)scheduler).Scheduler.AlphasCumprod[0]);
        Assert.Equal(new[] { sqrtAlpha * 1, sqrtAlpha * 2, sqrtAlpha * 3, sqrtAlpha * 4 }, one.As<float>());
    }

    [Fact]
    public void Add_noise_with_a_timestep_outside_the_table_is_an_index_error()
    {
        using var scheduler = ReferenceBackend.CreateScheduler(CogVideoX5b, SemanticsProfile.Torch2Cpu);
        var samples = HostTensor.Zeros(DType.Float32, 1, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.AddNoise(samples, samples, HostTensor.Create(new long[] { 1000 }, 1)));
    }

    [Fact]
    public void An_unknown_prediction_type_fails_in_step_as_in_diffusers()
    {
        var config = CogVideoX5b with { DeferredInvalidValues = CogVideoX5b.DeferredInvalidValues.Add(ConfigKeys.PredictionType, "flow") };
        var scheduler = new ReferenceScheduler<double>(config, SemanticsProfile.Torch2Cpu);
        scheduler.SetTimesteps(10);
        var e = Assert.Throws<ArgumentException>(() => scheduler.Step<float>(new float[1], 900, new float[1], new float[1], new float[1]));
        Assert.Contains("prediction_type given as flow", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_beta_schedule_fails_at_construction()
    {
        var config = new SchedulerConfig { DeferredInvalidValues = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add(ConfigKeys.BetaSchedule, "cubic") };
        var e = Assert.Throws<NotSupportedException>(() => new ReferenceScheduler<float>(config, SemanticsProfile.Torch2Cpu));
        Assert.Contains("cubic is not implemented", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_type_that_differs_from_diffusers_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new ReferenceScheduler<float>(CogVideoX5b, SemanticsProfile.Torch2Cpu));
        Assert.Contains("float64 in diffusers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scale_model_input_order_init_noise_sigma_and_length_match_diffusers()
    {
        using var scheduler = ReferenceBackend.CreateScheduler(CogVideoX5b, SemanticsProfile.Torch2Cpu);
        var sample = HostTensor.Create(new float[] { 1.5f, -2f }, 2);
        Assert.Same(sample, scheduler.ScaleModelInput(sample, 999));
        Assert.Equal(1, scheduler.Order);
        Assert.Equal(1.0, scheduler.InitNoiseSigma);
        Assert.Equal(1000, scheduler.Length);
        Assert.Null(scheduler.NumInferenceSteps);
        Assert.Equal(999L, scheduler.Timesteps[0]);
    }

    [Fact]
    public void The_5b_schedule_ends_at_zero_terminal_snr()
    {
        var scheduler = Scheduler5b();
        Assert.Equal(0.0, scheduler.AlphasCumprod[^1]);
        Assert.Equal(1.0, scheduler.FinalAlphaCumprod);
        Assert.Equal(DType.Float32, scheduler.FinalAlphaCumprodDType);
    }

    [Fact]
    public void Trailing_spacing_reproduces_numpy_arange_length_for_non_divisors()
    {
        // 1000 / 3 = 333.33…: numpy's arange(1000, 0, -333.33…) has ceil(1000 / 333.33…) = 3 elements.
        Assert.Equal([999L, 666L, 332L], InferenceTimesteps.TrailingSpacing(1000, 3));
        // 1000 / 7: 1000, 857.14…, 714.29…, 571.43…, 428.57…, 285.71…, 142.86… rounded, minus one.
        Assert.Equal([999L, 856L, 713L, 570L, 428L, 285L, 142L], InferenceTimesteps.TrailingSpacing(1000, 7));
    }

    [Fact]
    public void Linspace_spacing_rounds_half_to_even()
    {
        // np.linspace(0, 9, 3) = [0, 4.5, 9]: 4.5 rounds to 4.
        Assert.Equal([9L, 4L, 0L], InferenceTimesteps.LinspaceSpacing(10, 3));
        Assert.Equal([0L], InferenceTimesteps.LinspaceSpacing(1000, 1));
    }

    [Fact]
    public void Mixed_bfloat16_sample_and_float32_model_output_give_float32_results()
    {
        using var scheduler = ReferenceBackend.CreateScheduler(CogVideoX5b, SemanticsProfile.Torch2Cpu);
        scheduler.SetTimesteps(50);
        var result = scheduler.Step(HostTensor.Zeros(DType.Float32, 2), 999, HostTensor.Create(new[] { (BFloat16)1.0f, (BFloat16)(-1.0f) }, 2));
        Assert.Equal(DType.Float32, result.PrevSample.DType);
        Assert.Equal(DType.Float32, result.PredOriginalSample.DType);
    }

    [Fact]
    public void Eta_and_use_clipped_model_output_are_accepted_and_ignored_as_in_diffusers()
    {
        var step = TestFixtures.Load("torch-2.6-cpu/cogvideox-5b").Steps.First(c => c.Sample.DType == DType.Float32);
        var scheduler = Scheduler5b(step.NumInferenceSteps);
        var prev = new float[step.Sample.Length];
        var x0 = new float[step.Sample.Length];
        scheduler.Step<float>(step.ModelOutput.Span<float>(), step.Timestep, step.Sample.Span<float>(), prev, x0, eta: 1.0, useClippedModelOutput: true);

        Assert.Equal(step.PrevSample!.As<float>(), prev);
        Assert.Equal(step.PredOriginalSample!.As<float>(), x0);
    }
}
