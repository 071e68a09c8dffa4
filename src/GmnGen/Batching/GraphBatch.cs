using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Batching;

/// <summary>
/// Any mix of parameter graphs collated into one disjoint graph, PyTorch Geometric style: node and
/// edge tensors concatenated, edge indices shifted by each graph's node offset, and for every node
/// and edge the index of its graph. Built with one tensor operation per graph, never per edge.
/// </summary>
public sealed class GraphBatch : IDisposable
{
    private GraphBatch(int graphCount, Tensor nodeFeatures, Tensor edgeIndex, Tensor staticEdgeFeatures, Tensor edgeStaticRow, Tensor edgeValues,
        Tensor nodeGraph, Tensor edgeGraph, Tensor nodeCounts, Tensor edgeCounts, Tensor inDegree, Tensor outDegree, Tensor endpointPairs, Tensor edgeEndpointPair)
    {
        EndpointPairs = endpointPairs;
        EdgeEndpointPair = edgeEndpointPair;
        InDegree = inDegree;
        OutDegree = outDegree;
        GraphCount = graphCount;
        NodeFeatures = nodeFeatures;
        EdgeIndex = edgeIndex;
        StaticEdgeFeatures = staticEdgeFeatures;
        EdgeStaticRow = edgeStaticRow;
        EdgeValues = edgeValues;
        NodeGraph = nodeGraph;
        EdgeGraph = edgeGraph;
        NodeCounts = nodeCounts;
        EdgeCounts = edgeCounts;
    }

    /// <summary>Number of graphs in the batch.</summary>
    public int GraphCount { get; }
    /// <summary>int64 [N, 4]: see <see cref="ParameterGraphTopology.NodeFeatures"/>.</summary>
    public Tensor NodeFeatures { get; }
    /// <summary>int64 [2, E], rows into the batch's nodes.</summary>
    public Tensor EdgeIndex { get; }
    /// <summary>
    /// int64 [U, 5]: the static edge features (<see cref="ParameterGraphTopology.EdgeFeatures"/>) of each
    /// distinct architecture in the batch, once. A batch of 256 networks of one architecture has the
    /// rows of one network here: per-edge work that depends only on the architecture (the metanet's
    /// encoding of edge types and positions) is done on these rows and gathered by <see cref="EdgeStaticRow"/>.
    /// </summary>
    public Tensor StaticEdgeFeatures { get; }
    /// <summary>int64 [E]: the row of <see cref="StaticEdgeFeatures"/> that describes each edge.</summary>
    public Tensor EdgeStaticRow { get; }
    /// <summary>int64 [E, 5]: every edge's static features, gathered on first use (the metanet does not need them).</summary>
    public Tensor EdgeFeatures => edgeFeatures ??= StaticEdgeFeatures.index_select(0, EdgeStaticRow).DetachFromDisposeScope();
    private Tensor? edgeFeatures;
    /// <summary>float32 [E].</summary>
    public Tensor EdgeValues { get; }
    /// <summary>int64 [N]: the graph each node belongs to.</summary>
    public Tensor NodeGraph { get; }
    /// <summary>int64 [E]: the graph each edge belongs to.</summary>
    public Tensor EdgeGraph { get; }
    /// <summary>float32 [graphs]: nodes per graph.</summary>
    public Tensor NodeCounts { get; }
    /// <summary>float32 [graphs]: edges per graph.</summary>
    public Tensor EdgeCounts { get; }
    /// <summary>float32 [N]: incoming edges per node, at least 1 (the divisor of mean aggregation).</summary>
    public Tensor InDegree { get; }
    /// <summary>float32 [N]: outgoing edges per node, at least 1.</summary>
    public Tensor OutDegree { get; }
    /// <summary>int64 [2, P]: the distinct (source, destination) pairs among the edges (<see cref="Graphs.EndpointPairs"/>),
    /// rows into the batch's nodes: per-edge work that depends only on an edge's two ends is done once per pair.</summary>
    public Tensor EndpointPairs { get; }
    /// <summary>int64 [E]: each edge's column of <see cref="EndpointPairs"/>.</summary>
    public Tensor EdgeEndpointPair { get; }
    /// <summary>Nodes of all graphs together (N).</summary>
    public long NodeCount => NodeFeatures.shape[0];
    /// <summary>Edges of all graphs together (E).</summary>
    public long EdgeCount => EdgeValues.shape[0];
    /// <summary>The device the batch's tensors are on.</summary>
    public Device Device => EdgeValues.device;

