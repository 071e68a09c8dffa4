using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GmnGen.Metanet;

/// <summary>
/// One pre-norm residual block of the GMN: update every edge from its endpoints, send messages
/// along (and optionally against) the edges, mean-aggregate them, update every node.
/// <code>
///   e' = W₂ silu(A [x_src, x_dst, e])           edge update
///   m  = M₂ silu(B [x_src, e'])                 message, mean over incoming edges
///   x' = N₂ silu(C [x, agg_in, agg_out, u])     node update
///   x += Rₓ silu(x'),  e += Rₑ silu(e')          residuals, Rₓ and Rₑ start at zero
/// </code>
/// A linear map of a concatenation is a sum of linear maps, so the node parts of A and B are
/// applied once per node and gathered onto edges (graphs have far fewer nodes than edges) instead
/// of building E × 3h concatenations; the test project keeps the concatenating form as an oracle.
/// </summary>
public sealed class MessagePassingBlock : Module<BlockState, BlockState>
{
    private readonly LayerNorm nodeNorm, edgeNorm;
    private readonly Linear edgeFromSource, edgeFromTarget, edgeFromSelf, edgeOut;
    private readonly Linear messageFromSource, messageFromEdge, messageOut;
    private readonly Linear? reverseFromTarget, reverseFromEdge, reverseOut;
    private readonly Linear nodeFromSelf, nodeFromIncoming, nodeOut;
    private readonly Linear? nodeFromOutgoing, nodeFromGlobal;
    private readonly Linear? globalFromSelf, globalFromNodes, globalFromEdges, globalOut;
    private readonly Linear nodeResidual, edgeResidual;

    public MessagePassingBlock(int hidden, bool reverseEdges, bool globalFeature) : base(nameof(MessagePassingBlock))
    {
        nodeNorm = LayerNorm(hidden);
        edgeNorm = LayerNorm(hidden);
        edgeFromSource = Linear(hidden, hidden, hasBias: false);
        edgeFromTarget = Linear(hidden, hidden, hasBias: false);
        edgeFromSelf = Linear(hidden, hidden);
        edgeOut = Linear(hidden, hidden);
        messageFromSource = Linear(hidden, hidden, hasBias: false);
        messageFromEdge = Linear(hidden, hidden);
        messageOut = Linear(hidden, hidden);
        if (reverseEdges)
        {
            reverseFromTarget = Linear(hidden, hidden, hasBias: false);
            reverseFromEdge = Linear(hidden, hidden);
            reverseOut = Linear(hidden, hidden);
            nodeFromOutgoing = Linear(hidden, hidden, hasBias: false);
        }
        nodeFromSelf = Linear(hidden, hidden);
        nodeFromIncoming = Linear(hidden, hidden, hasBias: false);
        nodeOut = Linear(hidden, hidden);
        if (globalFeature)
        {
            nodeFromGlobal = Linear(hidden, hidden, hasBias: false);
            globalFromSelf = Linear(hidden, hidden);
            globalFromNodes = Linear(hidden, hidden, hasBias: false);
            globalFromEdges = Linear(hidden, hidden, hasBias: false);
            globalOut = Linear(hidden, hidden);
        }
        nodeResidual = Linear(hidden, hidden);
        edgeResidual = Linear(hidden, hidden);
        using (no_grad())
        {
            // Each block starts as the identity, so depth does not destabilise early training.
            foreach (var p in new[] { nodeResidual.weight!, nodeResidual.bias!, edgeResidual.weight!, edgeResidual.bias! }) p.zero_();
        }
        RegisterComponents();
    }

    /// <summary>Without autograd, edges are processed in chunks of this many, so inference memory
    /// is bounded by a chunk's temporaries instead of the whole batch's (aggregation is a sum).</summary>
    public const int InferenceChunkEdges = 1 << 16;

