using CogDdim.Scheduling;
using CogDdim.Semantics;
using CogDdim.Tensors;

namespace CogDdim.Generators;

/// <summary>The schedule tables of one config, as the emitter writes them (bit patterns).</summary>
internal sealed class Tables
{
    public Tables(bool isDouble, ulong[] betas, ulong[] alphasCumprod)
    {
        IsDouble = isDouble;
        Betas = betas;
        AlphasCumprod = alphasCumprod;
    }

    /// <summary>float64 bit patterns when true, float32 (in the low 32 bits) otherwise.</summary>
    public bool IsDouble { get; }

    public ulong[] Betas { get; }

    /// <summary>After the SNR shift and any zero-terminal-SNR rescale.</summary>
    public ulong[] AlphasCumprod { get; }

    /// <summary>
    /// diffusers' <c>__init__</c> schedule, computed while compiling with CogDdim.Runtime's own
    /// <see cref="TableMath"/> (the file is linked into this assembly): the same formulas and the same roundings as
    /// the runtime's <c>DdimSchedule</c>, because they are the same code.
    /// </summary>
    public static Tables Compute(ConfigSpec config, SemanticsProfile profile)
    {
        var n = config.NumTrainTimesteps;
        if (config.HasFloat64Table)
        {
            var betas = TableMath.ScaledLinearBetas(config.BetaStart, config.BetaEnd, n, profile.LinspaceFor(DType.Float64));
            var alphasCumprod = TableMath.AlphasCumprod(TableMath.Alphas(betas), config.SnrShiftScale, config.RescaleBetasZeroSnr);
            return new Tables(true, Bits(betas), Bits(alphasCumprod));
        }

        var singleBetas = config.TrainedBetas is { } trained ? TableMath.TrainedBetasSingle(trained.ToArray())
            : config.BetaSchedule == "linear" ? TableMath.Linspace((float)config.BetaStart, (float)config.BetaEnd, n, profile.LinspaceFor(DType.Float32))
            : TableMath.SquaredCosCapV2BetasSingle(n);
        var singleCumprod = TableMath.AlphasCumprod(TableMath.Alphas(singleBetas), profile.CumprodFloat32Accumulator, config.SnrShiftScale, config.RescaleBetasZeroSnr);
        return new Tables(false, Bits(singleBetas), Bits(singleCumprod));
    }

    private static ulong[] Bits(double[] values)
    {
        var bits = new ulong[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            bits[i] = (ulong)BitConverter.DoubleToInt64Bits(values[i]);
        }

        return bits;
    }

    private static ulong[] Bits(float[] values)
    {
        var bits = new ulong[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.ToUInt32(BitConverter.GetBytes(values[i]), 0);
        }

        return bits;
    }
}
