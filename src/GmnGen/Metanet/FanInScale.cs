using System;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Runtime;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>
/// The He-initialisation scale of every weight, √(fan-in of the neuron or channel it feeds), read off the
/// graph: the fan-in is the number of weight edges into the edge's destination (a conv channel's
/// in-channels × kernel size, a Linear neuron's inputs). Weights multiplied by it sit on one scale whatever
/// the layer's width, which is what a metanet trained on narrow networks needs to read wider ones
/// (<see cref="GmnConfig.FanInScaledValues"/>). Biases, norms and the other kinds keep a factor of 1.
/// An in-degree is a graph invariant, so the factor is invariant under every automorphism.
/// </summary>
public static class FanInScale
{
    private static readonly bool[] IsWeight = Enumerable.Range(0, (int)Enum.GetValues<EdgeType>().Max() + 1)
        .Select(t => ValueStatistics.KindOf((EdgeType)t) == 0).ToArray();

    /// <summary>float32 [E]: each edge's factor (√fan-in for weight edges, 1 for the rest).</summary>
    /// <param name="edgeIndex">int64 [2, E]: sources and destinations.</param>
    /// <param name="edgeType">int64 [E]: each edge's <see cref="EdgeType"/> code.</param>
    /// <param name="nodeCount">Nodes the indices point into.</param>
    public static Tensor PerEdge(Tensor edgeIndex, Tensor edgeType, long nodeCount)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var device = edgeIndex.device;
        var weight = tensor(IsWeight).to(device).index_select(0, edgeType);
        var destination = edgeIndex[1];
        var fanIn = zeros(nodeCount, dtype: float32, device: device).index_add_(0, destination, weight.to(float32), Scalars.One);
        var factor = where(weight, fanIn.index_select(0, destination).sqrt_(), ones(weight.shape[0], dtype: float32, device: device));
        return factor.MoveToOuterDisposeScope();
    }

    /// <summary>float32 [E]: one graph's values times their factors.</summary>
    public static Tensor ScaledValues(ParameterGraph graph)
    {
        using var scope = NewDisposeScope();
        var factor = PerEdge(graph.EdgeIndex.to(graph.EdgeValues.device), graph.EdgeFeatures[.., 1].to(graph.EdgeValues.device), graph.NodeCount);
        return graph.EdgeValues.to(float32).mul(factor).MoveToOuterDisposeScope();
    }
}
