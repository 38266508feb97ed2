namespace CogDdim.Precision;

/// <summary>
/// Standard normal draws from a fixed seed, the same on every platform and .NET version: SplitMix64 for the bits,
/// Box–Muller in double for the shape.
/// </summary>
public sealed class SeededNormals(ulong seed)
{
    private ulong _state = seed;
    private double? _spare;

    public double Next()
    {
        if (_spare is { } spare)
        {
            _spare = null;
            return spare;
        }

        // 53-bit uniforms in (0, 1]: never 0, so the logarithm is finite.
        var u1 = ((NextBits() >> 11) + 1) * (1.0 / (1UL << 53));
        var u2 = (NextBits() >> 11) * (1.0 / (1UL << 53));
        var radius = Math.Sqrt(-2 * Math.Log(u1));
        _spare = radius * Math.Sin(2 * Math.PI * u2);
        return radius * Math.Cos(2 * Math.PI * u2);
    }

    private ulong NextBits()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
