using CogDdim.Backends;
using CogDdim.Config;
using CogDdim.Reference;
using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;
using CogDdim.Torch;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TorchSharp;
using static TorchSharp.torch;

namespace CogDdim.Conformance.TorchBackendTests;

/// <summary>How a test lays its input out in torch memory.</summary>
public enum Layout
{
    Contiguous,

    /// <summary>A transposed view (last two dimensions swapped): strides out of order.</summary>
    Transposed,

    /// <summary>Every other row of a larger tensor: a gap between rows.</summary>
    EveryOtherRow,
}

/// <summary>One random step call: config, semantics profile, dtypes, shape, memory layout, timestep, values.</summary>
public sealed record StepSpec(string Suite, bool Torch113, DType Sample, DType Model, int[] Shape, Layout Layout, int Steps, long Timestep, int Seed)
{
    public override string ToString() =>
        $"{Suite} {(Torch113 ? "torch113" : "torch2")} {Sample.Name()}/{Model.Name()} [{string.Join(",", Shape)}] {Layout} N={Steps} t={Timestep} seed={Seed}";
}

/// <summary>One random add_noise/get_velocity call.</summary>
public sealed record NoiseSpec(string Suite, DType DType, int[] Shape, Layout Layout, long[] Timesteps, bool Velocity, int Seed)
{
    public override string ToString() =>
        $"{(Velocity ? "get_velocity" : "add_noise")} {Suite} {DType.Name()} [{string.Join(",", Shape)}] {Layout} t=[{string.Join(",", Timesteps)}] seed={Seed}";
}

/// <summary>
/// The TorchSharp backend and the reference backend agree bit for bit on random inputs, shapes (empty, one element,
/// up to rank 4) and memory layouts (contiguous, transposed, strided views), or fail with the same exception class.
/// </summary>
public sealed class TorchPropertyTests
{
    private static readonly Device Device = TorchDevices.Resolve(TorchTestData.DeviceName);

    /// <summary>zero-snr-epsilon-trailing has alpha_prod_t = 0 at its first timestep (999): epsilon's x0 divides by 0 there.</summary>
    private static readonly string[] Suites = ["defaults", "cogvideox-5b", "cosine-epsilon-leading-offset", "linear-sample-linspace", "trained-betas-v-trailing", "zero-snr-epsilon-trailing"];

    private static readonly (DType Sample, DType Model)[] DTypePairs =
    [
        (DType.Float64, DType.Float64), (DType.Float32, DType.Float32), (DType.Float16, DType.Float16), (DType.BFloat16, DType.BFloat16),
        (DType.Float16, DType.Float32), (DType.BFloat16, DType.Float32), (DType.Float32, DType.Float64), (DType.BFloat16, DType.Float64),
    ];

