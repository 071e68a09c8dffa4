using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using GmnGen.Runtime;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Graphs;

/// <summary>
/// The architecture-only part of a parameter graph as CPU tensors: node features, edge index,
/// static edge features and, per edge, its index in the value vector. Built once per architecture
/// from a <see cref="ParameterGraphLayout"/>; every live instance shares it.
/// </summary>
public sealed class ParameterGraphTopology
{
    /// <summary>Names of the columns of <see cref="NodeFeatures"/>.</summary>
    public static readonly string[] NodeFeatureNames = ["layer", "order", "node_type", "activation"];
    /// <summary>Names of the columns of <see cref="EdgeFeatures"/> (the value is the separate edge value).</summary>
    public static readonly string[] EdgeFeatureNames = ["layer", "edge_type", "pos0", "pos1", "pos2"];
    /// <summary>Kernel offsets beyond this many dimensions are not representable.</summary>
    public const int MaxKernelDims = 3;

    private readonly Lazy<Tensor> valueIndex;
    private readonly Lazy<EndpointPairs> endpointPairs;

    private ParameterGraphTopology(ParameterGraphLayout layout, Tensor nodeFeatures, Tensor edgeIndex, Tensor edgeFeatures, Lazy<Tensor> valueIndex,
        Tensor inDegree, Tensor outDegree, bool identityGather)
    {
        Layout = layout;
        NodeFeatures = nodeFeatures;
        EdgeIndex = edgeIndex;
        EdgeFeatures = edgeFeatures;
        this.valueIndex = valueIndex;
        InDegree = inDegree;
        OutDegree = outDegree;
        IsIdentityGather = identityGather;
        endpointPairs = new Lazy<EndpointPairs>(() =>
        {
            // Shared for the life of the process, like the rest: no caller's scope may own them.
            using var scope = NewDisposeScope();
            var pairs = EndpointPairs.Of(EdgeIndex, NodeFeatures.shape[0]);
            return new EndpointPairs(pairs.Pairs.DetachFromDisposeScope(), pairs.EdgePair.DetachFromDisposeScope());
        });
    }

    /// <summary>The layout this topology was built from.</summary>
    public ParameterGraphLayout Layout { get; }
    /// <summary>int64 [nodes, 4]: layer, order (-1 when interchangeable), node type, activation.</summary>
    public Tensor NodeFeatures { get; }
    /// <summary>int64 [2, edges]: source row, destination row.</summary>
    public Tensor EdgeIndex { get; }
    /// <summary>int64 [edges, 5]: layer, edge type, kernel offsets pos0..pos2 (-1 where unused).</summary>
    public Tensor EdgeFeatures { get; }
    /// <summary>int64 [edges]: index of each edge's value in the value vector extended by one constant 1
    /// (index <c>ValueCount</c>, used by residual edges). Built on first use: graphs of a layout with
    /// <see cref="IsIdentityGather"/> (where it is 0, 1, 2, ...) never gather, so they never need it.</summary>
    public Tensor ValueIndex => valueIndex.Value;
    /// <summary>float32 [nodes]: incoming edges per node, at least 1 (the divisor of mean aggregation).</summary>
    public Tensor InDegree { get; }
    /// <summary>float32 [nodes]: outgoing edges per node, at least 1.</summary>
    public Tensor OutDegree { get; }
    /// <summary>The distinct (source, destination) pairs of the edges and each edge's pair, built on first use.</summary>
    public EndpointPairs EndpointPairs => endpointPairs.Value;
    /// <summary>True when edge i carries value i, so a graph needs no gather at all.</summary>
    public bool IsIdentityGather { get; }

