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

    private ParameterGraphTopology(ParameterGraphLayout layout, Tensor nodeFeatures, Tensor edgeIndex, Tensor edgeFeatures, Tensor valueIndex, bool identityGather)
    {
        InDegree = Batching.Degrees.Count(edgeIndex[1], layout.NodeCount).DetachFromDisposeScope();
        OutDegree = Batching.Degrees.Count(edgeIndex[0], layout.NodeCount).DetachFromDisposeScope();
        Layout = layout;
        NodeFeatures = nodeFeatures;
        EdgeIndex = edgeIndex;
        EdgeFeatures = edgeFeatures;
        ValueIndex = valueIndex;
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
        // Plain arrays, filled once per architecture: no tensor arithmetic, hence no temporaries or
        // Scalars for the finalizer, and every row is visibly the formula it stands for.
        int nodeCount = layout.NodeCount, edgeCount = layout.EdgeCount;
        var nodes = new long[nodeCount * NodeFeatureNames.Length];
        int row = 0;
        foreach (var b in layout.Nodes)
            for (int i = 0; i < b.Count; i++, row++)
                FillRow(nodes, row, NodeFeatureNames.Length, b.Layer, b.Ordered ? i : -1, (long)b.Type, (long)b.Activation);
        var index = new long[2 * edgeCount];
        var features = new long[edgeCount * EdgeFeatureNames.Length];
        var values = new long[edgeCount];
        int edge = 0;
        foreach (var b in layout.Edges)
            edge = FillEdges(b, layout.ValueCount, edge, edgeCount, index, features, values);
        bool identity = edgeCount == layout.ValueCount && values.Select((v, i) => v == i).All(same => same);
        // Shared by every graph for the life of the process: no caller's dispose scope may own these,
        // whichever call happens to build them first.
        using var scope = NewDisposeScope();
        return new ParameterGraphTopology(layout,
            tensor(nodes, [nodeCount, NodeFeatureNames.Length]).DetachFromDisposeScope(),
            tensor(index, [2, edgeCount]).DetachFromDisposeScope(),
            tensor(features, [edgeCount, EdgeFeatureNames.Length]).DetachFromDisposeScope(),
            tensor(values, [edgeCount]).DetachFromDisposeScope(), identity);
    }

    private static void FillRow(long[] rows, int row, int width, params long[] columns) =>
        columns.CopyTo(rows, row * width);

    // Row-major over [dst, src, kernel...]: the order of the weight tensor, so edge i of a block
    // carries value ValueOffset + i. Returns the index of the edge after the block.
    private static int FillEdges(EdgeBlock b, int constantIndex, int first, int edgeCount, long[] index, long[] features, long[] values)
    {
        long k = b.KernelSize, perDst = b.SrcCount * k;
        var position = new long[MaxKernelDims];
        for (int i = 0; i < b.Count; i++)
        {
            int e = first + i;
            index[e] = b.Diagonal ? i + b.SrcStart : i % perDst / k + b.SrcStart;               // source row
            index[edgeCount + e] = b.Diagonal ? i + b.DstStart : i / perDst + b.DstStart;      // destination row
            long flatKernel = i % k, stride = k;
            for (int d = 0; d < MaxKernelDims; d++)
            {
                if (d < b.Kernel.Length)
                {
                    stride /= b.Kernel[d];
                    position[d] = flatKernel / stride % b.Kernel[d];
                }
                else position[d] = -1;
            }
            FillRow(features, e, EdgeFeatureNames.Length, b.Layer, (long)b.Type, position[0], position[1], position[2]);
            values[e] = b.ValueOffset >= 0 ? i + b.ValueOffset : constantIndex;
        }
        return first + b.Count;
    }
}
