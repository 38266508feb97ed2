using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Harness;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Conformance.Reference;

/// <summary>
/// A recorded error passes only for the one .NET exception type of its Python class, thrown by the call under test,
/// with a message that names what diffusers' names.
/// </summary>
public sealed class ErrorMatchingTests
{
    [Fact]
    public void Each_python_class_has_exactly_one_dotnet_type_and_no_type_serves_two()
    {
        Assert.Equal(ErrorClasses.Map.Count, ErrorClasses.Map.Select(m => m.PythonType).Distinct().Count());
        Assert.Equal(ErrorClasses.Map.Count, ErrorClasses.Map.Select(m => m.DotNetType).Distinct().Count());
        Assert.All(ErrorClasses.Map, m => Assert.Equal(m.PythonType, ErrorClasses.Classify((Exception)Activator.CreateInstance(m.DotNetType)!)));
    }

    [Fact]
    public void The_nearest_mapped_type_decides_so_an_out_of_range_argument_is_no_value_error()
    {
        Assert.True(ErrorClasses.Matches("ValueError", new ArgumentException("x")));
        Assert.False(ErrorClasses.Matches("ValueError", new ArgumentOutOfRangeException("n")));
        Assert.True(ErrorClasses.Matches("IndexError", new ArgumentOutOfRangeException("n")));
        Assert.False(ErrorClasses.Matches("IndexError", new IndexOutOfRangeException()));
        Assert.False(ErrorClasses.Matches("ValueError", new InvalidOperationException()));
        Assert.False(ErrorClasses.Matches("ZeroDivisionError", new ArgumentOutOfRangeException("n")));
        Assert.False(ErrorClasses.Matches("TypeError", new ArgumentException("x")));
        Assert.Null(ErrorClasses.Classify(new IndexOutOfRangeException()));
        Assert.Null(ErrorClasses.Classify(new NullReferenceException()));

        // A port's errors (harness) classify by the .NET type they are made as.
        Assert.Equal("ValueError", ErrorClasses.Classify(PortErrors.ToException("ValueError", "m")));
        Assert.Equal("IndexError", ErrorClasses.Classify(PortErrors.ToException("IndexError", "m")));
        Assert.Equal("NotImplementedError", ErrorClasses.Classify(PortErrors.ToException("NotImplementedError", "m")));
        Assert.Equal("ZeroDivisionError", ErrorClasses.Classify(PortErrors.ToException("ZeroDivisionError", "m")));
        // A port that names another class is that class (IPythonErrorClass): it can only match a recorded error of that name.
        Assert.Equal("KeyError", ErrorClasses.Classify(PortErrors.ToException("KeyError", "m")));
    }

    [Theory]
    [InlineData("`num_inference_steps`: 1001 cannot be larger than `self.config.train_timesteps`: 1000 as the unet model trained with this scheduler can only handle maximal 1000 timesteps.",
        "num_inference_steps|train_timesteps|1001|1000")]
    [InlineData("prediction_type given as flow must be one of `epsilon`, `sample`, or `v_prediction`", "epsilon|sample|v_prediction|prediction_type|flow")]
    [InlineData("uniform is not supported. Please make sure to choose one of 'leading' or 'trailing'.", "leading|trailing|uniform")]
    [InlineData("cubic is not implemented for <class 'diffusers.schedulers.scheduling_ddim_cogvideox.CogVideoXDDIMScheduler'>", "CogVideoXDDIMScheduler|cubic")]
    [InlineData("Number of inference steps is 'None', you need to run 'set_timesteps' after creating the scheduler", "None|set_timesteps")]
    public void A_diffusers_message_names_its_keys_values_and_numbers(string message, string names)
    {
        Assert.Equal(names.Split('|'), ErrorClasses.NamesIn(message, ["flow", "uniform", "cubic"]));
    }

