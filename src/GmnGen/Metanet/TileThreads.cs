using System;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>How the tiled passes split their edges over threads: one contiguous range per thread (so each thread sums
/// into its own buffers, added up afterwards, and the result does not depend on timing), torch's thread count, and at
/// least 1,024 edges per thread.</summary>
internal static class TileThreads
{
    /// <summary>Threads for <paramref name="rows"/> edges.</summary>
    public static int For(long rows) => (int)Math.Max(1, Math.Min(get_num_threads(), rows / 1024 + 1));

    /// <summary>Runs <paramref name="range"/>(start, end, thread) for each of <paramref name="threads"/> contiguous ranges of
    /// [0, <paramref name="rows"/>), on the calling thread alone when there is one.</summary>
    public static void Run(long rows, int threads, Action<long, long, int> range)
    {
        if (threads == 1) range(0, rows, 0);
        else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => range(rows * t / threads, rows * (t + 1) / threads, t));
    }
}
