using System.Globalization;
using CogDdim.Numerics;
using CogDdim.Tensors;

namespace CogDdim.Conformance;

/// <summary>One element that differs: where, both values with their bits, and how far apart.</summary>
/// <param name="Index">The element's row-major index.</param>
/// <param name="ExpectedBits">The recorded bits, in hex.</param>
/// <param name="ExpectedValue">The recorded value, as the shortest decimal that reads back to it.</param>
/// <param name="ActualBits">The computed bits, in hex.</param>
/// <param name="ActualValue">The computed value.</param>
/// <param name="Relation">How the two relate.</param>
/// <param name="Ulp">The ordinal ULP distance (the absolute difference for int64).</param>
public sealed record ElementMismatch(
    int Index,
    string ExpectedBits,
    string ExpectedValue,
    string ActualBits,
    string ActualValue,
    UlpRelation Relation,
    ulong Ulp)
{
    /// <summary>One line: the index, both values with their bits, and the ULP distance (or NaN against a number, or the sign of zero).</summary>
    public string Describe() => Relation switch
    {
        UlpRelation.ClassMismatch => $"element {Index}: expected {ExpectedValue} ({ExpectedBits}), got {ActualValue} ({ActualBits}): NaN against a number",
        UlpRelation.ZeroSignMismatch => $"element {Index}: expected {ExpectedValue} ({ExpectedBits}), got {ActualValue} ({ActualBits}): sign of zero differs",
        _ => $"element {Index}: expected {ExpectedValue} ({ExpectedBits}), got {ActualValue} ({ActualBits}): {Ulp} ULP",
    };
}

/// <summary>The comparison of one recorded tensor (or integer list) with what a backend computed.</summary>
/// <param name="Quantity">The quantity's name, e.g. <c>prev_sample</c> or <c>prev_samples[3]</c>.</param>
/// <param name="DType">The recorded dtype.</param>
/// <param name="Elements">The number of elements recorded.</param>
/// <param name="Mismatches">Elements whose bits differ (both NaN counts as equal), tolerated ones included.</param>
/// <param name="WorstUlp">The largest distance among them.</param>
/// <param name="ClassMismatches">Elements with NaN against a number.</param>
/// <param name="ZeroSignMismatches">Elements with +0 against −0.</param>
/// <param name="First">The first differing element, or null.</param>
/// <param name="Worst">The farthest differing element (NaN against a number first), or null.</param>
/// <param name="StructuralError">A dtype or shape that differs (<c>got shape [1], expected [2, 3]</c>); then no element was compared.</param>
public sealed record TensorComparison(
    string Quantity,
    DType DType,
    int Elements,
    int Mismatches,
    ulong WorstUlp,
    int ClassMismatches,
    int ZeroSignMismatches,
    ElementMismatch? First,
    ElementMismatch? Worst,
    string? StructuralError)
{
    /// <summary>
    /// Same dtype and shape, and every element has the same bits or both are NaN, or differs in a way the
    /// comparison's tolerance accepts (<see cref="ToleratedMismatches"/>; none under the default exact rule).
    /// </summary>
    public bool Passed => StructuralError is null && Mismatches == ToleratedMismatches;

    /// <summary>Differing elements that the tolerance accepted (0 under <see cref="Tolerance.Exact"/>).</summary>
    public int ToleratedMismatches { get; init; }

    /// <summary>Every compared element by distance (empty for a structural error).</summary>
    public UlpHistogram Histogram { get; init; } = UlpHistogram.Empty;

    /// <summary>The tolerance the comparison was judged by.</summary>
    public string ToleranceName { get; init; } = "exact";

    /// <summary>One line: identical, within the tolerance, or the mismatch counts with the first and the worst differing element.</summary>
    public string Describe()
    {
        if (StructuralError is not null)
        {
            return $"{Quantity}: {StructuralError}";
        }

        if (Passed)
        {
            return ToleratedMismatches == 0
                ? $"{Quantity}: {Elements} elements identical"
                : $"{Quantity}: {Elements} elements within {ToleranceName} ({ToleratedMismatches} differ)";
        }

        var worst = Worst is null || Worst == First ? string.Empty : $"; worst {Worst.Describe()}";
        return $"{Quantity} ({DType.Name()}): {Mismatches} of {Elements} elements differ (worst {WorstUlp} ULP, {ClassMismatches} NaN/number, {ZeroSignMismatches} ±0); first {First!.Describe()}{worst}";
    }
}

