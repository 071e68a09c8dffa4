using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using GmnGen.Batching;
using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>
/// A training edge pass on the CPU tiles, cut out of the autograd graph: the forward runs <see cref="TiledEdgeInference"/>
/// on a copy of the edge states, and its outputs (new edge states and the per-node sums) continue the forward as fresh
/// leaves. <see cref="GraphMetanet.Backward"/> first lets autograd fill those leaves' gradients, then calls
/// <see cref="Backward"/> block by block, last to first: the tiles turn the leaves' gradients into those of the pass's
/// inputs and weights (<see cref="EdgeTileBackwardKernels"/>), which autograd carries on from there.
/// (TorchSharp's custom autograd functions would hide the cut, but leak native memory when chained:
/// docs/torchsharp-custom-function-leak.md.)
/// </summary>
internal sealed class TiledEdgeTape : IDisposable
{
    private readonly EdgePassWeights weights;
    private readonly GraphBatch batch;
    private readonly Tensor edgesIn, ends;
    private readonly bool ownsEdgesIn;

    /// <summary>The pass's output edge states: a leaf whose gradient backward reads (owned by the tape).</summary>
    public Tensor EdgesOut { get; }

    /// <summary>The per-node (and per-graph) sums of the hidden features: leaves too, owned by the tape.</summary>
    public EdgeSums Sums { get; }

    /// <summary>Runs the pass forward on the tiles and records what its backward needs.</summary>
    /// <param name="weights">The block's edge-pass weights.</param>
    /// <param name="batch">The batch (endpoints, graphs).</param>
    /// <param name="edgesIn">The block's input edge states: the previous tape's <see cref="EdgesOut"/>, or the encoder's
    /// output, which the tape then takes out of its dispose scope and owns (<paramref name="ownsEdgesIn"/>).</param>
    /// <param name="ends">A's node parts [nodes, 2h] (in the autograd graph; the tape takes it out of its dispose scope).</param>
    /// <param name="ownsEdgesIn">Whether the tape disposes <paramref name="edgesIn"/>.</param>
    public TiledEdgeTape(EdgePassWeights weights, GraphBatch batch, Tensor edgesIn, Tensor ends, bool ownsEdgesIn)
    {
        this.weights = weights;
        this.batch = batch;
        this.edgesIn = ownsEdgesIn ? edgesIn.DetachFromDisposeScope() : edgesIn;
        this.ends = ends.DetachFromDisposeScope();
        this.ownsEdgesIn = ownsEdgesIn;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var input = edgesIn.detach();
        var edges = empty_like(input);
        var sums = TiledEdgeInference.Run(input, ends.detach(), weights.W1, weights.B1, weights.Gamma, weights.Beta, weights.W2, weights.B2,
            batch.EdgeIndex[0], batch.EdgeIndex[1], weights.Pooled ? batch.EdgeGraph : null, batch.NodeCount, batch.GraphCount, weights.Outgoing, into: edges);
        EdgesOut = Leaf(edges)!;
        Sums = new EdgeSums(Leaf(sums.Incoming)!, Leaf(sums.Outgoing), Leaf(sums.Pooled));
    }

    /// <summary>Whether autograd has put a gradient into any of the tape's leaves (a backward reached the cut).</summary>
    public bool HasGradients => new[] { EdgesOut, Sums.Incoming, Sums.Outgoing, Sums.Pooled }.Any(HasGradient);

    private static bool HasGradient(Tensor? leaf)
    {
        using var grad = leaf?.grad;
        return grad is not null;
    }

    private static Tensor? Leaf(Tensor? t) => t?.requires_grad_(true).DetachFromDisposeScope();

    /// <summary>Whether the tiles can run a training edge pass on these edge states (the forward's conditions: <see cref="TiledEdgeInference.Applies"/>).</summary>
    public static bool Applies(Tensor edges) => TiledEdgeInference.Applies(edges);

    /// <summary>Takes the leaves' gradients (absent ones are zero) back through the pass and hands them on to autograd:
    /// into <c>ends</c> (and so the node states), the input edge states (the previous tape's leaf, or the encoder) and the
    /// edge-pass weights' <c>.grad</c>.</summary>
    /// <param name="retainGraph">Keep the autograd graph for a later tape's call (every call but the last).</param>
    public void Backward(bool retainGraph)
    {
        using var scope = NewDisposeScope();
        Tensor gradEdges;
        EdgeGradients g;
        using (no_grad())
        {
            gradEdges = GradOrZeros(EdgesOut)!;
            g = TiledEdgeBackward.Run(weights, edgesIn.detach(), ends.detach(), gradEdges,
                GradOrZeros(Sums.Incoming)!, GradOrZeros(Sums.Outgoing), GradOrZeros(Sums.Pooled), batch);
        }
        var targets = new List<Tensor>();
        var grads = new List<Tensor>();
        void Seed(Tensor target, Tensor grad)
        {
            if (!target.requires_grad) return;
            targets.Add(target);
            grads.Add(grad);
        }
        Seed(ends, g.Ends);
        Seed(edgesIn, gradEdges);
        Seed(weights.W1, g.W1);
        Seed(weights.B1, g.B1);
        Seed(weights.Gamma, g.Gamma);
        Seed(weights.Beta, g.Beta);
        Seed(weights.W2, g.W2);
        Seed(weights.B2, g.B2);
        if (targets.Count > 0) autograd.backward(targets, grads, retain_graph: retainGraph);
    }

