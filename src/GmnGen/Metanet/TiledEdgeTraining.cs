using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>
/// A training edge pass on the CPU tiles, cut out of the autograd graph: the forward runs <see cref="TiledEdgeInference"/>
/// into a fresh edge-state tensor (the input stays, for the backward), and its outputs (new edge states and the per-node sums) continue the forward as fresh
/// leaves. <see cref="GraphMetanet.Backward"/> first lets autograd fill those leaves' gradients, then calls
/// <see cref="Backward"/> block by block, last to first: the tiles turn the leaves' gradients into those of the pass's
/// inputs and weights (<see cref="EdgeTileBackwardKernels"/>), which autograd carries on from there.
/// (TorchSharp's custom autograd functions would hide the cut, but leak native memory when chained:
/// docs/torchsharp-custom-function-leak.md.)
/// </summary>
internal sealed class TiledEdgeTape : ITiledTape
{
    private readonly EdgePassWeights weights;
    private readonly GraphBatch batch;
    private readonly Tensor edgesIn, ends, preActivations;
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
        // Kept for the backward: reading them back costs an E × h write and read, recomputing them an E × h × h product.
        preActivations = empty_like(input).DetachFromDisposeScope();
        var sums = TiledEdgeInference.Run(input, ends.detach(), weights.W1, weights.B1, weights.Gamma, weights.Beta, weights.W2, weights.B2,
            batch.EdgeIndex[0], batch.EdgeIndex[1], weights.Pooled ? batch.EdgeGraph : null, batch.NodeCount, batch.GraphCount, weights.Outgoing,
            into: edges, preActivations: preActivations);
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

    /// <summary>Takes the leaves' gradients (absent ones are zero) back through the pass and hands them on: to autograd
    /// into <c>ends</c> (and so the node states), the edge-pass weights' <c>.grad</c> and an encoder's output; the input edge
    /// states' gradient to the previous tape, where they are its leaf (<see cref="ITiledTape.Backward"/>).</summary>
    public Tensor? Backward(bool retainGraph, Tensor? handedGradient)
    {
        using var scope = NewDisposeScope();
        Tensor gradEdges;
        EdgeGradients g;
        using (no_grad())
        {
            gradEdges = TapeGradients.Of(EdgesOut, handedGradient);
            g = TiledEdgeBackward.Run(weights, edgesIn.detach(), preActivations, gradEdges,
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
        if (ownsEdgesIn) Seed(edgesIn, gradEdges);
        Seed(weights.W1, g.W1);
        Seed(weights.B1, g.B1);
        Seed(weights.Gamma, g.Gamma);
        Seed(weights.Beta, g.Beta);
        Seed(weights.W2, g.W2);
        Seed(weights.B2, g.B2);
        if (targets.Count > 0) autograd.backward(targets, grads, retain_graph: retainGraph);
        // Overwritten with the input's gradient by the backward pass: the previous tape's leaf takes it as it is.
        // (The handed tensor itself is the caller's already: it stays where it is.)
        return ownsEdgesIn ? null : ReferenceEquals(gradEdges, handedGradient) ? gradEdges : gradEdges.MoveToOuterDisposeScope();
    }

    /// <summary>The leaf's gradient, contiguous (zeros where autograd gave it none), or null for no leaf.</summary>
    private static Tensor? GradOrZeros(Tensor? leaf) => leaf is null ? null : TapeGradients.Of(leaf, null);

    /// <summary>Disposes the leaves, <c>ends</c>, the kept pre-activations and, when owned, the input edge states.</summary>
    public void Dispose()
    {
        preActivations.Dispose();
        EdgesOut.Dispose();
        Sums.Incoming.Dispose();
        Sums.Outgoing?.Dispose();
        Sums.Pooled?.Dispose();
        ends.Dispose();
        if (ownsEdgesIn) edgesIn.Dispose();
    }
}

/// <summary>A block's edge-pass weights as the tiles read them, and which sums the block's nodes read.</summary>
internal sealed record EdgePassWeights(Tensor W1, Tensor B1, Tensor Gamma, Tensor Beta, Tensor W2, Tensor B2, bool Outgoing, bool Pooled);

/// <summary>Gradients of a tiled edge pass's inputs: A's node parts [nodes, 2h] and the weights.</summary>
internal sealed record EdgeGradients(Tensor Ends, Tensor W1, Tensor B1, Tensor Gamma, Tensor Beta, Tensor W2, Tensor B2);
