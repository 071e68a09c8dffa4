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

    public override BlockState forward(BlockState state)
    {
        var batch = state.Batch;
        var src = batch.EdgeIndex[0];
        var dst = batch.EdgeIndex[1];
        var x = nodeNorm.forward(state.Nodes);
        var e = edgeNorm.forward(state.Edges);

        // Node-side projections: one product per node for every map that reads x_src (or x_dst),
        // then one gather onto the edges.
        var fromSource = Gather(x, src, edgeFromSource, messageFromSource);
        var fromTarget = Gather(x, dst, edgeFromTarget, reverseFromTarget);

        // In-place adds on fresh Linear outputs: autograd needs neither operand of an add, and a
        // Linear keeps its input, not its output, so this saves two E × h temporaries per sum.
        var edgePre = edgeFromSelf.forward(e);
        edgePre.add_(fromSource[0]).add_(fromTarget[0]);
        var edgeUpdate = edgeOut.forward(functional.silu(edgePre));

        var messagePre = messageFromEdge.forward(edgeUpdate);
        messagePre.add_(fromSource[1]);
        var message = messageOut.forward(functional.silu(messagePre));
        var incoming = zeros_like(x).index_add_(0, dst, message, 1.0).div_(batch.InDegree.unsqueeze(1));
        var nodeInput = nodeFromSelf.forward(x).add_(nodeFromIncoming.forward(incoming));
        if (reverseOut is not null)
        {
            var reversePre = reverseFromEdge!.forward(edgeUpdate);
            reversePre.add_(fromTarget[1]);
            var reverse = reverseOut.forward(functional.silu(reversePre));
            var outgoing = zeros_like(x).index_add_(0, src, reverse, 1.0).div_(batch.OutDegree.unsqueeze(1));
            nodeInput.add_(nodeFromOutgoing!.forward(outgoing));
        }
        Tensor? global = state.Global;
        if (global is not null) nodeInput.add_(nodeFromGlobal!.forward(global).index_select(0, batch.NodeGraph));
        var nodeUpdate = nodeOut.forward(functional.silu(nodeInput));

        var nodes = state.Nodes + nodeResidual.forward(functional.silu(nodeUpdate));
        var edges = state.Edges + edgeResidual.forward(functional.silu(edgeUpdate));
        if (global is not null)
        {
            var pooledNodes = Pooling.MeanPerGraph(nodeUpdate, batch.NodeGraph, batch.NodeCounts, batch.GraphCount);
            var pooledEdges = Pooling.MeanPerGraph(edgeUpdate, batch.EdgeGraph, batch.EdgeCounts, batch.GraphCount);
            global = global + globalOut!.forward(functional.silu(
                globalFromSelf!.forward(global).add_(globalFromNodes!.forward(pooledNodes)).add_(globalFromEdges!.forward(pooledEdges))));
        }
        return new BlockState(batch, nodes, edges, global);
    }

    /// <summary>Applies the bias-free maps to the node states in one product and gathers the result
    /// onto the edges; returns one [E, h] view per map (the second may be absent).</summary>
    private static Tensor[] Gather(Tensor x, Tensor index, Linear first, Linear? second)
    {
        if (second is null) return [functional.linear(x, first.weight!).index_select(0, index)];
        var weight = cat([first.weight!, second.weight!], 0);
        return functional.linear(x, weight).index_select(0, index).chunk(2, 1);
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
