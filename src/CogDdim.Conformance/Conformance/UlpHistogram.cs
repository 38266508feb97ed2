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

    public ImmutableArray<long> Buckets { get; init; } = ImmutableArray.Create(new long[DistanceBuckets]);

    public long ClassMismatches { get; init; }

    public long ZeroSignMismatches { get; init; }

    public long Total => Buckets.Sum() + ClassMismatches + ZeroSignMismatches;

    public static UlpHistogram Empty { get; } = new();

    public static int BucketOf(ulong ulp) => ulp <= 2 ? (int)ulp : 1 + (64 - BitOperations.LeadingZeroCount(ulp - 1));

    /// <summary>"0", "1", "2", "3-4", "5-8", …</summary>
    public static string BucketLabel(int bucket) => bucket switch
    {
        <= 2 => bucket.ToString(CultureInfo.InvariantCulture),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(UInt128.One << (bucket - 2)) + 1}-{UInt128.One << (bucket - 1)}"),
    };

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