    private static Gen<int[]> Shapes(int minRank) =>
        from rank in Gen.Choose(minRank, 4)
        from dims in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Constant(1)), (8, Gen.Choose(2, 5))), rank)
        select dims;

    private static Gen<Layout> LayoutFor(int[] shape) =>
        shape.Length >= 2 ? Gen.Elements(Layout.Contiguous, Layout.Transposed, Layout.EveryOtherRow)
        : shape.Length == 1 ? Gen.Elements(Layout.Contiguous, Layout.EveryOtherRow)
        : Gen.Constant(Layout.Contiguous);

    private static Arbitrary<StepSpec> StepSpecs() =>
        (from suite in Gen.Elements(Suites)
         from torch113 in Gen.Elements(false, true)
         from pair in Gen.Elements(DTypePairs)
         from shape in Shapes(0)
         from layout in LayoutFor(shape)
         from steps in Gen.Choose(1, 60)
         from pick in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(0, 1000)))
         from stray in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
         from seed in Gen.Choose(0, int.MaxValue)
         let train = TorchTestData.Suite(TorchTestData.Torch26, suite).Config.NumTrainTimesteps
         let timestep = stray ? (long)(pick % (train + 20)) - 10 - (pick % 2 == 0 ? train : 0) : StepTimestep(suite, steps, pick)
         select new StepSpec(suite, torch113, pair.Sample, pair.Model, shape, layout, steps, timestep, seed)).ToArbitrary();

    private static Arbitrary<NoiseSpec> NoiseSpecs() =>
        (from suite in Gen.Elements(Suites)
         from dtype in Gen.Elements(DType.Float64, DType.Float32, DType.Float16, DType.BFloat16)
         from shape in Shapes(1)
         from layout in LayoutFor(shape)
         from perItem in Gen.Elements(false, true)
         from timesteps in Gen.ArrayOf(Gen.Choose(-50, 1049).Select(t => (long)t), perItem ? shape[0] : 1)
         from velocity in Gen.Elements(false, true)
         from seed in Gen.Choose(0, int.MaxValue)
         let train = TorchTestData.Suite(TorchTestData.Torch26, suite).Config.NumTrainTimesteps
         select new NoiseSpec(suite, dtype, shape, layout, timesteps.Select(t => t % (train + 5)).ToArray(), velocity, seed)).ToArbitrary();

    [Property(MaxTest = 150)]
    public Property Step_matches_the_reference_bit_for_bit() => Prop.ForAll(StepSpecs(), spec => CheckStep(spec));

    [Property(MaxTest = 100)]
    public Property Noise_matches_the_reference_bit_for_bit() => Prop.ForAll(NoiseSpecs(), spec => CheckNoise(spec));

    private static long StepTimestep(string suite, int steps, int pick)
    {
        var config = TorchTestData.Suite(TorchTestData.Torch26, suite).Config;
        if (steps > config.NumTrainTimesteps)
        {
            return 0;
        }

        var timesteps = InferenceTimesteps.Compute(config, steps);
        return timesteps[pick % timesteps.Length];
    }

    private static bool CheckStep(StepSpec spec)
    {
        var config = TorchTestData.Suite(TorchTestData.Torch26, spec.Suite).Config;
        var profile = spec.Torch113 ? SemanticsProfile.Torch113Cpu : SemanticsProfile.Torch2Cpu;
        using var scope = NewDisposeScope();
        var random = new Random(spec.Seed);
        var sample = View(RandomValues(random, spec.Sample, spec.Shape, spec.Layout), spec.Layout);
        var model = View(RandomValues(random, spec.Model, spec.Shape, spec.Layout), spec.Layout);

        using var reference = ReferenceBackend.CreateScheduler(config, profile);
        using var torch = new TorchScheduler(config, new TorchSchedulerOptions { Profile = profile, Device = Device });
        var expected = Outcome(() =>
        {
            reference.SetTimesteps(spec.Steps);
            var r = reference.Step(model.ToHost(), spec.Timestep, sample.ToHost());
            return [r.PrevSample, r.PredOriginalSample];
        });
        var actual = Outcome(() =>
        {
            torch.SetTimesteps(spec.Steps);
            using var r = torch.Step(model, spec.Timestep, sample);
            return [r.PrevSample.ToHost(), r.PredOriginalSample.ToHost()];
        });
        return Same(expected, actual, spec.ToString());
    }

    private static bool CheckNoise(NoiseSpec spec)
    {
        var config = TorchTestData.Suite(TorchTestData.Torch26, spec.Suite).Config;
        using var scope = NewDisposeScope();
        var random = new Random(spec.Seed);
        var input = View(RandomValues(random, spec.DType, spec.Shape, spec.Layout), spec.Layout);
        var noise = View(RandomValues(random, spec.DType, spec.Shape, spec.Layout), spec.Layout);
        var timesteps = HostTensor.Create(spec.Timesteps, spec.Timesteps.Length);

        using var reference = ReferenceBackend.CreateScheduler(config, SemanticsProfile.Torch2Cpu);
        using var torch = new TorchScheduler(config, new TorchSchedulerOptions { Device = Device });
        var expected = Outcome(() => [spec.Velocity
            ? reference.GetVelocity(input.ToHost(), noise.ToHost(), timesteps)
            : reference.AddNoise(input.ToHost(), noise.ToHost(), timesteps)]);
        var actual = Outcome(() => [(spec.Velocity
            ? torch.GetVelocity(input, noise, timesteps.ToTorch(Device))
            : torch.AddNoise(input, noise, timesteps.ToTorch(Device))).ToHost()]);
        return Same(expected, actual, spec.ToString());
    }

    /// <summary>
    /// Values drawn in the tensor's own dtype, as the simd properties draw them (<c>SimdTestData.Values</c>):
    /// NaN of both signs and random payloads, ±∞, ±0, the dtype's own subnormals, the largest finite values, and
    /// ordinary values of a few magnitudes.
    /// </summary>
    private static HostTensor RandomValues(Random random, DType dtype, int[] shape, Layout layout)
    {
        var storage = StorageShape(shape, layout);
        var count = HostTensor.ElementCount(storage);
        return dtype switch
        {
            DType.Float64 => HostTensor.Create(global::CogDdim.Conformance.Simd.SimdTestData.Values<double>(random, count), storage),
            DType.Float32 => HostTensor.Create(global::CogDdim.Conformance.Simd.SimdTestData.Values<float>(random, count), storage),
            DType.Float16 => HostTensor.Create(global::CogDdim.Conformance.Simd.SimdTestData.Values<Half>(random, count), storage),
            DType.BFloat16 => HostTensor.Create(global::CogDdim.Conformance.Simd.SimdTestData.Values<global::CogDdim.Numerics.BFloat16>(random, count), storage),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "not a floating-point dtype"),
        };
    }

    /// <summary>The torch tensor of <paramref name="storage"/> viewed as the layout asks  (the logical shape is the spec's).</summary>
    private static Tensor View(HostTensor storage, Layout layout)
    {
        var tensor = storage.ToTorch(Device);
        return layout switch
        {
            Layout.Transposed => tensor.transpose(-1, -2),
            Layout.EveryOtherRow => tensor.slice(0, 0, tensor.shape[0], 2),
            _ => tensor,
        };
    }

    private static int[] StorageShape(int[] shape, Layout layout)
    {
        var storage = (int[])shape.Clone();
        switch (layout)
        {
            case Layout.Transposed:
                (storage[^1], storage[^2]) = (storage[^2], storage[^1]);
                break;
            case Layout.EveryOtherRow:
                storage[0] *= 2;
                break;
        }

        return storage;
    }

    private static (HostTensor[]? Tensors, Exception? Error) Outcome(Func<HostTensor[]> call)
    {
        try
        {
            return (call(), null);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return (null, e);
        }
    }

    private static bool Same((HostTensor[]? Tensors, Exception? Error) expected, (HostTensor[]? Tensors, Exception? Error) actual, string what)
    {
        if (expected.Error is not null || actual.Error is not null)
        {
            Assert.True(expected.Error?.GetType() == actual.Error?.GetType(),
                $"{what}: reference {Describe(expected.Error)}, torch {Describe(actual.Error)}");
            return true;
        }

        for (var i = 0; i < expected.Tensors!.Length; i++)
        {
            var comparison = TensorComparer.Compare(i == 0 ? "first result" : "second result", expected.Tensors[i], actual.Tensors![i]);
            Assert.True(comparison.Passed, $"{what}: {comparison.Describe()}");
        }

        return true;
    }

    private static string Describe(Exception? e) => e is null ? "succeeded" : $"threw {e.GetType().Name}: {e.Message}";
}
