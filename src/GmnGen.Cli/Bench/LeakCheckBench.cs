using System;
using System.Collections.Generic;
using GmnGen.Metanet;

namespace GmnGen.Cli.Bench;

/// <summary>
/// (e) Whether training steps leak: one small configuration run for many steps, RSS sampled along
/// the way. A leak grows without bound; allocator warm-up grows for a few steps and then stays flat.
/// </summary>
public static class LeakCheckBench
{
    public sealed record Result(string Network, int Hidden, int Batch, IReadOnlyList<(int Step, double RssMiB)> Samples)
    {
        /// <summary>RSS change over the second half of the run.</summary>
        public double SecondHalfGrowthMiB
        {
            get
            {
                int last = Samples[^1].Step;
                var mid = Samples[0];
                foreach (var s in Samples) if (s.Step <= last / 2) mid = s;
                return Samples[^1].RssMiB - mid.RssMiB;
            }
        }
    }

    public static Result Run(Architecture architecture, GmnConfig config, int batch, int steps)
    {
        MemoryProbe.Start();
        using var session = new TrainingBench.Session(architecture, config, batch);
        var samples = new List<(int, double)>();
        var marks = new HashSet<int> { 1, 2, 5, 10, steps / 2, 3 * steps / 4, steps };
        for (int step = 1; step <= steps; step++)
        {
            session.Step();
            if (marks.Contains(step)) samples.Add((step, ProcessMemory.RssMiB));
        }
        return new Result(architecture.Name, config.Hidden, batch, samples);
    }
}
