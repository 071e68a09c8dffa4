using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using GmnGen.Storage;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Graphs;

/// <summary>
/// A parameter graph in the numbering of the official GMN code (Lim et al., ICLR 2024; NVIDIA, MIT),
/// so that the official PyTorch metanet can read GmnGen graphs: <see cref="X"/> int64 <c>[N, 3]</c>
/// (layer, order, node type), <see cref="EdgeIndex"/> int64 <c>[2, E]</c>, <see cref="EdgeAttr"/>
/// float32 <c>[E, 6]</c> (value, layer, edge type, pos0, pos1, pos2): the official builder's
/// <c>x</c>, <c>edge_index</c> and <c>edge_attr</c>.
/// </summary>
/// <remarks>
/// What the official graph has no place for is left out: BatchNorm running statistics (their nodes
/// and edges) and the activation column; a GroupNorm's per-group nodes become the official single
/// gamma and beta nodes. Layers are numbered as the official sequential builder does (see
/// docs/graph-encoding.md, "Exporting in the official numbering"). Attention, DeepSets, positional
/// embeddings and class tokens are encoded differently by the official code and are refused.
/// </remarks>
public sealed class OfficialGraph : IDisposable
{
    private static readonly ConditionalWeakTable<ParameterGraphLayout, OfficialTopology> Topologies = new();

    private OfficialGraph(string architecture, Tensor x, Tensor edgeIndex, Tensor edgeAttr)
    {
        Architecture = architecture;
        X = x;
        EdgeIndex = edgeIndex;
        EdgeAttr = edgeAttr;
    }

    /// <summary>Name of the network class the graph was made from.</summary>
    public string Architecture { get; }
    /// <summary>int64 [nodes, 3]: layer, order (-1 for hidden, bias and norm nodes), official node type.</summary>
    public Tensor X { get; }
    /// <summary>int64 [2, edges]: source row, destination row.</summary>
    public Tensor EdgeIndex { get; }
    /// <summary>float32 [edges, 6]: value, layer, official edge type, kernel offsets pos0..pos2 (-1 where unused).</summary>
    public Tensor EdgeAttr { get; }

    /// <summary>The graph in the official numbering; the static part is computed once per architecture.</summary>
    /// <exception cref="NotSupportedException">The network has a layer the official code encodes differently (attention, DeepSets, positions, class token).</exception>
    public static OfficialGraph From(ParameterGraph graph)
    {
        var layout = graph.Topology.Layout;
        var topology = Topologies.GetValue(layout, l => OfficialTopology.Build(l, graph.Topology));
        using var scope = NewDisposeScope();
        var values = graph.EdgeValues.index_select(0, topology.KeptEdges.to(graph.EdgeValues.device)).to(float32).cpu().unsqueeze(1);
        var attr = cat([values, topology.StaticEdgeAttr], 1);
        return new OfficialGraph(layout.Architecture, topology.X.clone().MoveToOuterDisposeScope(),
            topology.EdgeIndex.clone().MoveToOuterDisposeScope(), attr.MoveToOuterDisposeScope());
    }

    /// <summary>Writes <c>x</c>, <c>edge_index</c> and <c>edge_attr</c> to a safetensors file
    /// (<c>safetensors.torch.load_file(path)</c> in Python gives them back as torch tensors).</summary>
    public void Save(string path) =>
        SafeTensors.Save(path, [("x", X), ("edge_index", EdgeIndex), ("edge_attr", EdgeAttr)],
            new Dictionary<string, string> { ["architecture"] = Architecture, ["numbering"] = "official GMN (Lim et al., ICLR 2024)" });

    /// <summary>Frees <see cref="X"/>, <see cref="EdgeIndex"/> and <see cref="EdgeAttr"/> (copies, not shared with the architecture).</summary>
    public void Dispose()
    {
        X.Dispose();
        EdgeIndex.Dispose();
        EdgeAttr.Dispose();
    }

    /// <summary>The architecture-only part: <paramref name="StaticEdgeAttr"/> is float32 [edges, 5],
    /// columns 1..5 of edge_attr; <paramref name="KeptEdges"/> int64 [edges], the GmnGen edges that stay, in order.</summary>
    private sealed record OfficialTopology(Tensor X, Tensor EdgeIndex, Tensor StaticEdgeAttr, Tensor KeptEdges)
    {
        public static OfficialTopology Build(ParameterGraphLayout layout, ParameterGraphTopology topology)
        {
            var numbering = OfficialNumbering.Of(layout);
            var edgeStart = new int[layout.Edges.Count];
            for (int b = 1; b < edgeStart.Length; b++) edgeStart[b] = edgeStart[b - 1] + layout.Edges[b - 1].Count;

            var keptBlocks = Enumerable.Range(0, layout.Edges.Count).Where(b => numbering.EdgeCode[b] >= 0).ToArray();
            var kept = new long[keptBlocks.Sum(b => (long)layout.Edges[b].Count)];
            var blockLayer = new long[kept.Length];
            var blockType = new long[kept.Length];
            int at = 0;
            foreach (int b in keptBlocks)
                for (int i = 0; i < layout.Edges[b].Count; i++, at++)
                {
                    kept[at] = edgeStart[b] + i;
                    blockLayer[at] = numbering.EdgeLayer[b];
                    blockType[at] = numbering.EdgeCode[b];
                }

            var order = topology.NodeFeatures.select(1, 1).data<long>().ToArray();
            var x = new long[numbering.RowNode.Length * 3];
            for (int row = 0; row < numbering.RowNode.Length; row++)
            {
                int n = numbering.RowNode[row];
                x[3 * row] = numbering.NodeLayer[n];
                x[3 * row + 1] = order[n];
                x[3 * row + 2] = numbering.NodeCode[n];
            }

            using var scope = NewDisposeScope();
            var keptEdges = tensor(kept);
            var remap = tensor(numbering.NewIndex.Select(i => (long)i).ToArray());
            var edgeIndex = remap.index_select(0, topology.EdgeIndex.index_select(1, keptEdges).reshape(-1)).reshape(2, -1);
            var positions = topology.EdgeFeatures.index_select(0, keptEdges).narrow(1, 2, 3);
            var staticAttr = cat([tensor(blockLayer).unsqueeze(1), tensor(blockType).unsqueeze(1), positions], 1).to(float32);
            return new OfficialTopology(tensor(x, [numbering.RowNode.Length, 3]).DetachFromDisposeScope(), edgeIndex.DetachFromDisposeScope(),
                staticAttr.DetachFromDisposeScope(), keptEdges.DetachFromDisposeScope());
        }
    }
}
