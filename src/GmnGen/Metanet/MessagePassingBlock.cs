using System.Collections.Generic;
using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GmnGen.Metanet;

/// <summary>
/// One pre-norm residual block of the GMN: every edge computes hidden features from its endpoints
/// and its own state, which both update the edge and, mean-aggregated, are the messages its nodes
/// receive; then every node is updated.
/// <code>
///   a  = silu(A [x_src, x_dst, e])              edge hidden features (the edge MLP's hidden layer)
///   e += Rₑ a                                    edge update, residual
///   x' = N₂ silu(C [x, mean_in a, mean_out a, u]) node update (mean_out with ReverseEdges, u with GlobalFeature)
///   x += Rₓ silu(x')                             Rₓ and Rₑ start at zero: the block starts as the identity
/// </code>
/// Per edge this costs two h × h products (A's edge part and Rₑ); everything a node reads from its
/// edges is a mean of <c>a</c>, and a linear map of a mean is the mean of the linear maps, so messages
/// need no per-edge product of their own. The official code's block evaluates three per-edge MLPs
/// (edge, message, reverse message) for the same information; this form keeps the edge MLP's
/// nonlinearity over (x_src, x_dst, e) and moves the rest to the nodes, which are ~80× fewer.
/// A linear map of a concatenation is a sum of linear maps, so A's node parts are applied once per
/// node, summed once per (source, destination) pair (<see cref="Batching.GraphBatch.EndpointPairs"/>)
/// and gathered onto the edges instead of building E × 3h concatenations; the test project keeps
/// the concatenating form as an oracle.
/// </summary>
public sealed class MessagePassingBlock : Module<BlockState, BlockState>
{
    private readonly LayerNorm nodeNorm, edgeNorm;
    private readonly Linear edgeFromSource, edgeFromTarget, edgeFromSelf;
    private readonly Linear nodeFromSelf, nodeFromIncoming, nodeOut;
    private readonly Linear? nodeFromOutgoing, nodeFromGlobal;
    private readonly Linear? globalFromSelf, globalFromNodes, globalFromEdges, globalOut;
    private readonly Linear nodeResidual, edgeResidual;

