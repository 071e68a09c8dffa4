using System;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>A piece of a training forward run on the CPU tiles outside autograd, whose gradients <see cref="GraphMetanet.Backward"/>
/// takes: <see cref="TiledEdgeTape"/> (a block's edge pass) and <see cref="EdgeEncoderTape"/> (the edge encoder before them).</summary>
internal interface ITiledTape : IDisposable
{
    /// <summary>The edge states it produced: a leaf whose gradient its <see cref="Backward"/> reads.</summary>
    Tensor EdgesOut { get; }

    /// <summary>Whether autograd has put a gradient into any of its leaves (a backward reached the cut).</summary>
    bool HasGradients { get; }

    /// <summary>Takes its leaves' gradients back through it and hands them on: to autograd, and the gradient of its input
    /// edge states, where those are the previous tape's <see cref="EdgesOut"/>, straight to that tape.</summary>
    /// <param name="retainGraph">Keep the autograd graph for a later tape's call (every call but the last).</param>
    /// <param name="handedGradient">A gradient of <see cref="EdgesOut"/> from the tape after this one (contiguous, the
    /// caller's; it may be overwritten), added to what autograd put into the leaf; null: none.</param>
    /// <returns>The gradient of the input edge states for the previous tape (the caller's to dispose), or null where the
    /// input did not come from a tape.</returns>
    Tensor? Backward(bool retainGraph, Tensor? handedGradient);
}

/// <summary>Helpers the tapes share.</summary>
internal static class TapeGradients
{
    /// <summary>The gradient of an edge-state leaf: what autograd put into it plus what the next tape handed over
    /// (contiguous; zeros where neither exists). Passing a gradient between tapes directly, instead of seeding the leaf
    /// through autograd, saves the E × h copy autograd makes of a gradient it accumulates into a leaf.</summary>
    public static Tensor Of(Tensor leaf, Tensor? handed)
    {
        var grad = leaf.grad;
        if (grad is null) return handed ?? zeros_like(leaf);
        if (!grad.is_contiguous()) grad = grad.contiguous();
        return handed is null ? grad : grad.add_(handed, GmnGen.Runtime.Scalars.One);
    }
}
