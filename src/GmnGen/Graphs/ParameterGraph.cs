using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using GmnGen.Symmetries;
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

    /// <summary>The architecture's shared node features, edge index and static edge features (CPU tensors).</summary>
    public ParameterGraphTopology Topology { get; }
    /// <summary>[edges], in the state's dtype (float32 for a float32 network; batches convert to float32): the parameter (or buffer, or constant 1) each edge stands for.</summary>
    public Tensor EdgeValues { get; }
    /// <summary>Number of nodes of the graph.</summary>
    public int NodeCount => Topology.Layout.NodeCount;
    /// <summary>Number of edges of the graph, constant edges included.</summary>
    public int EdgeCount => Topology.Layout.EdgeCount;
    /// <summary>int64 [nodes, 4]: layer, order, node type, activation (<see cref="ParameterGraphTopology.NodeFeatures"/>; shared, read-only).</summary>
    public Tensor NodeFeatures => Topology.NodeFeatures;
    /// <summary>int64 [2, edges]: source row, destination row (<see cref="ParameterGraphTopology.EdgeIndex"/>; shared, read-only).</summary>
    public Tensor EdgeIndex => Topology.EdgeIndex;
    /// <summary>int64 [edges, 5]: layer, edge type, pos0..pos2 (<see cref="ParameterGraphTopology.EdgeFeatures"/>; shared, read-only).</summary>
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

    /// <summary>
    /// The graph of the same network after its scaling and sign symmetries with <paramref name="factors"/>
    /// (one tensor per group of the layout's <see cref="SymmetrySpec.Scalings"/>): the values a scaled copy
    /// of the network would give, computed without the network. A label-preserving augmentation for metanets.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layout was made without symmetries.</exception>
    public ParameterGraph Scaled(IReadOnlyList<Tensor> factors)
    {
        var layout = Topology.Layout;
        var symmetries = layout.Symmetries
            ?? throw new InvalidOperationException($"{layout.Architecture}: this layout was made without symmetries (generated layouts carry them).");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var multiplier = ones(layout.ValueCount, dtype: EdgeValues.dtype, device: EdgeValues.device);
        // Views of one vector of 1s, by state name: the scalings multiply them as they would the tensors.
        var views = layout.State.ToDictionary(t => t.Name, t => multiplier.narrow(0, t.Offset, t.Length).view(t.Shape));
        symmetries.ApplyScaling(views, factors);
        var perEdge = Topology.IsIdentityGather
            ? multiplier
            : cat([multiplier, ones(1, dtype: multiplier.dtype, device: multiplier.device)], 0).index_select(0, Topology.ValueIndex.to(multiplier.device));
        return new ParameterGraph(Topology, EdgeValues.mul(perEdge).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The graph of the network (1 − <paramref name="lambda"/>)·this + <paramref name="lambda"/>·<paramref name="other"/>,
    /// parameter by parameter (the residual constants stay 1): weight-space interpolation. Align
    /// <paramref name="other"/> to this graph first (<c>WeightMatching.AlignGraph</c>) for a meaningful mix.
    /// </summary>
    /// <exception cref="ArgumentException">The graphs are of different architectures or λ is not finite.</exception>
    public ParameterGraph Interpolated(ParameterGraph other, double lambda)
    {
        if (!ReferenceEquals(Topology, other.Topology))
            throw new ArgumentException($"Interpolation needs two graphs of one architecture; got {Topology.Layout.Architecture} and {other.Topology.Layout.Architecture}.", nameof(other));
        if (!double.IsFinite(lambda)) throw new ArgumentException($"λ must be finite, not {lambda}.", nameof(lambda));
        using var _ = no_grad();
        using var weight = lambda.ToScalar();
        // Constant edges are 1 in both graphs, and 1 + λ(1 − 1) = 1.
        return new ParameterGraph(Topology, EdgeValues.add(other.EdgeValues.sub(EdgeValues), weight));
    }

    /// <summary>
    /// The network's state tensors in the layout's value order (<see cref="ParameterGraphLayout.State"/>),
    /// read back from the edge values: every parameter and buffer the graph carries is on at least one
    /// edge. New tensors, the caller's to dispose; <see cref="Gather"/> of them gives this graph again.
    /// </summary>
    public IReadOnlyList<Tensor> StateTensors()
    {
        var layout = Topology.Layout;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var values = Topology.IsIdentityGather
            ? EdgeValues.clone()
            // Edges that share a value carry the same number, so scattering them in any order is exact;
            // the last slot receives the residual constants' 1s.
            : zeros(layout.ValueCount + 1, dtype: EdgeValues.dtype, device: EdgeValues.device)
                .index_copy_(0, Topology.ValueIndex.to(EdgeValues.device), EdgeValues).narrow(0, 0, layout.ValueCount);
        return layout.State.Select(t => values.narrow(0, t.Offset, t.Length).view(t.Shape).clone().MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary><see cref="Scaled"/> with random factors (<see cref="SymmetrySpec.RandomScalingFactors"/>).</summary>
    public ParameterGraph RandomlyScaled(double maxFactor = 2, Generator? generator = null)
    {
        var symmetries = Topology.Layout.Symmetries
            ?? throw new InvalidOperationException($"{Topology.Layout.Architecture}: this layout was made without symmetries (generated layouts carry them).");
        using var scope = NewDisposeScope();
        var scaled = Scaled(symmetries.RandomScalingFactors(maxFactor, generator));
        scaled.EdgeValues.MoveToOuterDisposeScope();
        return scaled;
    }

    /// <summary>Frees <see cref="EdgeValues"/>; the topology is shared and stays.</summary>
    public void Dispose() => EdgeValues.Dispose();
}