    /// <summary>A block whose residual maps Rₓ and Rₑ start at zero, so it starts as the identity.</summary>
    /// <param name="hidden">Width of the node, edge and global states.</param>
    /// <param name="reverseEdges">Nodes also aggregate the hidden features of their outgoing edges (<see cref="GmnConfig.ReverseEdges"/>).</param>
    /// <param name="globalFeature">Nodes read a per-graph global state, which the block updates (<see cref="GmnConfig.GlobalFeature"/>).</param>
    public MessagePassingBlock(int hidden, bool reverseEdges, bool globalFeature) : base(nameof(MessagePassingBlock))
    {
        nodeNorm = LayerNorm(hidden);
        edgeNorm = LayerNorm(hidden);
        edgeFromSource = Linear(hidden, hidden, hasBias: false);
        edgeFromTarget = Linear(hidden, hidden, hasBias: false);
        edgeFromSelf = Linear(hidden, hidden);
        if (reverseEdges) nodeFromOutgoing = Linear(hidden, hidden, hasBias: false);
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
            foreach (var p in new[] { nodeResidual.weight!, nodeResidual.bias!, edgeResidual.weight!, edgeResidual.bias! }) init.zeros_(p);
        }
        RegisterComponents();
        ModuleOwnership.OwnState(this);   // built inside a caller's dispose scope, the state still stays with the module
    }

    /// <summary>Precision of the two per-edge products when autograd is off (set through
    /// <see cref="GraphMetanet.InferencePrecision"/>).</summary>
    public ProductPrecision InferencePrecision { get; set; }

    /// <summary>Precision of the two per-edge products when autograd is on (set through
    /// <see cref="GraphMetanet.TrainingPrecision"/>); the weights stay float32 and receive float32 gradients.</summary>
    public ProductPrecision TrainingPrecision { get; set; }

    /// <summary>Run inference's edge pass on the CPU tiles (<see cref="TiledEdgeInference"/>) where they apply (on by default;
    /// set through <see cref="GraphMetanet.TiledInference"/>); off, or where they do not apply, the libtorch composition runs.</summary>
    public bool TiledInference { get; set; } = true;

    /// <summary>The per-edge products' weights in bfloat16, transposed, converted once per block call
    /// (with autograd on the conversion is part of the graph, so the float32 weights get the gradients).</summary>
    private sealed class HalfWeights(Linear fromSelf, Linear residual) : System.IDisposable
    {
        public Tensor FromSelf { get; } = fromSelf.weight!.t().to(bfloat16);
        public Tensor Residual { get; } = residual.weight!.t().to(bfloat16);

        public void Dispose()
        {
            FromSelf.Dispose();
            Residual.Dispose();
        }
    }

    /// <summary>Without autograd (and where the CPU tiles do not run, <see cref="TiledInference"/>), edges are processed in chunks of this many, so inference memory
    /// is bounded by a chunk's temporaries instead of the whole batch's (aggregation is a sum), and
    /// a chunk's temporaries stay in the CPU's caches between the passes over them (16k edges was
    /// the fastest of 2k to 256k for 256 zoo graphs at h = 64). Without autograd the block also
    /// updates the edge states in place: <see cref="BlockState.Edges"/> of its input is consumed.</summary>
    public const int InferenceChunkEdges = 1 << 14;

    /// <summary>Updates the edge states, then the node states and, with a global state, that too.</summary>
    /// <param name="state">The batch and the states after the previous block. Without autograd its
    /// <see cref="BlockState.Edges"/> are overwritten in place (see <see cref="InferenceChunkEdges"/>).</param>
    /// <returns>The new states, for the same batch.</returns>
    public override BlockState forward(BlockState state)
    {
        var batch = state.Batch;
        var x = nodeNorm.forward(state.Nodes);
        var (edges, sums) = UsesTrainingTiles(state.Edges) ? TiledTrainingEdgePass(state, x)
            : UsesTiles(state.Edges) ? TiledEdgePass(state, x) : ComposedEdgePass(state, x);

        var one = Scalars.One;
        // Out of place with autograd: the tiled training pass hands its sums on as leaves, which take no in-place op.
        static Tensor Mean(Tensor sum, Tensor count) => is_grad_enabled() ? sum.div(count.unsqueeze(1)) : sum.div_(count.unsqueeze(1));
        var nodeInput = nodeFromSelf.forward(x).add_(nodeFromIncoming.forward(Mean(sums.Incoming, batch.InDegree)), one);
        if (sums.Outgoing is not null) nodeInput.add_(nodeFromOutgoing!.forward(Mean(sums.Outgoing, batch.OutDegree)), one);
        Tensor? global = state.Global;
        if (global is not null) nodeInput.add_(nodeFromGlobal!.forward(global).index_select(0, batch.NodeGraph), one);
        var nodeUpdate = nodeOut.forward(functional.silu(nodeInput));
        var nodes = state.Nodes.add(nodeResidual.forward(functional.silu(nodeUpdate)), one);

        if (global is not null)
        {
            var pooledNodes = Pooling.MeanPerGraph(nodeUpdate, batch.NodeGraph, batch.NodeCounts, batch.GraphCount);
            var meanEdges = Mean(sums.Pooled!, batch.EdgeCounts.clamp_min(one));
            global = global.add(globalOut!.forward(functional.silu(
                globalFromSelf!.forward(global).add_(globalFromNodes!.forward(pooledNodes), one).add_(globalFromEdges!.forward(meanEdges), one))), one);
        }
        return new BlockState(batch, nodes, edges, global);
    }

    /// <summary>Whether this edge pass runs on the CPU tiles (<see cref="TiledEdgeInference"/>): inference, <see cref="TiledInference"/>
    /// on, float32 products, and edge states the tiles take.</summary>
    private bool UsesTiles(Tensor edges) =>
        TiledInference && !is_grad_enabled() && InferencePrecision == ProductPrecision.Float32 && TiledEdgeInference.Applies(edges);

    /// <summary>Run training's edge pass on the CPU tiles where they apply (on by default; set through
    /// <see cref="GraphMetanet.TiledTraining"/>): only inside <see cref="GraphMetanet"/>'s forward, which records the
    /// passes (<see cref="Tapes"/>) for <see cref="GraphMetanet.Backward"/>; called on its own, the block runs the composition.</summary>
    public bool TiledTraining { get; set; } = true;

    /// <summary>The fewest edge-state values (edges × width) a training edge pass runs on the tiles for (set through
    /// <see cref="GraphMetanet.TiledTrainingMinimumSize"/>).</summary>
    public long TiledTrainingMinimumSize { get; set; } = DefaultTiledTrainingMinimumSize;

    /// <summary>Default of <see cref="TiledTrainingMinimumSize"/>: 2²³ values (32 MiB of float32 edge states).</summary>
    public const long DefaultTiledTrainingMinimumSize = 1L << 23;

    /// <summary>Where a training forward records its tiled edge passes for <see cref="GraphMetanet.Backward"/> (set by the
    /// metanet for the length of its forward; null: no recording, so no tiles in training).</summary>
    internal List<ITiledTape>? Tapes { get; set; }

    /// <summary>Whether this edge pass runs on the tiles with autograd on (<see cref="TiledTraining"/>, float32 products,
    /// edge states the tiles take, at least <see cref="TiledTrainingMinimumSize"/> of them, and a metanet recording the pass).</summary>
    private bool UsesTrainingTiles(Tensor edges) =>
        Tapes is not null && TrainsOnTiles(edges.shape[0], (int)edges.shape[1]) && TiledEdgeInference.Applies(edges);

    /// <summary>Whether a training edge pass over <paramref name="edgeCount"/> float32 CPU edge states of this width, recorded
    /// by the metanet, runs on the tiles (the conditions of <see cref="UsesTrainingTiles"/> that do not need the tensor;
    /// the metanet asks it of the first block to put its edge encoder on tiles too).</summary>
    internal bool TrainsOnTiles(long edgeCount, int width) =>
        TiledTraining && is_grad_enabled() && TrainingPrecision == ProductPrecision.Float32
        && edgeCount * width >= TiledTrainingMinimumSize && EdgeTileKernels.Supports(width) && edgeCount * width * sizeof(float) < int.MaxValue;

    /// <summary>Training on the tiles: the pass runs outside autograd and its outputs are fresh leaves (<see cref="TiledEdgeTape"/>).</summary>
    private (Tensor Edges, EdgeSums Sums) TiledTrainingEdgePass(BlockState state, Tensor x)
    {
        var weights = new EdgePassWeights(edgeFromSelf.weight!, edgeFromSelf.bias!, edgeNorm.weight!, edgeNorm.bias!,
            edgeResidual.weight!, edgeResidual.bias!, nodeFromOutgoing is not null, state.Global is not null);
        // The input edge states are the previous block's tape's leaf, or else (the first block) the encoder's output, which the tape keeps.
        bool fromTape = Tapes!.Count > 0 && ReferenceEquals(Tapes[^1].EdgesOut, state.Edges);
        var tape = new TiledEdgeTape(weights, state.Batch, state.Edges, EndProjections(x), ownsEdgesIn: !fromTape);
        Tapes.Add(tape);
        return (tape.EdgesOut, tape.Sums);
    }

    /// <summary>A's node parts for both ends of every edge, in one product: [nodes, 2h], source part then destination part.</summary>
    private Tensor EndProjections(Tensor x) => functional.linear(x, cat([edgeFromSource.weight!, edgeFromTarget.weight!], 0));

    /// <summary>Inference on the tiles: the edge states are updated in place.</summary>
    private (Tensor Edges, EdgeSums Sums) TiledEdgePass(BlockState state, Tensor x)
    {
        var batch = state.Batch;
        var ends = EndProjections(x);
        var sums = TiledEdgeInference.Run(state.Edges, ends, edgeFromSelf.weight!, edgeFromSelf.bias!, edgeNorm.weight!, edgeNorm.bias!,
            edgeResidual.weight!, edgeResidual.bias!, batch.EdgeIndex[0], batch.EdgeIndex[1], state.Global is null ? null : batch.EdgeGraph,
            batch.NodeCount, batch.GraphCount, nodeFromOutgoing is not null);
        return (state.Edges, sums);
    }

    /// <summary>The edge pass composed of libtorch operations: training, other devices and precisions, and the tiles' oracle.</summary>
    private (Tensor Edges, EdgeSums Sums) ComposedEdgePass(BlockState state, Tensor x)
    {
        var batch = state.Batch;
        long edgeCount = state.Edges.shape[0];
        // A's node parts: one product for both ends, summed with A's bias once per (source, destination)
        // pair (a conv kernel's k² edges share one); each edge gathers its pair's row.
        var ends = EndProjections(x).chunk(2, 1);
        var pairs = batch.EndpointPairs;
        var fromEnds = ends[0].index_select(0, pairs[0]).add_(ends[1].index_select(0, pairs[1]), Scalars.One).add_(edgeFromSelf.bias!, Scalars.One);
        var incoming = zeros_like(x);
        var outgoing = nodeFromOutgoing is null ? null : zeros_like(x);
        var pooledEdges = state.Global is null ? null : zeros(batch.GraphCount, x.shape[1], dtype: x.dtype, device: x.device);

        Tensor edges;
        if (is_grad_enabled())
        {
            using var halfWeights = TrainingPrecision == ProductPrecision.BFloat16 ? new HalfWeights(edgeFromSelf, edgeResidual) : null;
            edges = EdgePass(state, 0, edgeCount, fromEnds, incoming, outgoing, pooledEdges, halfWeights);
        }
        else
        {
            // Inference: chunk by chunk, each edge's new state overwrites its old one.
            edges = state.Edges;
            using var halfWeights = InferencePrecision == ProductPrecision.BFloat16 ? new HalfWeights(edgeFromSelf, edgeResidual) : null;
            for (long start = 0; start < edgeCount; start += InferenceChunkEdges)
            {
                using var scope = NewDisposeScope();
                EdgePass(state, start, System.Math.Min(InferenceChunkEdges, edgeCount - start), fromEnds, incoming, outgoing, pooledEdges, halfWeights);
            }
        }
        return (edges, new EdgeSums(incoming, outgoing, pooledEdges));
    }

    /// <summary>
    /// Edges [start, start + length): computes their hidden features, sums them into the node
    /// aggregates and per-graph sums, and returns their new states (without autograd: written over
    /// the old ones).
    /// </summary>
    private Tensor EdgePass(BlockState state, long start, long length, Tensor fromEnds,
        Tensor incoming, Tensor? outgoing, Tensor? pooledEdges, HalfWeights? half = null)
    {
        var batch = state.Batch;
        bool whole = start == 0 && length == state.Edges.shape[0];
        Tensor Slice(Tensor t) => whole ? t : t.narrow(0, start, length);
        var src = Slice(batch.EdgeIndex[0]);
        var dst = Slice(batch.EdgeIndex[1]);
        var edgeState = Slice(state.Edges);

        // The product accumulates into the gathered pair rows (a fresh tensor: index_select's backward
        // needs only the index), so A's node parts and bias cost one gather and no pass of their own.
        var pre = fromEnds.index_select(0, Slice(batch.EdgeEndpointPair));
        var normalised = edgeNorm.forward(edgeState);
        var one = Scalars.One;
        if (half is null) pre.addmm_(normalised, edgeFromSelf.weight!.t(), 1, 1);
        else pre.add_(normalised.to(bfloat16).mm(half.FromSelf), one);
        var hidden = functional.silu(pre);

        incoming.index_add_(0, dst, hidden, one);
        outgoing?.index_add_(0, src, hidden, one);
        if (pooledEdges is not null)
            pooledEdges.index_add_(0, Slice(batch.EdgeGraph), hidden, one);

        // e + Rₑ a in one product-with-accumulate (addmm), then the bias in place.
        var weight = edgeResidual.weight!.t();
        if (half is not null && is_grad_enabled())
            return hidden.to(bfloat16).mm(half.Residual).to(float32).add_(edgeState, one).add_(edgeResidual.bias!, one);
        if (half is not null) return edgeState.add_(hidden.to(bfloat16).mm(half.Residual), one).add_(edgeResidual.bias!, one);
        if (!is_grad_enabled()) return edgeState.addmm_(hidden, weight, 1, 1).add_(edgeResidual.bias!, one);
        return addmm(edgeState, hidden, weight, 1, 1).add_(edgeResidual.bias!, one);
    }
}

