using System;
using System.Collections.Generic;
using System.Linq;

namespace GmnGen.Graphs;

/// <summary>
/// A run of consecutive nodes that share their features. <paramref name="Ordered"/> nodes carry
/// their index within the run as "order" (network inputs and outputs); the rest carry -1, which is
/// what makes hidden neurons interchangeable to the metanet.
/// </summary>
public sealed record NodeBlock(int Start, int Count, int Layer, NodeType Type, bool Ordered, ActivationKind Activation);

/// <summary>
/// A dense block of edges: every source node to every destination node, once per kernel offset,
/// in the row-major order of a weight <c>[dst, src, k0, k1, ...]</c>. Bias and norm edges are the
/// case of one source node. The block's values are <c>values[ValueOffset ..]</c> of the value
/// vector, or the constant 1 when <see cref="ValueOffset"/> is -1 (residual edges). A
/// <paramref name="Diagonal"/> block joins source i to destination i only (an identity residual).
/// </summary>
public sealed record EdgeBlock(int Layer, EdgeType Type, int SrcStart, int SrcCount, int DstStart, int DstCount, int[] Kernel, int ValueOffset, bool Diagonal = false)
{
    /// <summary>Edges per (source, destination) pair: the product of <see cref="Kernel"/> (1 without a kernel).</summary>
    public int KernelSize => Kernel.Aggregate(1, (a, k) => a * k);
    /// <summary>Edges in the block: <c>DstCount</c> for a diagonal block, else <c>SrcCount · DstCount · KernelSize</c>.</summary>
    public int Count => Diagonal ? DstCount : SrcCount * DstCount * KernelSize;
}

/// <summary>A state tensor of the network (parameter or buffer) and where it sits in the value vector.</summary>
public sealed record StateTensor(string Name, long[] Shape, int Offset)
{
    /// <summary>Number of values: the product of <see cref="Shape"/>.</summary>
    public int Length => (int)Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>
/// The static description of an architecture's parameter graph, computed at compile time by the
/// generator. <see cref="Topology"/> turns it into tensors, once per architecture.
/// </summary>
public sealed class ParameterGraphLayout
{
    private readonly Lazy<ParameterGraphTopology> topology;
    private readonly Lazy<Symmetries.SymmetrySpec?> symmetries;

    /// <summary>A layout; generated code makes one per network class, held for the life of the
    /// process (a layout built at run time leaves its topology's tensors to the finalizer once dropped).</summary>
    /// <param name="architecture">Name of the declaring class.</param>
    /// <param name="nodeCount">Nodes of the graph, every block's included.</param>
    /// <param name="nodes">Blocks of nodes (neurons, channels, biases, ...), covering every node.</param>
    /// <param name="edges">Blocks of edges, one or more per parameter.</param>
    /// <param name="state">The network's parameters and buffers in state order, with their offsets in the value vector.</param>
    /// <param name="symmetries">The architecture's symmetries, read on first use (generated code passes
    /// its static <c>Symmetries</c>, which another generated file initialises).</param>
    public ParameterGraphLayout(string architecture, int nodeCount, IReadOnlyList<NodeBlock> nodes, IReadOnlyList<EdgeBlock> edges, IReadOnlyList<StateTensor> state,
        Func<Symmetries.SymmetrySpec>? symmetries = null)
    {
        this.symmetries = new Lazy<Symmetries.SymmetrySpec?>(() => symmetries?.Invoke());
        Architecture = architecture;
        NodeCount = nodeCount;
        Nodes = nodes;
        Edges = edges;
        State = state;
        EdgeCount = edges.Sum(e => e.Count);
        ValueCount = state.Sum(s => s.Length);
        topology = new Lazy<ParameterGraphTopology>(() => ParameterGraphTopology.Build(this));
    }

    /// <summary>Name of the declaring class.</summary>
    public string Architecture { get; }
    /// <summary>Number of nodes of the graph.</summary>
    public int NodeCount { get; }
    /// <summary>Number of edges of the graph: the sum of the edge blocks' counts, constant edges included.</summary>
    public int EdgeCount { get; }
    /// <summary>Length of the value vector: all state tensors flattened and concatenated.</summary>
    public int ValueCount { get; }
    /// <summary>The node blocks, in node order; together they cover every node.</summary>
    public IReadOnlyList<NodeBlock> Nodes { get; }
    /// <summary>The edge blocks, in edge order (generated layouts list them in value-vector order, constant blocks last).</summary>
    public IReadOnlyList<EdgeBlock> Edges { get; }
    /// <summary>State tensors in value-vector order (state_dict order without num_batches_tracked).</summary>
    public IReadOnlyList<StateTensor> State { get; }

    /// <summary>The architecture's symmetries, when the layout was made with them (every generated one is).</summary>
    public Symmetries.SymmetrySpec? Symmetries => symmetries.Value;

    /// <summary>The topology as tensors on the CPU, built on first use and shared by every instance.</summary>
    public ParameterGraphTopology Topology => topology.Value;
}
