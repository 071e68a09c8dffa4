using System.Collections.Generic;
using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

/// <summary>A run of graph nodes, the index of its block (to set its activation later) and, for
/// nodes that carry activations, their channel set in <see cref="SymmetryBuilder"/> (else -1).</summary>
internal readonly record struct NodeRange(int Start, int Count, int Block, int Set = -1);

/// <summary>
/// Accumulates the parameter graph (node and edge blocks), the value vector (state tensors in
/// order) and, through <see cref="Symmetries"/>, the symmetry groups while
/// <see cref="NetworkBuilder"/> walks the layers.
/// </summary>
internal sealed class GraphLayoutBuilder
{
    private readonly List<NodeBlockSpec> nodes = new();
    private readonly List<(string Name, int[] Shape, string Accessor, bool IsBuffer)> state = new();
    private readonly List<(int Layer, string Type, NodeRange Src, NodeRange Dst, int[] Kernel, int State, int Within, bool Diagonal, string Comment)> edgeRuns = new();
    private int nodeCount, layer;
    private long values;

    /// <summary>Counts values ahead of time; false when the graph would pass int range (edge indices are ints in the layout).</summary>
    public long ReservedValues => values;

    /// <summary>Totals so far, counted in long so that a too-large network is caught before anything wraps round.</summary>
    public long NodeTotal { get; private set; }
    public long EdgeTotal { get; private set; }
    public long StateTotal { get; private set; }

    public bool Reserve(long count)
    {
        values += count;
        return values <= int.MaxValue;
    }

    /// <summary>The nodes that carry the current activations (neurons or channels).</summary>
    public NodeRange Current { get; set; }

    public int NextLayer() => ++layer;

    /// <summary>The index of the last layer with parameters.</summary>
    public int Layer => layer;

    public SymmetryBuilder Symmetries { get; } = new();

    /// <summary>Nodes that carry activations: they get a channel set, fixed for inputs and outputs.</summary>
    public NodeRange Track(NodeRange nodes, string name, bool movable) =>
        nodes with { Set = Symmetries.Open(name, nodes, isFixed: !movable) };

    /// <summary>Records that permuting <paramref name="nodes"/> permutes <paramref name="axis"/> of <paramref name="tensor"/>.</summary>
    public void Act(NodeRange nodes, string tensor, int axis, int block = 1)
    {
        if (nodes.Set >= 0) Symmetries.Act(nodes.Set, tensor, axis, block);
    }

    public NodeRange AddNodes(int count, int nodeLayer, string type, bool ordered, string comment)
    {
        var range = new NodeRange(nodeCount, count, nodes.Count);
        nodes.Add(new NodeBlockSpec(nodeCount, count, nodeLayer, type, ordered, "None", comment));
        nodeCount += count;
        NodeTotal += count;
        return range;
    }

    public void SetActivation(NodeRange range, string activation) =>
        nodes[range.Block] = nodes[range.Block] with { Activation = activation };

    /// <summary>Adds a state tensor (parameter or buffer) and returns its id for <see cref="AddEdges"/>.</summary>
    public int AddState(string name, int[] shape, string accessor, bool isBuffer = false)
    {
        state.Add((name, shape, accessor, isBuffer));
        StateTotal += shape.Aggregate(1L, (a, d) => a * d);
        return state.Count - 1;
    }

    /// <param name="within">Where the block's values start inside the state tensor (a GroupNorm's
    /// vector is split into one block per group).</param>
    /// <param name="diagonal">Source i to destination i only (residual edges), instead of every pair.</param>
    public void AddEdges(int edgeLayer, string type, NodeRange src, NodeRange dst, int[] kernel, int stateId, string comment, int within = 0, bool diagonal = false)
    {
        edgeRuns.Add((edgeLayer, type, src, dst, kernel, stateId, within, diagonal, comment));
        EdgeTotal += diagonal ? dst.Count : kernel.Aggregate((long)src.Count * dst.Count, (a, k) => a * k);
    }

    /// <summary>A parameter (per-node tensor of a layer) with its own node and one edge to each current node.</summary>
    public void AddBroadcast(int nodeLayer, string nodeType, string edgeType, string name, string accessor, NodeRange target, string comment, bool isBuffer = false)
    {
        var node = AddNodes(1, nodeLayer, nodeType, ordered: false, comment);
        int id = AddState(name, new[] { target.Count }, accessor, isBuffer);
        AddEdges(nodeLayer, edgeType, node, target, new int[0], id, comment);
        Act(target, name, 0);
    }

    /// <summary>A GroupNorm parameter: one node per norm group, with an edge to each channel of its group.</summary>
    public NodeRange AddGrouped(int nodeLayer, string nodeType, string edgeType, string name, string accessor, NodeRange target, int groups, string comment)
    {
        var node = AddNodes(groups, nodeLayer, nodeType, ordered: false, comment);
        int id = AddState(name, new[] { target.Count }, accessor);
        int per = target.Count / groups;
        for (int g = 0; g < groups; g++)
            AddEdges(nodeLayer, edgeType, new NodeRange(node.Start + g, 1, node.Block), new NodeRange(target.Start + g * per, per, target.Block), new int[0], id, comment, within: g * per);
        Act(target, name, 0);
        return node;
    }

    public int NodeCount => nodeCount;
    public EquatableArray<NodeBlockSpec> Nodes => nodes.ToEquatableArray();

    /// <summary>
    /// The value vector: every parameter in module order, then every buffer in module order. This is
    /// TorchSharp's state_dict order, and its first part is parameters() concatenated, as in the
    /// official GMN code. Edge blocks follow the same order, so edge i carries value i.
    /// </summary>
    public (EquatableArray<StateTensorSpec> State, EquatableArray<EdgeBlockSpec> Edges) Values()
    {
        var order = Enumerable.Range(0, state.Count).OrderBy(i => state[i].IsBuffer ? 1 : 0).ThenBy(i => i).ToList();
        var offsets = new int[state.Count];
        var tensors = new List<StateTensorSpec>();
        int offset = 0;
        foreach (int i in order)
        {
            offsets[i] = offset;
            tensors.Add(new StateTensorSpec(state[i].Name, state[i].Shape.ToEquatableArray(), offset, state[i].Accessor));
            offset += state[i].Shape.Aggregate(1, (a, d) => a * d);
        }
        var edges = edgeRuns
            .OrderBy(e => e.State < 0 ? int.MaxValue : offsets[e.State] + e.Within) // constants (residual edges) last
            .Select(e => new EdgeBlockSpec(e.Layer, e.Type, e.Src.Start, e.Src.Count, e.Dst.Start, e.Dst.Count, e.Kernel.ToEquatableArray(),
                e.State < 0 ? -1 : offsets[e.State] + e.Within, e.Comment, e.Diagonal));
        return (tensors.ToEquatableArray(), edges.ToEquatableArray());
    }
    public EquatableArray<GroupSpec> Groups => Symmetries.Groups();
}