    /// <summary>
    /// Collates graphs (of any architectures) onto <paramref name="device"/> (default: CPU). Only the
    /// edge values are copied every time; the rest depends only on the sequence of architectures and
    /// is shared with recent batches of the same composition (see <see cref="BatchTopology"/>), so
    /// treat a batch's tensors other than <see cref="EdgeValues"/> as read-only.
    /// </summary>
    /// <param name="graphs">The graphs, in batch order.</param>
    /// <param name="device">Where the batch goes (default: CPU).</param>
    /// <param name="nodeProbes">Optional per-graph node features from probe inputs (<see cref="Probes.ProbeReading.NodeFeatures"/>:
    /// <c>[nodes, k]</c> row-major, the same k for every graph), collated into <see cref="NodeProbes"/>.</param>
    /// <exception cref="ArgumentException">No graphs, or probe features that do not match the graphs' node counts.</exception>
    public static GraphBatch Collate(IReadOnlyList<ParameterGraph> graphs, Device? device = null, IReadOnlyList<float[]>? nodeProbes = null)
    {
        if (graphs.Count == 0) throw new ArgumentException("Cannot collate an empty list of graphs.", nameof(graphs));
        device ??= CPU;
        var probes = nodeProbes is null ? null : CollateProbes(graphs, nodeProbes, device);
        var t = BatchTopology.For(graphs, device);
        using var scope = NewDisposeScope();
        var values = cat(graphs.Select(g => g.EdgeValues.to(device)).ToArray(), 0).to(float32);
        values.DetachFromDisposeScope();
        return new GraphBatch(graphs.Count, t[0], t[1], t[2], t[3], values, t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11]) { NodeProbes = probes };
    }

    private static Tensor CollateProbes(IReadOnlyList<ParameterGraph> graphs, IReadOnlyList<float[]> nodeProbes, Device device)
    {
        if (nodeProbes.Count != graphs.Count)
            throw new ArgumentException($"{nodeProbes.Count} probe readings for {graphs.Count} graphs: give one per graph.", nameof(nodeProbes));
        int width = nodeProbes[0].Length / Math.Max(1, graphs[0].NodeCount);
        for (int i = 0; i < graphs.Count; i++)
            if (width == 0 || nodeProbes[i].Length != graphs[i].NodeCount * width)
                throw new ArgumentException($"Graph {i} ({graphs[i].Topology.Layout.Architecture}) has {graphs[i].NodeCount} nodes, its probe features {nodeProbes[i].Length} values; expected {width} per node as for graph 0.", nameof(nodeProbes));
        // clone: a tensor made from a managed array may sit at any alignment (see StatNN's rows).
        using var scope = NewDisposeScope();
        var rows = tensor(nodeProbes.SelectMany(p => p).ToArray(), [nodeProbes.Sum(p => (long)p.Length) / width, width]);
        return rows.to(device).clone().DetachFromDisposeScope();
    }

    /// <summary>float32 [N, k]: the nodes' probe features when <see cref="Collate"/> was given them, else null.</summary>
    public Tensor? NodeProbes { get; private init; }

    /// <summary>How many recently collated compositions <see cref="Collate"/> keeps for reuse.</summary>
    public const int TopologyCacheSize = BatchTopology.CacheSize;

    /// <summary>Frees the static parts of recently collated compositions that <see cref="Collate"/> keeps
    /// for reuse (at most <see cref="TopologyCacheSize"/>); live batches keep theirs.</summary>
    public static void ClearTopologyCache() => BatchTopology.ClearCache();

    /// <summary>
    /// A batch from raw tensors (already on one device), e.g. a relabelled or hand-built graph.
    /// Counts and degrees are derived; nothing is copied.
    /// </summary>
    public static GraphBatch FromTensors(int graphCount, Tensor nodeFeatures, Tensor edgeIndex, Tensor edgeFeatures, Tensor edgeValues, Tensor nodeGraph, Tensor edgeGraph)
    {
        using var scope = NewDisposeScope();
        var nodeCounts = zeros(graphCount, dtype: float32, device: nodeGraph.device).index_add_(0, nodeGraph, ones(nodeGraph.shape[0], device: nodeGraph.device), Scalars.One);
        var edgeCounts = zeros(graphCount, dtype: float32, device: edgeGraph.device).index_add_(0, edgeGraph, ones(edgeGraph.shape[0], device: edgeGraph.device), Scalars.One);
        // Every edge its own static row: nothing is assumed shared.
        var pairs = Graphs.EndpointPairs.Of(edgeIndex, nodeFeatures.shape[0]);
        var batch = new GraphBatch(graphCount, nodeFeatures.alias(), edgeIndex.alias(), edgeFeatures.alias(),
            Scalars.Arange(0, edgeFeatures.shape[0], edgeFeatures.device), edgeValues.alias(),
            nodeGraph.alias(), edgeGraph.alias(), nodeCounts, edgeCounts,
            Degrees.Count(edgeIndex[1], nodeFeatures.shape[0]), Degrees.Count(edgeIndex[0], nodeFeatures.shape[0]), pairs.Pairs, pairs.EdgePair);
        batch.DetachFromScope();
        return batch;
    }

    private void DetachFromScope()
    {
        foreach (var t in Tensors) t.MoveToOuterDisposeScope();
    }

    private IEnumerable<Tensor> Tensors => [NodeFeatures, EdgeIndex, StaticEdgeFeatures, EdgeStaticRow, EdgeValues, NodeGraph, EdgeGraph, NodeCounts, EdgeCounts, InDegree, OutDegree, EndpointPairs, EdgeEndpointPair];

    /// <summary>Frees the batch's tensor handles; tensors it shares by alias (with the topology cache, other batches, or the caller of <see cref="FromTensors"/>) stay valid.</summary>
    public void Dispose()
    {
        foreach (var t in Tensors) t.Dispose();
        NodeProbes?.Dispose();
        edgeFeatures?.Dispose();
    }
}

/// <summary>Edges per node, at least 1: the divisor of mean aggregation.</summary>
internal static class Degrees
{
    public static Tensor Count(Tensor endpoints, long nodes) =>
        zeros(nodes, dtype: float32, device: endpoints.device)
            .index_add_(0, endpoints, ones(endpoints.shape[0], dtype: float32, device: endpoints.device), Scalars.One)
            .clamp_min_(Scalars.One);
}