    public override BlockState forward(BlockState state)
    {
        var batch = state.Batch;
        var x = nodeNorm.forward(state.Nodes);
        long edgeCount = state.Edges.shape[0];

        // Node-side projections: one product per node for every map that reads x_src (or x_dst);
        // each edge chunk then gathers its rows.
        var sourceProjection = Project(x, edgeFromSource, messageFromSource);
        var targetProjection = Project(x, edgeFromTarget, reverseFromTarget);
        var incoming = zeros_like(x);
        var outgoing = reverseOut is null ? null : zeros_like(x);
        var pooledEdges = state.Global is null ? null : zeros(batch.GraphCount, x.shape[1], dtype: x.dtype, device: x.device);

        Tensor edges;
        long chunk = is_grad_enabled() ? edgeCount : InferenceChunkEdges;
        if (chunk >= edgeCount)
        {
            edges = EdgePass(state, 0, edgeCount, sourceProjection, targetProjection, incoming, outgoing, pooledEdges);
        }
        else
        {
            edges = empty_like(state.Edges);
            for (long start = 0; start < edgeCount; start += chunk)
            {
                using var scope = NewDisposeScope();
                long length = System.Math.Min(chunk, edgeCount - start);
                edges.narrow(0, start, length).copy_(EdgePass(state, start, length, sourceProjection, targetProjection, incoming, outgoing, pooledEdges));
            }
        }

        var nodeInput = nodeFromSelf.forward(x).add_(nodeFromIncoming.forward(incoming.div_(batch.InDegree.unsqueeze(1))));
        if (outgoing is not null) nodeInput.add_(nodeFromOutgoing!.forward(outgoing.div_(batch.OutDegree.unsqueeze(1))));
        Tensor? global = state.Global;
        if (global is not null) nodeInput.add_(nodeFromGlobal!.forward(global).index_select(0, batch.NodeGraph));
        var nodeUpdate = nodeOut.forward(functional.silu(nodeInput));
        var nodes = state.Nodes + nodeResidual.forward(functional.silu(nodeUpdate));

        if (global is not null)
        {
            var pooledNodes = Pooling.MeanPerGraph(nodeUpdate, batch.NodeGraph, batch.NodeCounts, batch.GraphCount);
            var meanEdges = pooledEdges!.div_(batch.EdgeCounts.clamp_min(1.0).unsqueeze(1));
            global = global + globalOut!.forward(functional.silu(
                globalFromSelf!.forward(global).add_(globalFromNodes!.forward(pooledNodes)).add_(globalFromEdges!.forward(meanEdges))));
        }
        return new BlockState(batch, nodes, edges, global);
    }

    /// <summary>
    /// Edges [start, start + length): updates them, sends their messages (summed into
    /// <paramref name="incoming"/> / <paramref name="outgoing"/>), adds their updates to the per-graph
    /// sums, and returns their new states.
    /// </summary>
    private Tensor EdgePass(BlockState state, long start, long length, Tensor[] sourceProjection, Tensor[] targetProjection,
        Tensor incoming, Tensor? outgoing, Tensor? pooledEdges)
    {
        var batch = state.Batch;
        bool whole = start == 0 && length == state.Edges.shape[0];
        var src = whole ? batch.EdgeIndex[0] : batch.EdgeIndex[0].narrow(0, start, length);
        var dst = whole ? batch.EdgeIndex[1] : batch.EdgeIndex[1].narrow(0, start, length);
        var edgeState = whole ? state.Edges : state.Edges.narrow(0, start, length);
        var e = edgeNorm.forward(edgeState);

        // In-place adds on fresh Linear outputs: autograd needs neither operand of an add, and a
        // Linear keeps its input, not its output, so this saves two E × h temporaries per sum.
        var edgePre = edgeFromSelf.forward(e);
        edgePre.add_(sourceProjection[0].index_select(0, src)).add_(targetProjection[0].index_select(0, dst));
        var edgeUpdate = edgeOut.forward(functional.silu(edgePre));

        var messagePre = messageFromEdge.forward(edgeUpdate);
        messagePre.add_(sourceProjection[1].index_select(0, src));
        incoming.index_add_(0, dst, messageOut.forward(functional.silu(messagePre)), 1.0);
        if (outgoing is not null)
        {
            var reversePre = reverseFromEdge!.forward(edgeUpdate);
            reversePre.add_(targetProjection[1].index_select(0, dst));
            outgoing.index_add_(0, src, reverseOut!.forward(functional.silu(reversePre)), 1.0);
        }
        if (pooledEdges is not null)
            pooledEdges.index_add_(0, whole ? batch.EdgeGraph : batch.EdgeGraph.narrow(0, start, length), edgeUpdate, 1.0);
        return edgeState + edgeResidual.forward(functional.silu(edgeUpdate));
    }

    /// <summary>Applies the bias-free maps to the node states in one product; returns one [N, h]
    /// view per map (the second may be absent).</summary>
    private static Tensor[] Project(Tensor x, Linear first, Linear? second)
    {
        if (second is null) return [functional.linear(x, first.weight!)];
        var weight = cat([first.weight!, second.weight!], 0);
        return functional.linear(x, weight).chunk(2, 1);
    }
}

/// <summary>What flows between blocks: the batch (structure) and the node, edge and graph states.</summary>
public sealed record BlockState(Batching.GraphBatch Batch, Tensor Nodes, Tensor Edges, Tensor? Global);

/// <summary>Per-graph means of node or edge rows.</summary>
public static class Pooling
{
    public static Tensor MeanPerGraph(Tensor rows, Tensor graphOfRow, Tensor rowsPerGraph, int graphCount) =>
        zeros(graphCount, rows.shape[1], dtype: rows.dtype, device: rows.device)
            .index_add_(0, graphOfRow, rows, 1.0) / rowsPerGraph.clamp_min(1.0).unsqueeze(1);
}
