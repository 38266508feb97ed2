namespace CogDdim.Precision;

/// <summary>Splits an element range into contiguous chunks and runs them on at most a given number of threads.</summary>
public static class Chunks
{
    /// <summary>Chunks of at least 16K elements, four per thread, so that uneven threads still finish together.</summary>
    public static IReadOnlyList<Range> Of(int count, int parallelism)
    {
        var chunkCount = Math.Clamp(count / 16_384, 1, Math.Max(1, parallelism) * 4);
        var ranges = new Range[chunkCount];
        for (var c = 0; c < chunkCount; c++)
        {
            ranges[c] = new Range((int)((long)count * c / chunkCount), (int)((long)count * (c + 1) / chunkCount));
        }

        return ranges;
    }

    /// <summary>Runs <paramref name="body"/>(chunk index, (start, end)) for every chunk.</summary>
    public static void Run(IReadOnlyList<Range> chunks, int parallelism, Action<int, (int Start, int End)> body)
    {
        if (parallelism <= 1 || chunks.Count == 1)
        {
            for (var c = 0; c < chunks.Count; c++)
            {
                body(c, Bounds(chunks[c]));
            }

            return;
        }

        Parallel.For(0, chunks.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, c => body(c, Bounds(chunks[c])));
    }

    private static (int Start, int End) Bounds(Range range) => (range.Start.Value, range.End.Value);
}
