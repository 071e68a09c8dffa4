using System.Collections.Generic;
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

    private ParameterGraphTopology(ParameterGraphLayout layout, Tensor nodeFeatures, Tensor edgeIndex, Tensor edgeFeatures, Tensor valueIndex,
        Tensor inDegree, Tensor outDegree, bool identityGather)
    {
        Layout = layout;
        NodeFeatures = nodeFeatures;
        EdgeIndex = edgeIndex;
        EdgeFeatures = edgeFeatures;
        ValueIndex = valueIndex;
        InDegree = inDegree;
        OutDegree = outDegree;
        IsIdentityGather = identityGather;
    }

    public ParameterGraphLayout Layout { get; }
    /// <summary>int64 [nodes, 4]: layer, order (-1 when interchangeable), node type, activation.</summary>
    public Tensor NodeFeatures { get; }
    /// <summary>int64 [2, edges]: source row, destination row.</summary>
    public Tensor EdgeIndex { get; }
    /// <summary>int64 [edges, 5]: layer, edge type, kernel offsets pos0..pos2 (-1 where unused).</summary>
    public Tensor EdgeFeatures { get; }
    /// <summary>int64 [edges]: index of each edge's value in the value vector extended by one constant 1
    /// (index <c>ValueCount</c>, used by residual edges).</summary>
    public Tensor ValueIndex { get; }
    /// <summary>float32 [nodes]: incoming edges per node, at least 1 (the divisor of mean aggregation).</summary>
    public Tensor InDegree { get; }
    /// <summary>float32 [nodes]: outgoing edges per node, at least 1.</summary>
    public Tensor OutDegree { get; }
    /// <summary>True when edge i carries value i, so a graph needs no gather at all.</summary>
    public bool IsIdentityGather { get; }

    internal static ParameterGraphTopology Build(ParameterGraphLayout layout)
    {
        // Plain arrays, filled once per architecture in loops that allocate nothing per node or edge
        // (the first ToParameterGraph() of an architecture pays for this: gmn bench, table b′): no
        // tensor arithmetic, hence no temporaries or Scalars for the finalizer.
        int nodeCount = layout.NodeCount, edgeCount = layout.EdgeCount;
        const int nodeWidth = 4, edgeWidth = 5;
        // Every element below is written (the blocks cover every node and edge): no zeroing needed.
        var nodes = System.GC.AllocateUninitializedArray<long>(checked(nodeCount * nodeWidth));
        int row = 0;
        foreach (var b in layout.Nodes)
            for (int i = 0; i < b.Count; i++, row++)
            {
                long at = (long)row * nodeWidth;
                nodes[at] = b.Layer;
                nodes[at + 1] = b.Ordered ? i : -1;
                nodes[at + 2] = (long)b.Type;
                nodes[at + 3] = (long)b.Activation;
            }
        var index = System.GC.AllocateUninitializedArray<long>(checked(2 * edgeCount));
        var features = System.GC.AllocateUninitializedArray<long>(checked(edgeCount * edgeWidth));
        var values = System.GC.AllocateUninitializedArray<long>(edgeCount);
        var inDegree = new float[nodeCount];
        var outDegree = new float[nodeCount];
        int edge = 0;
        foreach (var b in layout.Edges)
            edge = FillEdges(b, layout.ValueCount, edge, edgeCount, index, features, values);
        bool identity = edgeCount == layout.ValueCount;
        for (int e = 0; e < edgeCount; e++)
        {
            outDegree[index[e]]++;
            inDegree[index[edgeCount + e]]++;
            identity &= values[e] == e;
        }
        for (int n = 0; n < nodeCount; n++)
        {
            // At least 1: the divisor of mean aggregation.
            if (inDegree[n] < 1) inDegree[n] = 1;
            if (outDegree[n] < 1) outDegree[n] = 1;
        }
        // Shared by every graph for the life of the process: no caller's dispose scope may own these,
        // whichever call happens to build them first.
        using var scope = NewDisposeScope();
        return new ParameterGraphTopology(layout,
            tensor(nodes, [nodeCount, nodeWidth]).DetachFromDisposeScope(),
            tensor(index, [2, edgeCount]).DetachFromDisposeScope(),
            tensor(features, [edgeCount, edgeWidth]).DetachFromDisposeScope(),
            tensor(values, [edgeCount]).DetachFromDisposeScope(),
            tensor(inDegree).DetachFromDisposeScope(),
            tensor(outDegree).DetachFromDisposeScope(), identity);
    }

    // Row-major over [dst, src, kernel...]: the order of the weight tensor, so edge i of a block
    // carries value ValueOffset + i. Returns the index of the edge after the block.
    private static int FillEdges(EdgeBlock b, int constantIndex, int first, int edgeCount, long[] index, long[] features, long[] values)
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
        int e = first, i = 0;
        int destinations = b.DstCount, sources = b.Diagonal ? 1 : b.SrcCount;
        for (int dst = 0; dst < destinations; dst++)
            for (int src = 0; src < sources; src++)
                for (int flat = 0; flat < k; flat++, e++, i++)
                {
                    index[e] = b.Diagonal ? dst + b.SrcStart : src + b.SrcStart;   // source row
                    index[edgeCount + e] = dst + b.DstStart;                        // destination row
                    long at = (long)e * width;
                    features[at] = b.Layer;
                    features[at + 1] = (long)b.Type;
                    features[at + 2] = positions[flat * MaxKernelDims];
                    features[at + 3] = positions[flat * MaxKernelDims + 1];
                    features[at + 4] = positions[flat * MaxKernelDims + 2];
                    values[e] = b.ValueOffset >= 0 ? i + b.ValueOffset : constantIndex;
                }
        return e;
    }
}
