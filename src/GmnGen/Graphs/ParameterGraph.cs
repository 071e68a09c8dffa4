using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Graphs;

/// <summary>
/// The parameter graph of one live network: the shared <see cref="Topology"/> plus one value per
/// edge, detached from autograd. Node features, edge index and static edge features stay on the
/// CPU; <see cref="EdgeValues"/> lives where the network's parameters live.
/// Dispose a graph when done with it: that frees its edge values now rather than on the finalizer
/// thread (the shared topology belongs to the architecture and stays).
/// </summary>
public sealed class ParameterGraph : IDisposable
{
    private ParameterGraph(ParameterGraphTopology topology, Tensor edgeValues)
    {
        Topology = topology;
        EdgeValues = edgeValues;
    }

    public ParameterGraphTopology Topology { get; }
    /// <summary>float32 [edges]: the parameter (or buffer, or constant 1) each edge stands for.</summary>
    public Tensor EdgeValues { get; }
    public int NodeCount => Topology.Layout.NodeCount;
    public int EdgeCount => Topology.Layout.EdgeCount;
    public Tensor NodeFeatures => Topology.NodeFeatures;
    public Tensor EdgeIndex => Topology.EdgeIndex;
    public Tensor EdgeFeatures => Topology.EdgeFeatures;

    /// <summary>
    /// Builds the graph from the network's state tensors, given in the layout's value order (the
    /// generated <c>ToParameterGraph()</c> passes them without any lookup). Costs one concatenation
    /// and, only when the layout has residual constants, one gather.
    /// </summary>
    public static ParameterGraph Gather(ParameterGraphLayout layout, IReadOnlyList<Tensor> state)
    {
        if (state.Count != layout.State.Count)
            throw new ArgumentException($"{layout.Architecture}: expected {layout.State.Count} state tensors ({string.Join(", ", layout.State.Select(s => s.Name))}), got {state.Count}.", nameof(state));
        var topology = layout.Topology;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var values = cat(state.Select(t => t.detach().reshape(-1)).ToArray(), 0);
        if (values.shape[0] != layout.ValueCount)
            throw new ArgumentException($"{layout.Architecture}: state tensors hold {values.shape[0]} values, the layout expects {layout.ValueCount}.", nameof(state));
        Tensor edgeValues = topology.IsIdentityGather
            ? values
            : cat([values, ones(1, dtype: values.dtype, device: values.device)], 0)
                .index_select(0, topology.ValueIndex.to(values.device));
        return new ParameterGraph(topology, edgeValues.MoveToOuterDisposeScope());
    }

    /// <summary>Frees <see cref="EdgeValues"/>; the topology is shared and stays.</summary>
    public void Dispose() => EdgeValues.Dispose();
}
