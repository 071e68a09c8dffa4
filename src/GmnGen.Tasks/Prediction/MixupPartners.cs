using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Symmetries.Matching;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// For weight-space MixUp: one partner per training graph, drawn among the other training graphs of its
/// architecture, and the partner's graph aligned to it by weight matching, computed once per fit.
/// </summary>
internal sealed class MixupPartners : IDisposable
{
    private readonly ParameterGraph?[] aligned;

    private MixupPartners(int[] partner, ParameterGraph?[] aligned)
    {
        Partner = partner;
        this.aligned = aligned;
    }

    /// <summary>Per training row, its partner's row, or −1 when it is the only one of its architecture.</summary>
    public int[] Partner { get; }

    /// <summary>The partner of <paramref name="row"/> aligned to it (null without a partner).</summary>
    public ParameterGraph? Aligned(int row) => aligned[row];

    /// <summary>Draws the partners with <paramref name="seed"/> and aligns each to its graph.</summary>
    public static MixupPartners Build(IReadOnlyList<ParameterGraph> graphs, long seed)
    {
        var random = new Random(unchecked((int)seed ^ 0x313A));
        var partner = new int[graphs.Count];
        var aligned = new ParameterGraph?[graphs.Count];
        var byArchitecture = Enumerable.Range(0, graphs.Count).GroupBy(i => graphs[i].Topology).ToDictionary(g => g.Key, g => g.ToArray());
        for (int i = 0; i < graphs.Count; i++)
        {
            var same = byArchitecture[graphs[i].Topology];
            if (same.Length < 2)
            {
                partner[i] = -1;
                continue;
            }
            int j = same[random.Next(same.Length - 1)];
            if (j == i) j = same[^1];   // the draw skips i: any of the others, uniformly
            partner[i] = j;
            aligned[i] = WeightMatching.AlignGraph(graphs[i], graphs[j], seed: seed);
        }
        return new MixupPartners(partner, aligned);
    }

    public void Dispose()
    {
        foreach (var graph in aligned) graph?.Dispose();
    }
}