    internal static ParameterGraphTopology Build(ParameterGraphLayout layout)
    {
        // Filled in place, straight into the tensors' native memory (Tensor.bytes), in loops that
        // allocate nothing per node or edge: one write per element, no managed copy first, no tensor
        // arithmetic, hence no temporaries or Scalars for the finalizer. The first ToParameterGraph()
        // of an architecture pays for this (gmn bench, table b′).
        int nodeCount = layout.NodeCount, edgeCount = layout.EdgeCount;
        const int nodeWidth = 4, edgeWidth = 5;
        // Shared by every graph for the life of the process: no caller's dispose scope may own these,
        // whichever call happens to build them first.
        using var scope = NewDisposeScope();
        var nodeFeatures = empty([nodeCount, nodeWidth], int64).DetachFromDisposeScope();
        var edgeIndex = empty([2, edgeCount], int64).DetachFromDisposeScope();
        var edgeFeatures = empty([edgeCount, edgeWidth], int64).DetachFromDisposeScope();
        var inDegree = zeros(nodeCount, float32).DetachFromDisposeScope();
        var outDegree = zeros(nodeCount, float32).DetachFromDisposeScope();

        // Every element below is written (the blocks cover every node and edge): no zeroing needed.
        var nodes = Longs(nodeFeatures);
        int row = 0;
        foreach (var b in layout.Nodes)
            for (int i = 0; i < b.Count; i++, row++)
            {
                int at = row * nodeWidth;
                nodes[at] = b.Layer;
                nodes[at + 1] = b.Ordered ? i : -1;
                nodes[at + 2] = (long)b.Type;
                nodes[at + 3] = (long)b.Activation;
            }
        var into = MemoryMarshal.Cast<byte, float>(inDegree.bytes);
        var outOf = MemoryMarshal.Cast<byte, float>(outDegree.bytes);
        using var sources = edgeIndex.select(0, 0);
        using var destinations = edgeIndex.select(0, 1);
        int edge = 0;
        foreach (var b in layout.Edges)
        {
            // Through views of at most int.MaxValue bytes (a span's limit): a chunk of destinations at a time.
            int perDestination = (b.Diagonal ? 1 : b.SrcCount) * b.KernelSize;
            int chunk = Math.Max(1, int.MaxValue / 8 / edgeWidth / perDestination);
            for (int first = 0; first < b.DstCount; first += chunk)
            {
                int last = Math.Min(b.DstCount, first + chunk), count = (last - first) * perDestination;
                using var src = sources.narrow(0, edge, count);
                using var dst = destinations.narrow(0, edge, count);
                using var rows = edgeFeatures.narrow(0, edge, count);
                FillEdges(b, first, last, Longs(src), Longs(dst), Longs(rows), into, outOf);
                edge += count;
            }
        }
        for (int n = 0; n < nodeCount; n++)
        {
            // At least 1: the divisor of mean aggregation.
            if (into[n] < 1) into[n] = 1;
            if (outOf[n] < 1) outOf[n] = 1;
        }
        bool identity = IsIdentity(layout);
        return new ParameterGraphTopology(layout, nodeFeatures, edgeIndex, edgeFeatures,
            new Lazy<Tensor>(() => identity ? Scalars.Arange(0, edgeCount).DetachFromDisposeScope() : ValueIndexOf(layout)), inDegree, outDegree, identity);
    }

    private static Span<long> Longs(Tensor t) => MemoryMarshal.Cast<byte, long>(t.bytes);

    /// <summary>Edge i carries value i: no constant edges, and the blocks' values follow each other in edge order.</summary>
    private static bool IsIdentity(ParameterGraphLayout layout)
    {
        if (layout.EdgeCount != layout.ValueCount) return false;
        int next = 0;
        foreach (var b in layout.Edges)
        {
            if (b.ValueOffset != next) return false;
            next += b.Count;
        }
        return true;
    }

    /// <summary>Each edge's index in the value vector, ValueCount standing for the constant 1.</summary>
    private static Tensor ValueIndexOf(ParameterGraphLayout layout)
    {
        using var scope = NewDisposeScope();
        var result = empty(layout.EdgeCount, int64).DetachFromDisposeScope();
        var values = Longs(result);
        int e = 0;
        foreach (var b in layout.Edges)
            for (int i = 0; i < b.Count; i++, e++)
                values[e] = b.ValueOffset >= 0 ? i + b.ValueOffset : layout.ValueCount;
        return result;
    }

    // Row-major over [dst, src, kernel...]: the order of the weight tensor, so edge i of a block
    // carries value ValueOffset + i (see ValueIndexOf). Fills destinations first .. last - 1 of the
    // block into spans that start at its edge for destination first, and counts the degrees.
    private static void FillEdges(EdgeBlock b, int first, int last, Span<long> source, Span<long> destination, Span<long> features,
        Span<float> inDegree, Span<float> outDegree)
    {
        const int width = 5;
        // Kernel offsets of one kernel position, for every position in row-major order (pos0..pos2, -1 where unused).
        int k = b.KernelSize;
        var positions = new long[k * MaxKernelDims];
        for (int flat = 0; flat < k; flat++)
        {
            int stride = k;
            for (int d = 0; d < MaxKernelDims; d++)
            {
                if (d < b.Kernel.Length)
                {
                    stride /= b.Kernel[d];
                    positions[flat * MaxKernelDims + d] = flat / stride % b.Kernel[d];
                }
                else positions[flat * MaxKernelDims + d] = -1;
            }
        }
        int e = 0;
        int sources = b.Diagonal ? 1 : b.SrcCount;
        for (int dst = first; dst < last; dst++)
            for (int src = 0; src < sources; src++)
            {
                int from = b.Diagonal ? dst + b.SrcStart : src + b.SrcStart, to = dst + b.DstStart;
                outDegree[from] += k;
                inDegree[to] += k;
                for (int flat = 0; flat < k; flat++, e++)
                {
                    source[e] = from;
                    destination[e] = to;
                    int at = e * width;
                    features[at] = b.Layer;
                    features[at + 1] = (long)b.Type;
                    features[at + 2] = positions[flat * MaxKernelDims];
                    features[at + 3] = positions[flat * MaxKernelDims + 1];
                    features[at + 4] = positions[flat * MaxKernelDims + 2];
                }
            }
    }
}