    /// <summary>The leaf's gradient, contiguous (zeros where autograd gave it none), or null for no leaf.</summary>
    private static Tensor? GradOrZeros(Tensor? leaf)
    {
        if (leaf is null) return null;
        var grad = leaf.grad;
        if (grad is null) return zeros_like(leaf);
        return grad.is_contiguous() ? grad : grad.contiguous();
    }

    /// <summary>Disposes the leaves, <c>ends</c> and, when owned, the input edge states.</summary>
    public void Dispose()
    {
        EdgesOut.Dispose();
        Sums.Incoming.Dispose();
        Sums.Outgoing?.Dispose();
        Sums.Pooled?.Dispose();
        ends.Dispose();
        if (ownsEdgesIn) edgesIn.Dispose();
    }
}

/// <summary>
/// The tiled edge passes of the training forwards whose gradients <see cref="GraphMetanet.Backward"/> has yet to take, one list
/// per forward, so that a loss over several forwards (a siamese pair, summed micro-batches) reaches all of them.
/// </summary>
internal sealed class PendingTapes : IDisposable
{
    /// <summary>Training forwards (with tiled passes) allowed to wait for a <see cref="GraphMetanet.Backward"/>: each holds its
    /// edge states, so more means forwards that never get one (an evaluation loop in <c>train()</c> mode with autograd on).</summary>
    public const int MaxForwards = 16;

    private List<List<TiledEdgeTape>> forwards = [];

    /// <summary>Checks the waiting forwards before a new one: throws (after dropping them) when a <c>loss.backward()</c>
    /// reached them instead of <see cref="GraphMetanet.Backward"/>, or when <see cref="MaxForwards"/> are waiting.</summary>
    public void CheckBeforeForward()
    {
        if (forwards.Count == 0) return;
        bool reached = forwards.Any(f => f.Any(t => t.HasGradients));
        if (!reached && forwards.Count < MaxForwards) return;
        Dispose();
        throw new InvalidOperationException(reached
            ? "GraphMetanet: a training forward ran its edge passes on the CPU tiles (TiledTraining), and its loss was backpropagated " +
              "with loss.backward(), which stops at them: the edge passes and the encoders got no gradient. " +
              "Take gradients with metanet.Backward(loss), or set TiledTraining = false."
            : $"GraphMetanet: {MaxForwards} training forwards ran their edge passes on the CPU tiles and none was backpropagated with " +
              "metanet.Backward(loss); each keeps its edge states until then. Run forwards that need no gradients under torch.no_grad() " +
              "or after eval(), or set TiledTraining = false.");
    }

    /// <summary>A new forward's list, in block order.</summary>
    public List<TiledEdgeTape> StartForward()
    {
        var tapes = new List<TiledEdgeTape>();
        forwards.Add(tapes);
        return tapes;
    }

    /// <summary>After the forward: a list without tiled passes (all below the minimum size) is not kept.</summary>
    public void EndForward(List<TiledEdgeTape> tapes)
    {
        if (tapes.Count == 0) forwards.Remove(tapes);
    }

    /// <summary>A forward that failed leaves nothing to backpropagate.</summary>
    public void Discard(List<TiledEdgeTape> tapes)
    {
        foreach (var tape in tapes) tape.Dispose();
        forwards.Remove(tapes);
    }

    /// <summary>Autograd from <paramref name="loss"/>, then the tiled passes of every forward the loss reached, each forward's
    /// from its last block to its first; then every waiting forward is dropped.</summary>
    public void Backward(Tensor loss)
    {
        var waiting = forwards;
        forwards = [];
        try
        {
            if (waiting.Count == 0)
            {
                loss.backward();
                return;
            }
            // The node-level graph is kept for the tapes' calls, which run back through it.
            loss.backward(retain_graph: true);
            var order = waiting.Where(f => f.Any(t => t.HasGradients)).SelectMany(f => Enumerable.Reverse(f)).ToList();
            for (int i = 0; i < order.Count; i++) order[i].Backward(retainGraph: i < order.Count - 1);
        }
        finally
        {
            foreach (var tape in waiting.SelectMany(f => f)) tape.Dispose();
        }
    }

    /// <summary>Drops every waiting forward.</summary>
    public void Dispose()
    {
        foreach (var tape in forwards.SelectMany(f => f)) tape.Dispose();
        forwards = [];
    }
}

/// <summary>A block's edge-pass weights as the tiles read them, and which sums the block's nodes read.</summary>
internal sealed record EdgePassWeights(Tensor W1, Tensor B1, Tensor Gamma, Tensor Beta, Tensor W2, Tensor B2, bool Outgoing, bool Pooled);