/// <summary>
/// How <see cref="GraphMetanet"/> multiplies the per-edge states by its weights, set apart for
/// inference (<see cref="GraphMetanet.InferencePrecision"/>) and training (<see cref="GraphMetanet.TrainingPrecision"/>).
/// <see cref="BFloat16"/> rounds the products' inputs to bfloat16 (8 significant bits; libtorch
/// accumulates in float32), which CPUs with AVX-512 BF16 or AMX multiply several times faster; outputs
/// then differ from float32 by 0.1 to 0.3 % of their size in the tests (which bound it at 2 %).
/// Node-level maps, norms, activations, aggregation and the weights themselves stay float32.
/// </summary>
public enum ProductPrecision
{
    /// <summary>Every product in float32 (the default, and what training uses).</summary>
    Float32,
    /// <summary>The per-edge products' inputs rounded to bfloat16, accumulated in float32.</summary>
    BFloat16,
}

/// <summary>What flows between blocks: the batch (structure) and the node, edge and graph states.</summary>
public sealed record BlockState(Batching.GraphBatch Batch, Tensor Nodes, Tensor Edges, Tensor? Global);

/// <summary>Per-graph means of node or edge rows.</summary>
public static class Pooling
{
    /// <summary>[graphs, 2·features]: per-graph means, then standard deviations √(E[(x − E[x])²] + 1e-5) (the
    /// small constant keeps the gradient finite where a graph's rows are all alike).</summary>
    /// <remarks>Two passes, centring before squaring: E[x²] − E[x]² cancels catastrophically in float32 on
    /// large graphs (on the 177,842 edges of the test ResNet-18, renumbering the nodes moved it by 1.5e-4).</remarks>
    public static Tensor MeanAndStdPerGraph(Tensor rows, Tensor graphOfRow, Tensor rowsPerGraph, int graphCount)
    {
        var mean = MeanPerGraph(rows, graphOfRow, rowsPerGraph, graphCount);
        var centred = rows.sub(mean.index_select(0, graphOfRow));
        var variance = MeanPerGraph(centred.mul(centred), graphOfRow, rowsPerGraph, graphCount);
        return cat([mean, variance.add(Scalars.Of(1e-5), Scalars.One).sqrt()], 1);
    }

    /// <summary>[graphs, features]: the mean of each graph's rows (0 for a graph without rows).</summary>
    /// <param name="rows">[rows, features].</param>
    /// <param name="graphOfRow">int64 [rows]: the graph (segment) each row belongs to.</param>
    /// <param name="rowsPerGraph">float [graphs]: rows per graph (clamped to at least 1 as the divisor).</param>
    /// <param name="graphCount">Number of graphs.</param>
    public static Tensor MeanPerGraph(Tensor rows, Tensor graphOfRow, Tensor rowsPerGraph, int graphCount) =>
        zeros(graphCount, rows.shape[1], dtype: rows.dtype, device: rows.device)
            .index_add_(0, graphOfRow, rows, Scalars.One).div_(rowsPerGraph.clamp_min(Scalars.One).unsqueeze(1));
}