    [Fact]
    public void Every_recorded_error_of_every_committed_suite_is_named_by_the_reference()
    {
        var errors = TestFixtures.SuiteIds.Select(TestFixtures.Load)
            .SelectMany(s => s.Errors.Select(e => e.Error)
                .Concat(s.SetTimesteps.Select(c => c.Error)).Concat(s.Steps.Select(c => c.Error))
                .Concat([s.ConstructError]).OfType<global::CogDdim.Fixtures.FixtureError>())
            .ToList();
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Type == "NotImplementedError");
        // Python's ZeroDivisionError texts are fixed and name nothing (set_timesteps(0): T // 0 or T / 0): for them the
        // class alone decides; every other recorded message names something the reference's must name too.
        Assert.All(errors.Where(e => e.Type == "ZeroDivisionError"), e => Assert.Contains(e.Message, new[] { "integer division or modulo by zero", "division by zero" }));
        Assert.All(errors.Where(e => e.Type != "ZeroDivisionError"), e => Assert.NotEmpty(ErrorClasses.NamesIn(e.Message)));
    }

    [Fact]
    public void Step_before_set_timesteps_fails_when_the_backend_does_not_raise_even_if_its_timesteps_are_empty()
    {
        var result = Run(new Fake { EmptyTimesteps = true, StepNeverFails = true });

        var error = Assert.Single(result.Cases, c => c.Kind == CaseKinds.Error);
        Assert.True(error.Failed);
        Assert.Contains("but the call succeeded", error.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void The_right_message_with_the_wrong_type_fails()
    {
        var result = Run(new Fake { TooManyStepsAs = m => new ArgumentOutOfRangeException("n", m) });

        var failed = Assert.Single(result.Cases, c => c.Failed);
        Assert.Equal("set_timesteps[12] N=1001", failed.Id);
        Assert.Contains("expected ValueError (ArgumentException", failed.Failure, StringComparison.Ordinal);
        Assert.Contains("got ArgumentOutOfRangeException (IndexError)", failed.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void The_right_type_with_a_message_that_drops_the_key_and_value_fails()
    {
        var result = Run(new Fake { TooManyStepsAs = _ => new ArgumentException("too many inference steps") });

        var failed = Assert.Single(result.Cases, c => c.Failed);
        Assert.Equal("set_timesteps[12] N=1001", failed.Id);
        Assert.Contains("does not name \"num_inference_steps\", \"train_timesteps\", \"1001\", \"1000\"", failed.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_wording_that_names_the_same_things_passes()
    {
        var result = Run(new Fake { TooManyStepsAs = _ => new ArgumentException("set_timesteps(1001): num_inference_steps 1001 > num_train_timesteps 1000") });

        Assert.All(result.Cases, c => Assert.True(c.Passed, c.Describe()));
    }

    private static SuiteResult Run(Fake backend)
    {
        var result = new ConformanceRunner(backend).Run(TestFixtures.Load("torch-2.6-cpu/defaults"));
        Assert.NotEmpty(result.Cases);
        return result;
    }

    /// <summary>The reference backend with one fault switched on.</summary>
    private sealed class Fake : ISchedulerBackend
    {
        public bool EmptyTimesteps { get; init; }

        public bool StepNeverFails { get; init; }

        public Func<string, Exception>? TooManyStepsAs { get; init; }

        public string Name => "fake";

        public IScheduler Create(SchedulerConfig config, SemanticsProfile profile) => new Scheduler(this, ReferenceBackend.Instance.Create(config, profile));

        private sealed class Scheduler(Fake fake, IScheduler inner) : IScheduler
        {
            public SchedulerConfig Config => inner.Config;

            public int Order => inner.Order;

            public double InitNoiseSigma => inner.InitNoiseSigma;

            public int Length => inner.Length;

            public int? NumInferenceSteps => inner.NumInferenceSteps;

            public IReadOnlyList<long> Timesteps => fake.EmptyTimesteps && inner.NumInferenceSteps is null ? new List<long>() : inner.Timesteps;

            public ScheduleTables Tables => inner.Tables;

            public void SetTimesteps(int numInferenceSteps)
            {
                if (fake.TooManyStepsAs is { } make && numInferenceSteps > inner.Length)
                {
                    throw make($"`num_inference_steps`: {numInferenceSteps} cannot be larger than `self.config.train_timesteps`: {inner.Length}");
                }

                inner.SetTimesteps(numInferenceSteps);
            }

            public StepResult Step(HostTensor modelOutput, long timestep, HostTensor sample) =>
                fake.StepNeverFails && inner.NumInferenceSteps is null ? new StepResult(sample, sample) : inner.Step(modelOutput, timestep, sample);

            public HostTensor AddNoise(HostTensor originalSamples, HostTensor noise, HostTensor timesteps) => inner.AddNoise(originalSamples, noise, timesteps);

            public HostTensor GetVelocity(HostTensor sample, HostTensor noise, HostTensor timesteps) => inner.GetVelocity(sample, noise, timesteps);

            public HostTensor ScaleModelInput(HostTensor sample, long? timestep = null) => inner.ScaleModelInput(sample, timestep);

            public void Dispose() => inner.Dispose();
        }
    }
}
