using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>The per-node (and per-graph) sums of the edges' hidden features that a block's edge pass hands to its node update.</summary>
internal sealed record EdgeSums(Tensor Incoming, Tensor? Outgoing, Tensor? Pooled);

/// <summary>
/// <see cref="MessagePassingBlock"/>'s edge pass without autograd on <see cref="EdgeTileKernels"/>: the edge states are
/// updated in place in one pass, split into one contiguous range of edges per thread; each range scatters into its
/// own node buffers (thread 0's are the outputs), summed afterwards, so the result does not depend on timing.
/// The same function as the libtorch composition (tests compare them); only where <see cref="Applies"/>.
/// </summary>
internal static unsafe class TiledEdgeInference
{
    /// <summary>Whether the tiles can take these edge states: float32 rows on the CPU, a width the kernels support
    /// (<see cref="EdgeTileKernels.Supports"/>), and no more than a span addresses (2 GiB).</summary>
    public static bool Applies(Tensor edges) =>
        edges.device_type == DeviceType.CPU && edges.dtype == ScalarType.Float32 && edges.dim() == 2 && edges.is_contiguous()
        && EdgeTileKernels.Supports((int)edges.shape[1]) && edges.numel() * sizeof(float) < int.MaxValue;

    /// <summary>Writes the new edge states (over <paramref name="edges"/>, or into <paramref name="into"/>) and returns the sums of the hidden features.</summary>
    /// <param name="edges">[E, h] edge states (overwritten unless <paramref name="into"/> is given).</param>
    /// <param name="ends">[nodes, 2h]: A's source part, then destination part, applied to every node's normalised state.</param>
    /// <param name="w1">A's edge part [h, h] (out, in).</param>
    /// <param name="b1">A's bias.</param>
    /// <param name="gamma">The edge LayerNorm's scale.</param>
    /// <param name="beta">The edge LayerNorm's shift.</param>
    /// <param name="w2">Rₑ [h, h] (out, in).</param>
    /// <param name="b2">Rₑ's bias.</param>
    /// <param name="src">int64 [E]: the source node of each edge.</param>
    /// <param name="dst">int64 [E]: the destination node of each edge.</param>
    /// <param name="graphOfEdge">int64 [E] graph of each edge when the per-graph sums are wanted, else null.</param>
    /// <param name="nodeCount">Nodes in the batch.</param>
    /// <param name="graphCount">Graphs in the batch.</param>
    /// <param name="outgoing">Whether the sums per source node are wanted too.</param>
    /// <param name="into">[E, h] float32, contiguous: where the new edge states go (null: over <paramref name="edges"/>).</param>
    /// <param name="preActivations">[E, h] float32, contiguous: where A's pre-activations go (training keeps them for the backward), or null.</param>
    public static EdgeSums Run(Tensor edges, Tensor ends, Tensor w1, Tensor b1, Tensor gamma, Tensor beta, Tensor w2, Tensor b2,
        Tensor src, Tensor dst, Tensor? graphOfEdge, long nodeCount, int graphCount, bool outgoing, Tensor? into = null, Tensor? preActivations = null)
    {
        long rows = edges.shape[0];
        int h = (int)edges.shape[1];
        int threads = TileThreads.For(rows);
        var (incoming, incomingOthers) = Targets(nodeCount, h, threads);
        var (outgoingSum, outgoingOthers) = outgoing ? Targets(nodeCount, h, threads) : (null, null);
        var (pooled, pooledOthers) = graphOfEdge is null ? (null, null) : Targets(graphCount, h, threads);
        // The kernels read the weights as [in, out] rows: one contiguous copy each per call (h × h, negligible).
        var w1t = w1.t().contiguous();
        var w2t = w2.t().contiguous();
        var o = new EdgeTileKernels.Operands
        {
            H = h, E = rows == 0 ? null : Floats(edges), Out = rows == 0 ? null : Floats(into ?? edges),
            Pre = rows == 0 || preActivations is null ? null : Floats(preActivations), Ends = ends.numel() == 0 ? null : Floats(Contiguous(ends)), Gamma = Floats(gamma), Beta = Floats(beta),
            BiasIn = Floats(b1), BiasOut = Floats(b2),
            Src = rows == 0 ? null : Longs(Contiguous(src)), Dst = rows == 0 ? null : Longs(Contiguous(dst)),
            Graph = graphOfEdge is null || rows == 0 ? null : Longs(Contiguous(graphOfEdge)),
        };
        float* w1p = Floats(w1t), w2p = Floats(w2t);
        var toDst = new Scatter(incoming, incomingOthers, nodeCount * h);
        var outOf = new Scatter(outgoingSum, outgoingOthers, nodeCount * h);
        var pool = new Scatter(pooled, pooledOthers, (long)graphCount * h);
        if (rows > 0)
            TileThreads.Run(rows, threads, (start, end, t) => EdgeTileKernels.Run(o, w1p, w2p, start, end, toDst.For(t), outOf.For(t), pool.For(t)));
        return new EdgeSums(Total(incoming, incomingOthers)!, Total(outgoingSum, outgoingOthers), Total(pooled, pooledOthers));
    }

    /// <summary>The output, and a zeroed buffer for each thread but the first.</summary>
    private static (Tensor, Tensor) Targets(long count, int h, int threads) => (zeros(count, h, dtype: float32), zeros(threads - 1, count, h, dtype: float32));

    private static Tensor? Total(Tensor? first, Tensor? others) =>
        first is null ? null : others!.shape[0] == 0 ? first : first.add_(others.sum(0L), Scalars.One);

    /// <summary>Where thread t scatters: the output for thread 0, its own buffer otherwise (none when there is no output).</summary>
    private readonly struct Scatter(Tensor? first, Tensor? others, long stride)
    {
        private readonly IntPtr first = first is null || first.numel() == 0 ? IntPtr.Zero : (IntPtr)Floats(first);
        private readonly IntPtr others = others is null || others.numel() == 0 ? IntPtr.Zero : (IntPtr)Floats(others);

        public float* For(int thread) => first == IntPtr.Zero ? null : thread == 0 ? (float*)first : (float*)others + (thread - 1) * stride;
    }

    /// <summary>A contiguous float32 CPU tensor's data (the kernels read and write it in place).</summary>
    internal static float* Floats(Tensor t) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    /// <summary>A contiguous int64 CPU tensor's data.</summary>
    internal static long* Longs(Tensor t) => (long*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    internal static Tensor Contiguous(Tensor t) => t.is_contiguous() ? t : t.contiguous();
}
