using System;
using TorchSharp;

namespace GmnGen.Cli.Commands;

/// <summary>The shared --threads option's effect.</summary>
internal static class Threads
{
    /// <summary>Sets torch's intra-op threads when <paramref name="threads"/> is given.</summary>
    public static void Apply(int? threads)
    {
        if (threads is null) return;
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, not {threads}.");
        torch.set_num_threads(threads.Value);
    }
}
