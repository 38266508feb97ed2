using System.Diagnostics;
using System.Globalization;
using CogDdim.Rng;
using BFloat16 = CogDdim.Numerics.BFloat16;

namespace CogDdim.Benchmarks;

/// <summary>
/// <c>CogDdim.Benchmarks randn-timing [dtype ...]</c>: the same measurement as bench/randn_timing.py (5 warm-up calls,
/// then median and minimum of 40 single calls, a new array per call as torch.randn allocates a new tensor), so the two
/// can run back to back in one window on a busy machine. Prints one JSON object per dtype.
/// </summary>
public static class RandnTiming
{
    private static readonly int[] Shape = [1, 13, 16, 60, 90];

    public static int Run(string[] dtypes)
    {
        var generator = new TorchGenerator(42);
        foreach (var dtype in dtypes.Length > 0 ? dtypes : ["float32", "bfloat16", "float16", "float64"])
        {
            Func<int> draw = dtype switch
            {
                "float32" => () => generator.RandnArray<float>(Shape).Length,
                "bfloat16" => () => generator.RandnArray<BFloat16>(Shape).Length,
                "float16" => () => generator.RandnArray<Half>(Shape).Length,
                "float64" => () => generator.RandnArray<double>(Shape).Length,
                _ => throw new ArgumentException($"unknown dtype {dtype}"),
            };
            for (var i = 0; i < 5; i++)
            {
                draw();
            }

            var times = new double[40];
            for (var i = 0; i < times.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                draw();
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(times);
            var median = (times[19] + times[20]) / 2;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"impl\": \"CogDdim.Rng\", \"dtype\": \"{dtype}\", \"median_ms\": {median:F3}, \"min_ms\": {times[0]:F3}, \"runs\": {times.Length}}}"));
        }

        return 0;
    }
}
