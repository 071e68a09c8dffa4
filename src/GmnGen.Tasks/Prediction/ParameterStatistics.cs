using System;
using System.Collections.Generic;
using GmnGen.Graphs;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// StatNN's view of a network (Unterthiner et al. 2020, "Predicting Neural Network Accuracy from
/// Weights"): seven statistics of each state tensor, in the network's layer order.
/// </summary>
public static class ParameterStatistics
{
    /// <summary>The statistics of one tensor, in the order <see cref="PerTensor"/> gives them.</summary>
    public static readonly IReadOnlyList<string> Names = ["mean", "variance", "q0", "q25", "q50", "q75", "q100"];

    /// <summary>
    /// One row per state tensor (<see cref="ParameterGraphLayout.State"/> order: state_dict order, so
    /// layer order) with the tensor's mean, population variance and 0/25/50/75/100 % quantiles
    /// (linear interpolation between order statistics, as numpy's default).
    /// </summary>
    public static double[][] PerTensor(ParameterGraph graph)
    {
        var values = StateValues(graph);
        var state = graph.Topology.Layout.State;
        var rows = new double[state.Count][];
        for (int t = 0; t < state.Count; t++)
        {
            var sorted = values.AsSpan(state[t].Offset, state[t].Length).ToArray();
            Array.Sort(sorted);
            double mean = 0, squares = 0;
            foreach (var v in sorted) mean += v;
            mean /= Math.Max(1, sorted.Length);
            foreach (var v in sorted) squares += (v - mean) * (v - mean);
            rows[t] = [mean, squares / Math.Max(1, sorted.Length),
                Quantile(sorted, 0), Quantile(sorted, 0.25), Quantile(sorted, 0.5), Quantile(sorted, 0.75), Quantile(sorted, 1)];
        }
        return rows;
    }

    /// <summary>
    /// The network's value vector (every state tensor flattened, concatenated in layout order) read
    /// back from the graph's edges. Edge i carries value i only when the layout has no residual
    /// constants (<see cref="ParameterGraphTopology.IsIdentityGather"/>); otherwise each edge's value
    /// index is in <see cref="ParameterGraphTopology.ValueIndex"/> and the constant edges (index
    /// <c>ValueCount</c>) are skipped.
    /// </summary>
    public static double[] StateValues(ParameterGraph graph)
    {
        var topology = graph.Topology;
        int count = topology.Layout.ValueCount;
        double[] edgeValues;
        using (NewDisposeScope())
            edgeValues = graph.EdgeValues.detach().to(float64).cpu().data<double>().ToArray();
        if (topology.IsIdentityGather) return edgeValues;
        var values = new double[count];
        var index = topology.ValueIndex.data<long>();
        for (int e = 0; e < edgeValues.Length; e++)
            if (index[e] < count) values[index[e]] = edgeValues[e];
        return values;
    }

    private static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0) return 0;
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }
}
