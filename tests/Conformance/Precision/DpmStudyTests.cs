using CogDdim.Precision;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Conformance.Precision;

/// <summary>The DPM side of the precision study: the oracle's exact-identity scalars and a small DPM study.</summary>
public sealed class DpmStudyTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(3.7e-5)]
    [InlineData(123456.789)]
    [InlineData(1.0000001)]
    public void The_oracle_logarithm_agrees_with_the_double_one(double x) =>
        Assert.Equal(Math.Log(x), (double)OracleDpm.Ln(x), 15);

    [Theory]
    [InlineData("cogvideox-2b")]
    [InlineData("cogvideox-5b")]
    public void The_oracle_scalars_are_the_float64_scalars_within_float64_error(string config)
    {
        var c = BuiltInConfigs.ByName[config];
        var oracle = new DdimSchedule<DoubleDouble>(c, SemanticsProfile.Torch2Cpu);
        var float64 = new DdimSchedule<double>(c, SemanticsProfile.Torch2Cpu);
        oracle.SetTimesteps(50);
        float64.SetTimesteps(50);
        long? back = null;
        foreach (var t in float64.Timesteps)
        {
            var exact = OracleDpm.Coefficients(oracle, t, back);
            var rounded = DpmCoefficients<double>.Compute(float64, t, back);
            Close(rounded.Mult1, exact.Mult1);
            Close(rounded.Mult2, exact.Mult2);
            Close(rounded.MultNoise, exact.MultNoise);
            if (back is not null && exact.PrevTimestep >= 0)
            {
                Close(rounded.Mult3, exact.Mult3);
                Close(rounded.Mult4, exact.Mult4);
            }

            back = t;
        }

        static void Close(double actual, DoubleDouble expected)
        {
            var e = (double)expected;
            Assert.True(actual == e || Math.Abs(actual - e) <= 1e-9 * Math.Max(Math.Abs(e), 1e-300),
                $"{actual:R} against the exact {e:R}");
        }
    }

    [Fact]
    public void A_small_dpm_study_runs_every_dtype_in_diffusers_order_only()
    {
        var plan = new StudyPlan
        {
            ConfigName = "cogvideox-5b",
            Config = BuiltInConfigs.ByName["cogvideox-5b"],
            Scheduler = StudyScheduler.Dpm,
            Shape = StudyPlan.SmallShape,
            Steps = 10,
            Profiles = [SemanticsProfile.Torch2Cpu],
        };
        Assert.All(plan.Variants(), v => Assert.Equal(OpOrder.Diffusers, v.Order));
        var result = PrecisionStudy.Run(plan);
        foreach (var variant in result.Variants)
        {
            var last = variant.Steps[^1];
            Assert.True(double.IsFinite(last.RelativeL2), variant.Variant.Name);
            var eps = variant.Variant.Dtype switch { DType.Float64 => 2.2e-16, DType.Float32 => 1.2e-7, DType.Float16 => 9.8e-4, _ => 7.8e-3 };
            Assert.True(last.RelativeL2 < 20 * eps, $"{variant.Variant.Name}: {last.RelativeL2}");
        }
    }
}