/// <summary>Compares recorded tensors with computed ones by their bits, as the fixture format's reading rules say.</summary>
public static class TensorComparer
{
    /// <summary>Compares bit for bit, exactly (<see cref="Tolerance.Exact"/>).</summary>
    /// <param name="quantity">The name reports give the quantity, e.g. <c>prev_sample</c>.</param>
    /// <param name="expected">The recorded tensor.</param>
    /// <param name="actual">What the backend computed.</param>
    public static TensorComparison Compare(string quantity, HostTensor expected, HostTensor actual) =>
        Compare(quantity, expected, actual, Tolerance.Exact);

    /// <summary>Compares bit for bit, counting the differing elements that <paramref name="tolerance"/> accepts.</summary>
    public static TensorComparison Compare(string quantity, HostTensor expected, HostTensor actual, Tolerance tolerance)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(tolerance);
        if (expected.DType != actual.DType)
        {
            return Structural(quantity, expected, $"dtype {actual.DType.Name()}, expected {expected.DType.Name()}");
        }

        if (!expected.SameShape(actual))
        {
            return Structural(quantity, expected, $"shape {actual.ShapeText}, expected {expected.ShapeText}");
        }

        int mismatches = 0, classMismatches = 0, zeroSign = 0, tolerated = 0;
        ulong worstUlp = 0;
        ElementMismatch? first = null, worst = null;
        var histogram = new UlpHistogram.Builder();
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected.GetBits(i);
            var a = actual.GetBits(i);
            if (e == a)
            {
                histogram.Add(UlpRelation.Identical, 0);
                continue;
            }

            UlpRelation relation;
            ulong distance;
            if (expected.DType == DType.Int64)
            {
                relation = UlpRelation.Apart;
                distance = (ulong)Int128.Abs((Int128)(long)e - (long)a);
            }
            else
            {
                relation = Ulp.Compare(e, a, expected.DType, out distance);
                if (relation == UlpRelation.Identical)
                {
                    histogram.Add(UlpRelation.Identical, 0);
                    continue;
                }
            }

            histogram.Add(relation, distance);
            mismatches++;
            if (expected.DType != DType.Int64 && tolerance.Accepts(expected.DType, expected.GetDouble(i), actual.GetDouble(i), relation, distance))
            {
                tolerated++;
            }

            classMismatches += relation == UlpRelation.ClassMismatch ? 1 : 0;
            zeroSign += relation == UlpRelation.ZeroSignMismatch ? 1 : 0;
            var mismatch = new ElementMismatch(i, expected.FormatBits(i), expected.FormatElement(i), actual.FormatBits(i), actual.FormatElement(i), relation, distance);
            first ??= mismatch;
            if (relation == UlpRelation.ClassMismatch && worst?.Relation != UlpRelation.ClassMismatch)
            {
                worst = mismatch;
            }
            else if (relation != UlpRelation.ClassMismatch && (worst is null || (worst.Relation != UlpRelation.ClassMismatch && distance > worst.Ulp)))
            {
                worst = mismatch;
            }

            worstUlp = Math.Max(worstUlp, distance);
        }

        return new TensorComparison(quantity, expected.DType, expected.Length, mismatches, worstUlp, classMismatches, zeroSign, first, worst, null)
        {
            ToleratedMismatches = tolerated,
            Histogram = histogram.Build(),
            ToleranceName = tolerance.Name,
        };
    }

    /// <summary>Compares integer lists (timesteps) exactly, as int64 tensors.</summary>
    /// <param name="quantity">The name reports give the quantity, e.g. <c>timesteps</c>.</param>
    /// <param name="expected">The recorded values.</param>
    /// <param name="actual">What the backend computed.</param>
    public static TensorComparison CompareLongs(string quantity, IReadOnlyList<long> expected, IReadOnlyList<long> actual) =>
        Compare(quantity, HostTensor.Create(expected.ToArray(), expected.Count), HostTensor.Create(actual.ToArray(), actual.Count));

    /// <summary>Compares a number (<c>init_noise_sigma</c>, <c>order</c>, <c>len</c>) exactly, as a float64 0-dim tensor.</summary>
    /// <param name="quantity">The name reports give the quantity.</param>
    /// <param name="expected">The recorded value.</param>
    /// <param name="actual">What the backend computed.</param>
    public static TensorComparison CompareNumber(string quantity, double expected, double actual) =>
        Compare(quantity, HostTensor.Create([expected], []), HostTensor.Create([actual], []));

    private static TensorComparison Structural(string quantity, HostTensor expected, string error) =>
        new(quantity, expected.DType, expected.Length, expected.Length, 0, 0, 0, null, null,
            string.Create(CultureInfo.InvariantCulture, $"got {error}"));
}
