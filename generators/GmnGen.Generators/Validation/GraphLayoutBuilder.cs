using System.Collections.Generic;
using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

/// <summary>A run of graph nodes, and the index of its block (to set its activation later).</summary>
internal readonly record struct NodeRange(int Start, int Count, int Block);

/// <summary>
/// Accumulates the parameter graph (node and edge blocks), the value vector (state tensors in
/// order) and the symmetry groups while <see cref="NetworkBuilder"/> walks the layers. A group is
/// opened by the layer that creates hidden neurons or channels and closed by the next layer that
/// consumes them, so only hidden nodes ever get a group.
/// </summary>
internal sealed class GraphLayoutBuilder
{
    private readonly List<NodeBlockSpec> nodes = new();
    private readonly List<EdgeBlockSpec> edges = new();
    private readonly List<StateTensorSpec> state = new();
    private readonly List<GroupSpec> groups = new();
    private (string Name, int Size, int NodeStart, List<AxisSpec> Actions)? openGroup;
    private int nodeCount, valueCount, layer;

    /// <summary>The nodes that carry the current activations (neurons or channels).</summary>
    public NodeRange Current { get; set; }

    public int NextLayer() => ++layer;

    public NodeRange AddNodes(int count, int nodeLayer, string type, bool ordered, string comment)
    {
        var range = new NodeRange(nodeCount, count, nodes.Count);
        nodes.Add(new NodeBlockSpec(nodeCount, count, nodeLayer, type, ordered, "None", comment));
        nodeCount += count;
        return range;
    }

    public void SetActivation(NodeRange range, string activation) =>
        nodes[range.Block] = nodes[range.Block] with { Activation = activation };

    /// <summary>Appends a state tensor to the value vector and returns its offset.</summary>
    public int AddState(string name, int[] shape, string accessor)
    {
        int offset = valueCount;
        state.Add(new StateTensorSpec(name, shape.ToEquatableArray(), offset, accessor));
        valueCount += shape.Aggregate(1, (a, d) => a * d);
        return offset;
    }

    public void AddEdges(int edgeLayer, string type, NodeRange src, NodeRange dst, int[] kernel, int valueOffset, string comment) =>
        edges.Add(new EdgeBlockSpec(edgeLayer, type, src.Start, src.Count, dst.Start, dst.Count, kernel.ToEquatableArray(), valueOffset, comment));

    /// <summary>A parameter (per-node tensor of a layer) with its own node and one edge to each current node.</summary>
    public void AddBroadcast(int nodeLayer, string nodeType, string edgeType, string name, string accessor, NodeRange target, string comment)
    {
        var node = AddNodes(1, nodeLayer, nodeType, ordered: false, comment);
        int offset = AddState(name, new[] { target.Count }, accessor);
        AddEdges(nodeLayer, edgeType, node, target, new int[0], offset, comment);
        ActOnOpenGroup(name, 0);
    }

    public void OpenGroup(string name, NodeRange nodes) => openGroup = (name, nodes.Count, nodes.Start, new List<AxisSpec>());

    /// <summary>Records that the open group (if any) permutes <paramref name="axis"/> of <paramref name="tensor"/>.</summary>
    public void ActOnOpenGroup(string tensor, int axis, int block = 1) =>
        openGroup?.Actions.Add(new AxisSpec(tensor, axis, block));

    public void CloseGroup()
    {
        if (openGroup is { } g) groups.Add(new GroupSpec(g.Name, g.Size, g.NodeStart, g.Actions.ToEquatableArray()));
        openGroup = null;
    }

    public int NodeCount => nodeCount;
    public EquatableArray<NodeBlockSpec> Nodes => nodes.ToEquatableArray();
    public EquatableArray<EdgeBlockSpec> Edges => edges.ToEquatableArray();
    public EquatableArray<StateTensorSpec> State => state.ToEquatableArray();
    public EquatableArray<GroupSpec> Groups => groups.ToEquatableArray();
}
