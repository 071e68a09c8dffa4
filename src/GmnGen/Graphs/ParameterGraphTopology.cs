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
        using var scope = NewDisposeScope();
        var nodes = cat(layout.Nodes.Select(NodeRows).ToArray(), 0);
        var edgeParts = layout.Edges.Select(b => EdgeRows(b, layout.ValueCount)).ToArray();
        var edgeIndex = cat(edgeParts.Select(p => p.Index).ToArray(), 1);
        var edgeFeatures = cat(edgeParts.Select(p => p.Features).ToArray(), 0);
        var valueIndex = cat(edgeParts.Select(p => p.Values).ToArray(), 0);
        bool identity = layout.EdgeCount == layout.ValueCount
            && valueIndex.equal(arange(layout.EdgeCount, dtype: int64)).all().item<bool>();
        // Shared by every graph for the life of the process: no caller's dispose scope may own these,
        // whichever call happens to build them first.
        return new ParameterGraphTopology(layout, nodes.DetachFromDisposeScope(), edgeIndex.DetachFromDisposeScope(),
            edgeFeatures.DetachFromDisposeScope(), valueIndex.DetachFromDisposeScope(), identity);
    }

    private static Tensor NodeRows(NodeBlock b)
    {
        var order = b.Ordered ? arange(b.Count, dtype: int64) : full(b.Count, -1L, dtype: int64);
        return stack([full(b.Count, (long)b.Layer, dtype: int64), order,
            full(b.Count, (long)b.Type, dtype: int64), full(b.Count, (long)b.Activation, dtype: int64)], 1);
    }

    // Row-major over [dst, src, kernel...]: the order of the weight tensor, so edge i of a block
    // carries value ValueOffset + i.
    private static (Tensor Index, Tensor Features, Tensor Values) EdgeRows(EdgeBlock b, int constantIndex)
    {
        long k = b.KernelSize, perDst = b.SrcCount * k, n = b.Count;
        var i = arange(n, dtype: int64);
        var dst = b.Diagonal ? i + b.DstStart : i.div(perDst, rounding_mode: RoundingMode.floor) + b.DstStart;
        var src = b.Diagonal ? i + b.SrcStart : i.remainder(perDst).div(k, rounding_mode: RoundingMode.floor) + b.SrcStart;
        var flatKernel = i.remainder(k);
        var columns = new List<Tensor> { full(n, (long)b.Layer, dtype: int64), full(n, (long)b.Type, dtype: int64) };
        var positions = new Tensor[MaxKernelDims];
        long stride = k;
        for (int d = 0; d < MaxKernelDims; d++)
        {
            if (d < b.Kernel.Length)
            {
                stride /= b.Kernel[d];
                positions[d] = flatKernel.div(stride, rounding_mode: RoundingMode.floor).remainder(b.Kernel[d]);
            }
            else positions[d] = full(n, -1L, dtype: int64);
        }
        columns.AddRange(positions);
        var values = b.ValueOffset >= 0 ? i + b.ValueOffset : full(n, (long)constantIndex, dtype: int64);
        return (stack([src, dst], 0), stack(columns.ToArray(), 1), values);
    }
}
