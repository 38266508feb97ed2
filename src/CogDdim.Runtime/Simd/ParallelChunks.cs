namespace CogDdim.Simd;

/// <summary>
/// Splits one element loop over a few dedicated worker threads, without allocating per call: the job lives on the
/// caller's stack (the caller blocks until every part is done), the body is a function pointer, and the threads
/// and their wake-up signals are made once, on the first parallel call. One loop runs in parallel at a time; a
/// second caller meanwhile (or a call from inside a body) simply runs on its own thread.
/// </summary>
internal static unsafe class ParallelChunks
{
    /// <summary>Below this many elements per thread, waking a thread costs more than the memory it would stream.</summary>
    public const int MinimumElementsPerThread = 1 << 16;

    /// <summary>Part boundaries are multiples of this many elements: whole vectors, no cache line written by two threads.</summary>
    private const int Alignment = 64;

    private static readonly Lock Gate = new();
    private static Worker[] s_workers = [];
    private static ManualResetEventSlim? s_done;
    private static delegate*<void*, int, int, void> s_body;
    private static void* s_job;
    private static int s_length;
    private static int s_parts;
    private static int s_pending;

    /// <summary>The most threads a loop may use here: the logical processors.</summary>
    public static int MaxThreads => Environment.ProcessorCount;

    /// <summary>How many threads a loop over <paramref name="length"/> elements would use with at most <paramref name="maxThreads"/>.</summary>
    public static int PartsFor(int length, int maxThreads) =>
        Math.Max(1, Math.Min(Math.Min(maxThreads, MaxThreads), length / MinimumElementsPerThread));

    /// <summary>Runs <paramref name="body"/> over [0, <paramref name="length"/>) in parts, and returns when all are done.</summary>
    public static void Run(delegate*<void*, int, int, void> body, void* job, int length, int maxThreads)
    {
        var parts = PartsFor(length, maxThreads);
        if (parts <= 1 || !Gate.TryEnter())
        {
            body(job, 0, length);
            return;
        }

        try
        {
            EnsureWorkers(parts - 1);
            s_body = body;
            s_job = job;
            s_length = length;
            s_parts = parts;
            s_pending = parts - 1;
            s_done!.Reset();
            for (var w = 0; w < parts - 1; w++)
            {
                s_workers[w].Wake.Release();
            }

            try
            {
                var (start, end) = Part(0);
                body(job, start, end);
            }
            finally
            {
                // The workers read the job from this stack frame: never leave before they are done.
                s_done.Wait();
            }
        }
        finally
        {
            s_body = null;
            s_job = null;
            Gate.Exit();
        }
    }

    /// <summary>What the worker threads have allocated so far (for the zero-allocation test), as of their last part.</summary>
    internal static long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            foreach (var worker in s_workers)
            {
                sum += Volatile.Read(ref worker.AllocatedBytes);
            }

            return sum;
        }
    }

    private static (int Start, int End) Part(int index)
    {
        static int Boundary(int p) => p == s_parts ? s_length : (int)((long)s_length * p / s_parts) & ~(Alignment - 1);
        return (Boundary(index), Boundary(index + 1));
    }

    private static void EnsureWorkers(int count)
    {
        s_done ??= new ManualResetEventSlim(false);
        if (s_workers.Length >= count)
        {
            return;
        }

        var workers = new Worker[count];
        s_workers.CopyTo(workers, 0);
        for (var w = s_workers.Length; w < count; w++)
        {
            workers[w] = new Worker(w + 1);
        }

        s_workers = workers;
    }

    private sealed class Worker
    {
        private readonly int _part;

        public Worker(int part)
        {
            _part = part;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"CogDdim.Simd worker {part}" };
            thread.Start();
        }

        public long AllocatedBytes;

        public SemaphoreSlim Wake { get; } = new(0);

        private void Loop()
        {
            while (true)
            {
                Wake.Wait();
                var (start, end) = Part(_part);
                s_body(s_job, start, end);
                Volatile.Write(ref AllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                if (Interlocked.Decrement(ref s_pending) == 0)
                {
                    s_done!.Set();
                }
            }
        }
    }
}
