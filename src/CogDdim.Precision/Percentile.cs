namespace CogDdim.Precision;

public static class Percentile
{
    /// <summary>
    /// The nearest-rank percentile: the smallest value with at least <paramref name="fraction"/> of the values at or
    /// below it. Reorders <paramref name="values"/> (Hoare's selection, linear time on average).
    /// </summary>
    public static float NearestRank(Span<float> values, double fraction)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("no values to take a percentile of", nameof(values));
        }

        var rank = Math.Clamp((int)Math.Ceiling(fraction * values.Length) - 1, 0, values.Length - 1);
        return Select(values, rank);
    }

    /// <summary>The value that would sit at index <paramref name="k"/> if <paramref name="values"/> were sorted.</summary>
    public static float Select(Span<float> values, int k)
    {
        var left = 0;
        var right = values.Length - 1;
        while (left < right)
        {
            var pivot = MedianOfThree(values[left], values[left + ((right - left) / 2)], values[right]);
            var i = left;
            var j = right;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                right = j;
            }
            else if (k >= i)
            {
                left = i;
            }
            else
            {
                return values[k];
            }
        }

        return values[k];
    }

    private static float MedianOfThree(float a, float b, float c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}
