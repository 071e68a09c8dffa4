using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using GmnGen.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Storage;

/// <summary>
/// Many parameter graphs in one safetensors file, for PyTorch (Geometric): <c>x</c> int64 node
/// features, <c>edge_index</c> int64 <c>[2, E]</c> (each graph's own node numbers), <c>edge_attr</c>
/// float32 <c>[E, 6]</c> (value, layer, edge type, pos0..pos2), <c>node_ptr</c> and <c>edge_ptr</c>
/// int64 <c>[G + 1]</c> (graph g's rows are <c>ptr[g] .. ptr[g + 1] - 1</c>) and, with targets,
/// <c>y</c> float32 <c>[G]</c>; the metadata names the graphs and the numbering. GmnGen's numbering
/// has four node columns (layer, order, node type, activation), the official one three
/// (<see cref="OfficialGraph"/>). scripts/read_graphs.py turns a file into <c>Data</c> objects.
/// </summary>
public static class GraphSetFile
{
    /// <summary>Writes <paramref name="graphs"/> (and their targets and names) to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="graphs">The graphs, in the file's order.</param>
    /// <param name="targets">One target per graph (e.g. test accuracy), written as <c>y</c>; null: none.</param>
    /// <param name="names">One name per graph, written to the metadata; null: none.</param>
    /// <param name="official">Write the official GMN code's numbering (<see cref="OfficialGraph"/>) instead of GmnGen's.</param>
    /// <exception cref="ArgumentException">Targets or names are given but not one per graph, or there is no graph.</exception>
    /// <exception cref="NotSupportedException">With <paramref name="official"/>: a graph the official code encodes differently.</exception>
    public static void Save(string path, IReadOnlyList<ParameterGraph> graphs, IReadOnlyList<double>? targets = null, IReadOnlyList<string>? names = null, bool official = false)
    {
        if (graphs.Count == 0) throw new ArgumentException($"{path}: no graphs to write.", nameof(graphs));
        if (targets is not null && targets.Count != graphs.Count) throw new ArgumentException($"{path}: {targets.Count} targets for {graphs.Count} graphs.", nameof(targets));
        if (names is not null && names.Count != graphs.Count) throw new ArgumentException($"{path}: {names.Count} names for {graphs.Count} graphs.", nameof(names));
        using var scope = NewDisposeScope();
        var x = new List<Tensor>();
        var edgeIndex = new List<Tensor>();
        var edgeAttr = new List<Tensor>();
        var nodePtr = new long[graphs.Count + 1];
        var edgePtr = new long[graphs.Count + 1];
        for (int g = 0; g < graphs.Count; g++)
        {
            var (nodes, index, attr) = official ? Official(graphs[g]) : Own(graphs[g]);
            x.Add(nodes);
            edgeIndex.Add(index);
            edgeAttr.Add(attr);
            nodePtr[g + 1] = nodePtr[g] + nodes.shape[0];
            edgePtr[g + 1] = edgePtr[g] + attr.shape[0];
        }
        var tensors = new List<(string, Tensor)>
        {
            ("x", cat(x, 0)), ("edge_index", cat(edgeIndex, 1)), ("edge_attr", cat(edgeAttr, 0)),
            ("node_ptr", tensor(nodePtr)), ("edge_ptr", tensor(edgePtr)),
        };
        if (targets is not null) tensors.Add(("y", tensor(targets.Select(t => (float)t).ToArray())));
        var metadata = new Dictionary<string, string>
        {
            ["numbering"] = official ? "official GMN (Lim et al., ICLR 2024)" : "GmnGen (docs/graph-encoding.md)",
            ["node_features"] = official ? "layer, order, node_type" : "layer, order, node_type, activation",
            ["edge_features"] = "value, layer, edge_type, pos0, pos1, pos2",
            ["architectures"] = JsonSerializer.Serialize(graphs.Select(g => g.Topology.Layout.Architecture)),
        };
        if (names is not null) metadata["names"] = JsonSerializer.Serialize(names);
        SafeTensors.Save(path, tensors, metadata);
    }

    private static (Tensor Nodes, Tensor Index, Tensor Attr) Own(ParameterGraph graph) =>
        (graph.NodeFeatures, graph.EdgeIndex,
         cat([graph.EdgeValues.to(float32).cpu().unsqueeze(1), graph.EdgeFeatures.to(float32)], 1));

    private static (Tensor Nodes, Tensor Index, Tensor Attr) Official(ParameterGraph graph)
    {
        var official = OfficialGraph.From(graph);   // its tensors join the caller's dispose scope
        return (official.X, official.EdgeIndex, official.EdgeAttr);
    }
}
