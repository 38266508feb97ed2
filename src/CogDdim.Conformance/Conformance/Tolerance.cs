using System.Collections.Immutable;
using System.Globalization;
using CogDdim.Numerics;
using CogDdim.Tensors;

namespace CogDdim.Conformance;

/// <summary>
/// When two differing floating-point elements still count as a pass. <see cref="Exact"/> (the default) accepts none;
/// int64 values and NaN against a number are never tolerated.
/// </summary>
public abstract record Tolerance
{
    /// <summary>Same bits, or both NaN: the fixture format's rule.</summary>
    public static Tolerance Exact { get; } = new ExactTolerance();

    /// <summary>torch.testing.assert_close's defaults per dtype (rtol, atol), NaN matching NaN as in the fixture rules.</summary>
    public static Tolerance TorchAssertClose { get; } = new TorchAssertCloseTolerance();

    /// <summary>The name a report prints and <see cref="Parse"/> reads back.</summary>
    public abstract string Name { get; }

    /// <summary>Whether a differing element (not NaN against a number, not int64) is accepted.</summary>
    public abstract bool Accepts(DType dtype, double expected, double actual, UlpRelation relation, ulong ulp);

    /// <summary>
    /// Parses <c>exact</c>, <c>torch</c> (assert_close defaults), <c>ulp:N</c> (every dtype) or
    /// <c>ulp:float16=2,bfloat16=4</c> (the dtypes not named stay exact).
    /// </summary>
    public static Tolerance Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text)
        {
            case "exact":
                return Exact;
            case "torch" or "assert_close":
                return TorchAssertClose;
        }

        if (!text.StartsWith("ulp:", StringComparison.Ordinal))
        {
            throw new FormatException($"tolerance \"{text}\": expected exact, torch, ulp:N or ulp:DTYPE=N,DTYPE=N");
        }

        var body = text["ulp:".Length..];
        if (ulong.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out var all))
        {
            return new UlpTolerance(DTypes.FloatingPoint.ToImmutableSortedDictionary(d => d, _ => all));
        }

        var limits = ImmutableSortedDictionary.CreateBuilder<DType, ulong>();
        foreach (var part in body.Split(','))
        {
            var pair = part.Split('=');
            if (pair.Length != 2 || !DTypes.TryParse(pair[0], out var dtype) || !dtype.IsFloatingPoint()
                || !ulong.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
            {
                throw new FormatException($"tolerance \"{text}\": \"{part}\" is not DTYPE=N with a floating dtype and a whole number");
            }

            limits[dtype] = limit;
        }

        return new UlpTolerance(limits.ToImmutable());
    }
}

/// <summary>No differing element passes: same bits or both NaN only (<see cref="Tolerance.Exact"/>).</summary>
public sealed record ExactTolerance : Tolerance
{
    /// <inheritdoc/>
    public override string Name => "exact";

    /// <inheritdoc/>
    public override bool Accepts(DType dtype, double expected, double actual, UlpRelation relation, ulong ulp) => false;
}

/// <summary>At most N ULP per dtype; +0 against −0 is 0 ULP and passes.</summary>
/// <param name="Limits">The largest accepted distance per floating dtype; a dtype not listed stays exact.</param>
public sealed record UlpTolerance(ImmutableSortedDictionary<DType, ulong> Limits) : Tolerance
{
    /// <inheritdoc/>
    public override string Name =>
        Limits.Count == DTypes.FloatingPoint.Count && Limits.Values.Distinct().Count() == 1
            ? string.Create(CultureInfo.InvariantCulture, $"ulp:{Limits.Values.First()}")
            : "ulp:" + string.Join(",", Limits.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key.Name()}={p.Value}")));

    /// <inheritdoc/>
    public override bool Accepts(DType dtype, double expected, double actual, UlpRelation relation, ulong ulp) =>
        relation is UlpRelation.Apart or UlpRelation.ZeroSignMismatch && Limits.TryGetValue(dtype, out var limit) && ulp <= limit;
}

/// <summary>
/// <c>|actual - expected| &lt;= atol + rtol * |expected|</c> with torch.testing's default (rtol, atol) for the dtype;
/// infinities must be equal.
/// </summary>
public sealed record TorchAssertCloseTolerance : Tolerance
{
    /// <inheritdoc/>
    public override string Name => "torch";

    /// <summary>torch.testing.assert_close's default (rtol, atol) for a dtype; (0, 0) for int64.</summary>
    /// <param name="dtype">The compared tensor's dtype.</param>
    public static (double Rtol, double Atol) Defaults(DType dtype) => dtype switch
    {
        DType.Float64 => (1e-7, 1e-7),
        DType.Float32 => (1.3e-6, 1e-5),
        DType.Float16 => (1e-3, 1e-5),
        DType.BFloat16 => (1.6e-2, 1e-5),
        _ => (0, 0),
    };

    /// <inheritdoc/>
    public override bool Accepts(DType dtype, double expected, double actual, UlpRelation relation, ulong ulp)
    {
        if (relation == UlpRelation.ZeroSignMismatch)
        {
            return true;
        }

        if (relation != UlpRelation.Apart || double.IsInfinity(expected) || double.IsInfinity(actual))
        {
            return false;
        }

        var (rtol, atol) = Defaults(dtype);
        return Math.Abs(actual - expected) <= atol + (rtol * Math.Abs(expected));
    }
}
