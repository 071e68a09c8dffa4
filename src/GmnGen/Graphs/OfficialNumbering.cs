using System;
using System.Collections.Generic;
using System.Linq;

namespace GmnGen.Graphs;

/// <summary>
/// How a layout's nodes and edge blocks are numbered by the official GMN builder: layer indices
/// (a Linear or convolution reading nodes of layer l has edges of layer l and outputs and bias node
/// of layer l + 1; a norm's nodes and edges carry the layer of the nodes it normalises; a residual's
/// edges the layer where its skip starts; a projection runs beside the main path's last layer),
/// type codes (the official <c>NODE_TYPES</c> / <c>EDGE_TYPES</c>), and which nodes and edges it
/// has no place for.
/// </summary>
internal sealed class OfficialNumbering
{
    // The official constants' codes for the kinds GmnGen shares with it.
    private static readonly Dictionary<NodeType, int> NodeCodes = new()
    {
        [NodeType.Neuron] = 0, [NodeType.Bias] = 1, [NodeType.Channel] = 2, [NodeType.ChannelBias] = 3,
        [NodeType.BatchNormWeight] = 4, [NodeType.BatchNormBias] = 5, [NodeType.LayerNormWeight] = 6, [NodeType.LayerNormBias] = 7,
        [NodeType.GroupNormWeight] = 8, [NodeType.GroupNormBias] = 9, [NodeType.InstanceNormWeight] = 10, [NodeType.InstanceNormBias] = 11,
    };

    private static readonly Dictionary<EdgeType, int> EdgeCodes = new()
    {
        [EdgeType.LinearWeight] = 0, [EdgeType.LinearBias] = 1, [EdgeType.ConvWeight] = 2, [EdgeType.ConvBias] = 3, [EdgeType.Residual] = 4,
        [EdgeType.BatchNormWeight] = 5, [EdgeType.BatchNormBias] = 6, [EdgeType.LayerNormWeight] = 7, [EdgeType.LayerNormBias] = 8,
        [EdgeType.GroupNormWeight] = 9, [EdgeType.GroupNormBias] = 10, [EdgeType.InstanceNormWeight] = 11, [EdgeType.InstanceNormBias] = 12,
    };

    /// <summary>Per GmnGen node: its row in the official graph, or -1 when left out (merged nodes share a row).</summary>
    public required int[] NewIndex { get; init; }
    /// <summary>Per official row: the GmnGen node it comes from.</summary>
    public required int[] RowNode { get; init; }
    /// <summary>Per GmnGen node: official layer and type code (meaningful where kept).</summary>
    public required long[] NodeLayer { get; init; }
    public required long[] NodeCode { get; init; }
    /// <summary>Per GmnGen edge block: official layer and type code; type -1 where the block is left out.</summary>
    public required long[] EdgeLayer { get; init; }
    public required long[] EdgeCode { get; init; }