/// <summary>Gradients of a tiled edge pass's inputs: A's node parts [nodes, 2h] and the weights.</summary>
internal sealed record EdgeGradients(Tensor Ends, Tensor W1, Tensor B1, Tensor Gamma, Tensor Beta, Tensor W2, Tensor B2);

/// <summary>Runs <see cref="EdgeTileBackwardKernels"/> over all edges, one contiguous range per thread, each summing into
/// its own buffers (added up afterwards, so the result does not depend on timing).</summary>
internal static unsafe class TiledEdgeBackward
{
    /// <summary>The pass's backward; <paramref name="gradEdges"/> (∂ of the output edge states) is overwritten with ∂ of the input ones.</summary>
    public static EdgeGradients Run(EdgePassWeights w, Tensor edgesIn, Tensor ends, Tensor gradEdges,
        Tensor gradIncoming, Tensor? gradOutgoing, Tensor? gradPooled, GraphBatch batch)
    {
        long rows = edgesIn.shape[0];
        int h = (int)edgesIn.shape[1];
        int threads = (int)Math.Max(1, Math.Min(get_num_threads(), rows / 1024 + 1));
        long nodes = batch.NodeCount, hh = (long)h * h;
        // Per thread: ∂P [nodes, 2h], then ∂W₁, ∂W₂ (h × h each) and ∂b₁, ∂b₂, ∂γ, ∂β (h each).
        var endSums = zeros(threads, nodes, 2 * h, dtype: float32);
        var weightSums = zeros(threads, 2 * hh + 4 * h, dtype: float32);
        if (rows > 0) Sum(w, edgesIn, ends, gradEdges, gradIncoming, gradOutgoing, gradPooled, batch, threads, endSums, weightSums);
        var gradEnds = threads == 1 ? endSums[0] : endSums.sum(0L);
        var weightGrads = threads == 1 ? weightSums[0] : weightSums.sum(0L);
        var parts = weightGrads.split([hh, hh, h, h, h, h]);
        return new EdgeGradients(gradEnds, parts[0].view(h, h), parts[2], parts[4], parts[5], parts[1].view(h, h), parts[3]);
    }

    /// <summary>Runs the kernels, each thread over its range of edges into its slice of <paramref name="endSums"/> and <paramref name="weightSums"/>.</summary>
    private static void Sum(EdgePassWeights w, Tensor edgesIn, Tensor ends, Tensor gradEdges, Tensor gradIncoming, Tensor? gradOutgoing,
        Tensor? gradPooled, GraphBatch batch, int threads, Tensor endSums, Tensor weightSums)
    {
        long rows = edgesIn.shape[0];
        int h = (int)edgesIn.shape[1];
        long nodes = batch.NodeCount, hh = (long)h * h;
        var w1t = w.W1.t().contiguous();
        var w1 = w.W1.contiguous();
        var w2 = w.W2.contiguous();
        var src = Contiguous(batch.EdgeIndex[0]);
        var dst = Contiguous(batch.EdgeIndex[1]);
        var graph = gradPooled is null ? null : Contiguous(batch.EdgeGraph);
        var o = new EdgeTileBackwardKernels.Operands
        {
            H = h, EdgesIn = Floats(Contiguous(edgesIn)), Grad = Floats(gradEdges), Ends = Floats(Contiguous(ends)),
            Gamma = Floats(w.Gamma), Beta = Floats(w.Beta), BiasIn = Floats(w.B1),
            W1t = Floats(w1t), W1 = Floats(w1), W2 = Floats(w2),
            GradIncoming = Floats(gradIncoming), GradOutgoing = gradOutgoing is null ? null : Floats(gradOutgoing),
            GradPooled = gradPooled is null ? null : Floats(gradPooled),
            Src = Longs(src), Dst = Longs(dst), Graph = graph is null ? null : Longs(graph),
        };
        float* endBase = Floats(endSums), weightBase = Floats(weightSums);
        long endStride = nodes * 2 * h, weightStride = 2 * hh + 4 * h;
        void Range(int t)
        {
            float* ws = weightBase + t * weightStride;
            var sums = new EdgeTileBackwardKernels.Sums
            {
                Ends = endBase + t * endStride, W1 = ws, W2 = ws + hh,
                BiasIn = ws + 2 * hh, BiasOut = ws + 2 * hh + h, Gamma = ws + 2 * hh + 2 * h, Beta = ws + 2 * hh + 3 * h,
            };
            EdgeTileBackwardKernels.Run(o, sums, rows * t / threads, rows * (t + 1) / threads);
        }
        if (threads == 1) Range(0);
        else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, Range);
    }

    private static Tensor Contiguous(Tensor t) => t.is_contiguous() ? t : t.contiguous();

    private static float* Floats(Tensor t) => (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(
        ref System.Runtime.InteropServices.MemoryMarshal.GetReference(t.bytes));

    private static long* Longs(Tensor t) => (long*)System.Runtime.CompilerServices.Unsafe.AsPointer(
        ref System.Runtime.InteropServices.MemoryMarshal.GetReference(t.bytes));
}
