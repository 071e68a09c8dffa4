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
    private readonly List<(string Name, int[] Shape, string Accessor, bool IsBuffer)> state = new();
    private readonly List<(int Layer, string Type, NodeRange Src, NodeRange Dst, int[] Kernel, int State, string Comment)> edgeRuns = new();
    private readonly List<GroupSpec> groups = new();
    private (string Name, int Size, int NodeStart, List<AxisSpec> Actions)? openGroup;
    private int nodeCount, layer;
    private long values;

    /// <summary>Counts values ahead of time; false when the graph would pass int range (edge indices are ints in the layout).</summary>
    public long ReservedValues => values;

    public bool Reserve(long count)
    {
        values += count;
        return values <= int.MaxValue;
    }

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

    /// <summary>Adds a state tensor (parameter or buffer) and returns its id for <see cref="AddEdges"/>.</summary>
    public int AddState(string name, int[] shape, string accessor, bool isBuffer = false)
    {
        state.Add((name, shape, accessor, isBuffer));
        return state.Count - 1;
    }

    public void AddEdges(int edgeLayer, string type, NodeRange src, NodeRange dst, int[] kernel, int stateId, string comment) =>
        edgeRuns.Add((edgeLayer, type, src, dst, kernel, stateId, comment));

    /// <summary>A parameter (per-node tensor of a layer) with its own node and one edge to each current node.</summary>
    public void AddBroadcast(int nodeLayer, string nodeType, string edgeType, string name, string accessor, NodeRange target, string comment, bool isBuffer = false)
    {
        var node = AddNodes(1, nodeLayer, nodeType, ordered: false, comment);
        int id = AddState(name, new[] { target.Count }, accessor, isBuffer);
        AddEdges(nodeLayer, edgeType, node, target, new int[0], id, comment);
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
            .OrderBy(e => offsets[e.State])
            .Select(e => new EdgeBlockSpec(e.Layer, e.Type, e.Src.Start, e.Src.Count, e.Dst.Start, e.Dst.Count, e.Kernel.ToEquatableArray(), offsets[e.State], e.Comment));
        return (tensors.ToEquatableArray(), edges.ToEquatableArray());
    }
    public EquatableArray<GroupSpec> Groups => groups.ToEquatableArray();
}