    public static OfficialNumbering Of(ParameterGraphLayout layout)
    {
        var blockOf = new int[layout.NodeCount];
        for (int b = 0; b < layout.Nodes.Count; b++)
            for (int i = 0; i < layout.Nodes[b].Count; i++) blockOf[layout.Nodes[b].Start + i] = b;
        foreach (var block in layout.Nodes)
            if (!NodeCodes.ContainsKey(block.Type) && block.Type is not (NodeType.BatchNormRunningMean or NodeType.BatchNormRunningVar))
                throw Unsupported(layout, $"{block.Type} nodes");
        foreach (var block in layout.Edges)
            if (!EdgeCodes.ContainsKey(block.Type) && block.Type is not (EdgeType.BatchNormRunningMean or EdgeType.BatchNormRunningVar))
                throw Unsupported(layout, $"{block.Type} edges");

        var blockLayer = layout.Nodes.Select(b => b.Layer == 0 ? 0L : -1L).ToArray();
        var edgeLayer = new long[layout.Edges.Count];
        bool IsWeight(EdgeBlock e) => e.Type is EdgeType.LinearWeight or EdgeType.ConvWeight;
        // Weights first, in creation order: each layer's outputs one past its inputs.
        for (int e = 0; e < layout.Edges.Count; e++)
        {
            var edge = layout.Edges[e];
            if (!IsWeight(edge)) continue;
            edgeLayer[e] = blockLayer[blockOf[edge.SrcStart]];
            blockLayer[blockOf[edge.DstStart]] = edgeLayer[e] + 1;
        }
        // Sums: a projection (its nodes made after the main path's) takes the layer of the nodes it is
        // added to, its weights the one before; the residual edges keep the layer where the skip starts.
        // The nodes a block makes (after its start, up to its sum, and its projection's) are "inside" it.
        var inside = new HashSet<int>();
        for (int e = 0; e < layout.Edges.Count; e++)
        {
            var edge = layout.Edges[e];
            if (edge.Type != EdgeType.Residual) continue;
            int src = blockOf[edge.SrcStart], dst = blockOf[edge.DstStart];
            edgeLayer[e] = blockLayer[src];
            bool projects = layout.Nodes[src].Layer > layout.Nodes[dst].Layer;
            int projection = projects ? Enumerable.Range(0, layout.Edges.Count).First(w => IsWeight(layout.Edges[w]) && blockOf[layout.Edges[w].DstStart] == src) : -1;
            int start = projects ? blockOf[layout.Edges[projection].SrcStart] : src;
            for (int b = 0; b < layout.Nodes.Count; b++)
                if (layout.Nodes[b].Layer > layout.Nodes[start].Layer && layout.Nodes[b].Layer <= layout.Nodes[dst].Layer) inside.Add(b);
            if (!projects) continue;
            inside.Add(src);
            edgeLayer[e] = edgeLayer[projection];
            blockLayer[src] = blockLayer[dst];
            edgeLayer[projection] = blockLayer[dst] - 1;
        }
        // Biases and norms hang off the nodes they act on: a bias node on their layer, its edges one
        // below; a norm's nodes and edges on their layer, or one below inside a residual block (the
        // official BasicBlock numbers its BatchNorms with the convolution before them).
        for (int e = 0; e < layout.Edges.Count; e++)
        {
            var edge = layout.Edges[e];
            if (IsWeight(edge) || edge.Type == EdgeType.Residual) continue;
            int target = blockOf[edge.DstStart];
            bool bias = edge.Type is EdgeType.LinearBias or EdgeType.ConvBias;
            long layer = bias ? blockLayer[target] : inside.Contains(target) ? blockLayer[target] - 1 : blockLayer[target];
            edgeLayer[e] = bias ? layer - 1 : layer;
            blockLayer[blockOf[edge.SrcStart]] = layer;
        }

        // Rows: running statistics left out, a GroupNorm's group nodes merged into one per vector.
        var newIndex = new int[layout.NodeCount];
        var rowNode = new List<int>();
        var mergedRow = new Dictionary<(int Layer, NodeType Type), int>();
        for (int n = 0; n < layout.NodeCount; n++)
        {
            var block = layout.Nodes[blockOf[n]];
            if (!NodeCodes.ContainsKey(block.Type)) newIndex[n] = -1;
            else if (block.Type is not (NodeType.GroupNormWeight or NodeType.GroupNormBias)) newIndex[n] = Row(n);
            else if (mergedRow.TryGetValue((block.Layer, block.Type), out int row)) newIndex[n] = row;
            else mergedRow[(block.Layer, block.Type)] = newIndex[n] = Row(n);
        }
        int Row(int node)
        {
            rowNode.Add(node);
            return rowNode.Count - 1;
        }

        return new OfficialNumbering
        {
            NewIndex = newIndex,
            RowNode = rowNode.ToArray(),
            NodeLayer = Enumerable.Range(0, layout.NodeCount).Select(n => blockLayer[blockOf[n]]).ToArray(),
            NodeCode = Enumerable.Range(0, layout.NodeCount).Select(n => NodeCodes.TryGetValue(layout.Nodes[blockOf[n]].Type, out int c) ? (long)c : -1L).ToArray(),
            EdgeLayer = edgeLayer,
            EdgeCode = layout.Edges.Select(e => EdgeCodes.TryGetValue(e.Type, out int c) ? (long)c : -1L).ToArray(),
        };
    }

    private static NotSupportedException Unsupported(ParameterGraphLayout layout, string what) =>
        new($"{layout.Architecture}: the official GMN code encodes {what} differently (or not at all), so this graph has no official numbering; " +
            "the export covers Linear and convolution layers, biases, BatchNorm, LayerNorm, GroupNorm, InstanceNorm and residual sums.");
}
