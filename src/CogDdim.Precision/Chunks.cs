namespace CogDdim.Precision;

/// <summary>Splits an element range into contiguous chunks and runs them on at most a given number of threads.</summary>
public static class Chunks
{
    /// <summary>The number of elements in a chunk (the last one may be shorter).</summary>
    public const int ChunkSize = 16_384;

    /// <summary>
    /// Chunks of <see cref="ChunkSize"/> elements. The split does not depend on the thread count, so sums over chunks
    /// (and so every reported number) are the same whatever <c>--threads</c> is.
    /// </summary>
    public static IReadOnlyList<Range> Of(int count)
    {
        var chunkCount = Math.Max(1, (count + ChunkSize - 1) / ChunkSize);
        var ranges = new Range[chunkCount];
        for (var c = 0; c < chunkCount; c++)
        {
            ranges[c] = new Range(c * ChunkSize, Math.Min(count, (c + 1) * ChunkSize));
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
