using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Batching;

/// <summary>
/// Everything about a batch that depends only on which architectures it holds, in which order:
/// node features, shifted edge index, static edge rows, graph ids, counts and degrees. That is all
/// of a batch but the edge values, and 36 of its 40 bytes per edge. Training on a zoo collates the
/// same composition over and over (every full batch of a one-architecture zoo is "B × the same
/// topology"), so <see cref="For"/> keeps the last few compositions built and hands them out again.
/// </summary>
internal sealed class BatchTopology : IDisposable
{
    /// <summary>How many compositions stay cached; a mixed zoo's random batches rarely repeat, so a few suffice.</summary>
    public const int CacheSize = 8;

    private static readonly LinkedList<(CompositionKey Key, BatchTopology Topology)> Cache = new();

    private BatchTopology(Tensor[] tensors) => Tensors = tensors;

    /// <summary>NodeFeatures, EdgeIndex, StaticEdgeFeatures, EdgeStaticRow, NodeGraph, EdgeGraph,
    /// NodeCounts, EdgeCounts, InDegree, OutDegree, EndpointPairs, EdgeEndpointPair, in that order; owned by the cache.</summary>
    public Tensor[] Tensors { get; }

    /// <summary>The static part for these graphs on this device: from the cache when the same
    /// sequence of topologies was collated recently, else built (and cached). The caller gets fresh
    /// handles (aliases) to share, never the cache's own.</summary>
    public static Tensor[] For(IReadOnlyList<ParameterGraph> graphs, Device device)
    {
        var key = new CompositionKey(graphs.Select(g => g.Topology).ToArray(), device.ToString());
        lock (Cache)
        {
            for (var node = Cache.First; node is not null; node = node.Next)
            {
                if (!node.Value.Key.Equals(key)) continue;
                Cache.Remove(node);
                Cache.AddFirst(node);
                return Aliases(node.Value.Topology);
            }
            var built = Build(graphs, device);
            Cache.AddFirst((key, built));
            while (Cache.Count > CacheSize)
            {
                Cache.Last!.Value.Topology.Dispose();
                Cache.RemoveLast();
            }
            return Aliases(built);
        }
    }

    /// <summary>Frees every cached composition (batches handed out keep their own references).</summary>
    public static void ClearCache()
    {
        lock (Cache)
        {
            foreach (var (_, topology) in Cache) topology.Dispose();
            Cache.Clear();
        }
    }

    private static Tensor[] Aliases(BatchTopology topology) => topology.Tensors.Select(t => t.alias().DetachFromDisposeScope()).ToArray();

    private static BatchTopology Build(IReadOnlyList<ParameterGraph> graphs, Device device)
    {
        using var scope = NewDisposeScope();
        var nodeCounts = graphs.Select(g => (long)g.NodeCount).ToArray();
        var edgeCounts = graphs.Select(g => (long)g.EdgeCount).ToArray();
        long offset = 0, pairOffset = 0;
        var shiftedIndex = new Tensor[graphs.Count];
        var shiftedPairs = new Tensor[graphs.Count];
        var shiftedEdgePair = new Tensor[graphs.Count];
        for (int g = 0; g < graphs.Count; g++)
        {
            using var shift = offset.ToScalar();
            using var pairShift = pairOffset.ToScalar();
            var pairs = graphs[g].Topology.EndpointPairs;
            shiftedIndex[g] = offset == 0 ? graphs[g].EdgeIndex : graphs[g].EdgeIndex.add(shift, Scalars.Of(1L));
            shiftedPairs[g] = offset == 0 ? pairs.Pairs : pairs.Pairs.add(shift, Scalars.Of(1L));
            shiftedEdgePair[g] = pairOffset == 0 ? pairs.EdgePair : pairs.EdgePair.add(pairShift, Scalars.Of(1L));
            offset += nodeCounts[g];
            pairOffset += pairs.Pairs.shape[1];
        }
        var (staticFeatures, staticRow) = StaticRows(graphs);
        var graphIds = Scalars.Arange(0, graphs.Count);
        var nodeCountTensor = tensor(nodeCounts);
        var edgeCountTensor = tensor(edgeCounts);
        Tensor[] tensors =
        [
            cat(graphs.Select(g => g.NodeFeatures).ToArray(), 0).to(device),
            cat(shiftedIndex, 1).to(device),
            staticFeatures.to(device),
            staticRow.to(device),
            graphIds.repeat_interleave(nodeCountTensor).to(device),
            graphIds.repeat_interleave(edgeCountTensor).to(device),
            nodeCountTensor.to(float32).to(device),
            edgeCountTensor.to(float32).to(device),
            // Degrees are static per architecture: concatenated, not recounted over the edges.
            cat(graphs.Select(g => g.Topology.InDegree).ToArray(), 0).to(device),
            cat(graphs.Select(g => g.Topology.OutDegree).ToArray(), 0).to(device),
            cat(shiftedPairs, 1).to(device),
            cat(shiftedEdgePair, 0).to(device),
        ];
        foreach (var t in tensors) t.DetachFromDisposeScope();
        return new BatchTopology(tensors);
    }

    /// <summary>The static edge features of each distinct topology once (first-seen order), and for
    /// every edge of the batch its row among them.</summary>
    private static (Tensor Features, Tensor Row) StaticRows(IReadOnlyList<ParameterGraph> graphs)
    {
        var firstRow = new Dictionary<ParameterGraphTopology, long>(ReferenceEqualityComparer.Instance);
        var distinct = new List<Tensor>();
        var rows = new Tensor[graphs.Count];
        long next = 0;
        for (int g = 0; g < graphs.Count; g++)
        {
            var graph = graphs[g];
            if (!firstRow.TryGetValue(graph.Topology, out long first))
            {
                firstRow.Add(graph.Topology, first = next);
                distinct.Add(graph.EdgeFeatures);
                next += graph.EdgeCount;
            }
            // A tensor op per graph, not a managed array per batch: large managed arrays would churn
            // the .NET large-object heap on every new composition.
            rows[g] = Scalars.Arange(first, first + graph.EdgeCount);
        }
        return (distinct.Count == 1 ? distinct[0].alias() : cat(distinct.ToArray(), 0), cat(rows, 0));
    }

    public void Dispose()
    {
        foreach (var t in Tensors) t.Dispose();
    }

    /// <summary>A sequence of topologies (compared by reference) on a device.</summary>
    private sealed class CompositionKey(ParameterGraphTopology[] topologies, string device) : IEquatable<CompositionKey>
    {
        private readonly ParameterGraphTopology[] topologies = topologies;
        private readonly string device = device;
        private readonly int hash = topologies.Aggregate(device.GetHashCode(), (h, t) => HashCode.Combine(h, System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(t)));

        public bool Equals(CompositionKey? other) =>
            other is not null && hash == other.hash && device == other.device
            && topologies.Length == other.topologies.Length && topologies.Zip(other.topologies).All(p => ReferenceEquals(p.First, p.Second));

        public override bool Equals(object? obj) => Equals(obj as CompositionKey);
        public override int GetHashCode() => hash;
    }
}
