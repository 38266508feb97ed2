using CogDdim.Numerics;

namespace CogDdim.Precision;

/// <summary>The starting latents every trajectory (and the oracle) begins from.</summary>
public static class StartingLatents
{
    /// <summary>float16's smallest normal value, 2^-14.</summary>
    private const double Float16MinNormal = 6.103515625e-05;

    /// <summary>
    /// Standard normals rounded to bfloat16, with the few values below float16's normal range (about 1 in 20,000)
    /// set to 0: every value is then exact in bfloat16, float16, float32, float64 and the oracle, so all runs start
    /// from the same numbers and the study measures only what the loop adds.
    /// </summary>
    public static double[] Create(int count, ulong seed)
    {
        var normals = new SeededNormals(seed);
        var latents = new double[count];
        for (var i = 0; i < count; i++)
        {
            var value = (double)(BFloat16)(float)normals.Next();
            latents[i] = Math.Abs(value) < Float16MinNormal ? 0 : value;
        }

        return latents;
    }
}
