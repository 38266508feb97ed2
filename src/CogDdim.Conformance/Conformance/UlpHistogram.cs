using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using CogDdim.Numerics;

namespace CogDdim.Conformance;

/// <summary>
/// How many compared elements fall at each distance: 0 (same bits), 1, 2, 3–4, 5–8, 9–16, … (powers of two), plus
/// NaN-against-number (class mismatch) and +0/−0 (sign of zero) counts.
/// </summary>
public sealed record UlpHistogram
{
    /// <summary>Bucket 0: 0 ULP; 1: 1; 2: 2; k ≥ 3: (2^(k-2), 2^(k-1)]; the last bucket holds distances above 2^63.</summary>
    public const int DistanceBuckets = 66;

    /// <summary>The element count per distance bucket (<see cref="DistanceBuckets"/> of them; see <see cref="BucketOf"/>).</summary>
    public ImmutableArray<long> Buckets { get; init; } = ImmutableArray.Create(new long[DistanceBuckets]);

    /// <summary>Elements where one side is NaN and the other a number.</summary>
    public long ClassMismatches { get; init; }

    /// <summary>Elements that are +0 against −0.</summary>
    public long ZeroSignMismatches { get; init; }

    /// <summary>Every counted element: the buckets plus both mismatch counts.</summary>
    public long Total => Buckets.Sum() + ClassMismatches + ZeroSignMismatches;

    /// <summary>A histogram with no elements.</summary>
    public static UlpHistogram Empty { get; } = new();

    /// <summary>The bucket a distance falls in: 0, 1, 2, then one bucket per power of two.</summary>
    /// <param name="ulp">The ordinal ULP distance.</param>
    public static int BucketOf(ulong ulp) => ulp <= 2 ? (int)ulp : 1 + (64 - BitOperations.LeadingZeroCount(ulp - 1));

    /// <summary>"0", "1", "2", "3-4", "5-8", …</summary>
    public static string BucketLabel(int bucket) => bucket switch
    {
        <= 2 => bucket.ToString(CultureInfo.InvariantCulture),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(UInt128.One << (bucket - 2)) + 1}-{UInt128.One << (bucket - 1)}"),
    };

    /// <summary>The sum of this histogram and another, bucket by bucket.</summary>
    /// <param name="other">The histogram to add.</param>
    public UlpHistogram Add(UlpHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var sum = new long[DistanceBuckets];
        for (var i = 0; i < DistanceBuckets; i++)
        {
            sum[i] = Buckets[i] + other.Buckets[i];
        }

        return new UlpHistogram
        {
            Buckets = ImmutableArray.Create(sum),
            ClassMismatches = ClassMismatches + other.ClassMismatches,
            ZeroSignMismatches = ZeroSignMismatches + other.ZeroSignMismatches,
        };
    }

    /// <summary>The non-empty buckets in order, labelled, then "class mismatch" and "±0" when non-zero.</summary>
    public IEnumerable<(string Label, long Count)> NonEmpty()
    {
        for (var i = 0; i < DistanceBuckets; i++)
        {
            if (Buckets[i] != 0)
            {
                yield return (BucketLabel(i), Buckets[i]);
            }
        }

        if (ClassMismatches != 0)
        {
            yield return ("class mismatch", ClassMismatches);
        }

        if (ZeroSignMismatches != 0)
        {
            yield return ("±0", ZeroSignMismatches);
        }
    }

    /// <summary>The non-empty buckets as <c>LABEL:COUNT</c>, space separated (<c>0:120 1:3 class mismatch:1</c>).</summary>
    public string Describe() => string.Join(" ", NonEmpty().Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Label}:{b.Count}")));

    internal sealed class Builder
    {
        private readonly long[] _buckets = new long[DistanceBuckets];
        private long _class;
        private long _zero;

        public void Add(UlpRelation relation, ulong ulp)
        {
            switch (relation)
            {
                case UlpRelation.ClassMismatch: _class++; break;
                case UlpRelation.ZeroSignMismatch: _zero++; break;
                case UlpRelation.Identical: _buckets[0]++; break;
                default: _buckets[BucketOf(ulp)]++; break;
            }
        }

        public UlpHistogram Build() => new() { Buckets = ImmutableArray.Create(_buckets), ClassMismatches = _class, ZeroSignMismatches = _zero };
    }
}
