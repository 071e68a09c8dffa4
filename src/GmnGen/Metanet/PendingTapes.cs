using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>
/// The tiled pieces (edge encoder, edge passes) of the training forwards whose gradients <see cref="GraphMetanet.Backward"/> has yet to take, one list
/// per forward, so that a loss over several forwards (a siamese pair, summed micro-batches) reaches all of them.
/// </summary>
internal sealed class PendingTapes : IDisposable
{
    /// <summary>Training forwards (with tiled passes) allowed to wait for a <see cref="GraphMetanet.Backward"/>: each holds its
    /// edge states, so more means forwards that never get one (an evaluation loop in <c>train()</c> mode with autograd on).</summary>
    public const int MaxForwards = 16;

    private List<List<ITiledTape>> forwards = [];

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
    public List<ITiledTape> StartForward()
    {
        var tapes = new List<ITiledTape>();
        forwards.Add(tapes);
        return tapes;
    }

    /// <summary>After the forward: a list without tiled passes (all below the minimum size) is not kept.</summary>
    public void EndForward(List<ITiledTape> tapes)
    {
        if (tapes.Count == 0) forwards.Remove(tapes);
    }

    /// <summary>A forward that failed leaves nothing to backpropagate.</summary>
    public void Discard(List<ITiledTape> tapes)
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
            Tensor? handed = null;
            try
            {
                for (int i = 0; i < order.Count; i++)
                {
                    var next = order[i].Backward(retainGraph: i < order.Count - 1, handed);
                    if (!ReferenceEquals(next, handed)) handed?.Dispose();   // a tape may hand on the tensor it was handed
                    handed = next;
                }
            }
            finally
            {
                handed?.Dispose();
            }
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
