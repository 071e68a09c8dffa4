using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GmnGen.Metanet;

/// <summary>
/// The graph metanetwork (Lim et al., ICLR 2024): encodes the nodes and edges of parameter graphs,
/// runs <see cref="GmnConfig.Blocks"/> message-passing blocks, pools each graph and maps it to
/// <see cref="GmnConfig.Outputs"/> raw outputs (apply a sigmoid for a probability such as accuracy).
/// Hidden neurons carry no identity (order -1) and every operation is per node, per edge or a mean,
/// so the output is invariant to the graph automorphisms the generator emits.
/// </summary>
public sealed class GraphMetanet : Module<GraphBatch, Tensor>
{
    // Scales that bring integer features to the range the sinusoidal encoders start in.
    internal const double LayerScale = 1.0 / 8, OrderScale = 1.0 / 32, PositionScale = 1.0 / 4;

    private readonly ScalarEncoder nodeScalars, edgeScalars;
    private readonly Embedding nodeType, activation, edgeType;
    private readonly Linear nodeIn, edgeFromStatic, edgeFromValue;
    private readonly Linear? probeIn;
    private readonly ModuleList<MessagePassingBlock> blocks;
    private readonly Parameter? globalInit;
    private readonly LayerNorm readoutNorm;
    private readonly Linear readoutHidden, readoutOut;
    /// <summary>Per edge type mean and standard deviation of edge values (see <see cref="FitValueNormalization"/>).</summary>
    private readonly Tensor value_mean, value_std;

    /// <summary>A freshly initialised metanet (each block starting as the identity) with value normalisation
    /// still the identity (mean 0, std 1 per edge type) until <see cref="FitValueNormalization"/>.</summary>
    /// <param name="config">The hyper-parameters; validated first (<see cref="GmnConfig.Validate"/>).</param>
    public GraphMetanet(GmnConfig config) : base(nameof(GraphMetanet))
    {
        config.Validate();
        Config = config;
        int h = config.Hidden, d = config.ScalarEncoding;
        nodeScalars = new ScalarEncoder(2, d);        // layer, order
        edgeScalars = new ScalarEncoder(4, d);        // layer, pos0, pos1, pos2
        valueScalars = new ScalarEncoder(1, 4 * d);   // the (normalised) weight value gets a wider code
        nodeType = Embedding(config.NodeTypes, d);
        activation = Embedding(config.Activations, d);
        edgeType = Embedding(config.EdgeTypes, d);
        nodeIn = Linear(4 * d, h);
        if (config.ProbeFeatures > 0) probeIn = Linear(config.ProbeFeatures, h, hasBias: false);
        edgeFromStatic = Linear(5 * d, h);
        edgeFromValue = Linear(4 * d, h, hasBias: false);
        blocks = new ModuleList<MessagePassingBlock>(Enumerable.Range(0, config.Blocks)
            .Select(_ => new MessagePassingBlock(h, config.ReverseEdges, config.GlobalFeature)).ToArray());
        if (config.GlobalFeature) globalInit = new Parameter(zeros(h));
        // The readout sees the pooled states and, with GlobalFeature, the final global state.
        int moments = config.PoolStandardDeviation ? 2 : 1;
        int pooled = (config.Readout == Readout.NodesAndEdges ? 2 * h : h) * moments + (config.GlobalFeature ? h : 0)
                     + 2 * h * moments * config.ReadoutLayers;   // per-layer slots of node and edge states
        readoutNorm = LayerNorm(pooled);
        // The value statistics skip the LayerNorm: they are squashed already, and their zeros (kinds a
        // layer does not have) would skew the norm of the pooled states.
        int statistics = config.ReadoutValueStatistics ? ValueStatistics.Width(StatisticsSlots) : 0;
        readoutHidden = Linear(pooled + statistics, h);
        readoutOut = Linear(h, config.Outputs);
        value_mean = zeros(config.EdgeTypes);
        value_std = ones(config.EdgeTypes);
        RegisterComponents();
        ModuleOwnership.OwnState(this);   // built inside a caller's dispose scope, the state still stays with the module
    }

    private readonly ScalarEncoder valueScalars;
    private Generator? augmentation;

    /// <summary>Seeds the generator of <see cref="GmnConfig.ValueNoise"/> and <see cref="GmnConfig.ValueDropout"/> (without it, torch's global
    /// generator draws, which other code may share).</summary>
    public void SeedAugmentation(long seed)
    {
        augmentation?.Dispose();
        augmentation = new Generator(unchecked((ulong)seed));
    }

    /// <summary>Disposes the augmentation generator (<see cref="SeedAugmentation"/>), then the module.</summary>
    protected override void Dispose(bool disposing)
    {
        pendingTapes.Dispose();
        augmentation?.Dispose();
        augmentation = null;
        base.Dispose(disposing);
    }

    /// <summary>The hyper-parameters the metanet was built with.</summary>
    public GmnConfig Config { get; }

    /// <summary>
    /// Precision of the per-edge products in inference (under <c>torch.no_grad()</c>): float32 by
    /// default; <see cref="ProductPrecision.BFloat16"/> trades ~1 % of the output's size for
    /// speed on CPUs with AVX-512 BF16 (docs/benchmarks.md).
    /// </summary>
    public ProductPrecision InferencePrecision
    {
        get => inferencePrecision;
        set
        {
            inferencePrecision = value;
            foreach (var block in blocks) block.InferencePrecision = value;
        }
    }

    /// <summary>
    /// Precision of the per-edge products when autograd is on (training): float32 by default;
    /// <see cref="ProductPrecision.BFloat16"/> multiplies in bfloat16 forward and backward, while the
    /// weights, their gradients, the optimiser and everything outside the products stay float32.
    /// </summary>
    public ProductPrecision TrainingPrecision
    {
        get => trainingPrecision;
        set
        {
            trainingPrecision = value;
            foreach (var block in blocks) block.TrainingPrecision = value;
        }
    }
    private ProductPrecision trainingPrecision;

    /// <summary>
    /// Run inference's edge passes (under <c>torch.no_grad()</c>, float32 products) on CPU tiles of 16 edges that stay in
    /// the CPU's caches, where the CPU has AVX-512 and <see cref="GmnConfig.Hidden"/> is a multiple of 64: the same function
    /// as the libtorch composition, without its E × h intermediates (docs/benchmarks.md). On by default; off runs the
    /// composition everywhere. Training has its own switch, <see cref="TiledTraining"/>.
    /// </summary>
    public bool TiledInference
    {
        get => tiledInference;
        set
        {
            tiledInference = value;
            foreach (var block in blocks) block.TiledInference = value;
        }
    }
    private bool tiledInference = true;

    /// <summary>
    /// Run training's edge passes (autograd on, float32 products) on the same CPU tiles as <see cref="TiledInference"/>, forward
    /// and backward, where they apply and the batch is large enough for them to pay (<see cref="TiledTrainingMinimumSize"/>): the passes are cut out of the autograd graph, so gradients must be taken with
    /// <see cref="Backward"/>, not <c>loss.backward()</c> (the next training forward throws where <c>loss.backward()</c> reached a cut). On by
    /// default; off, training runs the libtorch composition and <c>loss.backward()</c> works as well. Only in training mode
    /// (<c>train()</c>): in <c>eval()</c> mode a forward with autograd on runs the composition.
    /// </summary>
    public bool TiledTraining
    {
        get => tiledTraining;
        set
        {
            tiledTraining = value;
            foreach (var block in blocks) block.TiledTraining = value;
        }
    }
    private bool tiledTraining = true;

    /// <summary>
    /// The fewest edge-state values (edges in the batch × <see cref="GmnConfig.Hidden"/>) for which <see cref="TiledTraining"/>
    /// runs a training edge pass on the tiles (default 2²³, 32 MiB of float32); smaller batches run the composition. The tiles
    /// pay by not writing the composition's E × h intermediates to memory: on an Ice Lake Xeon they were 5 to 17 % slower
    /// than the composition for 8 ZooCnn graphs (2.5 and 5.1 million values at h = 64 and 128), whose intermediates mostly
    /// stay in the caches, and faster from 32 graphs at h = 64 (10.2 million) up (docs/benchmarks.md). 0 tiles every size.
    /// </summary>
    public long TiledTrainingMinimumSize
    {
        get => tiledTrainingMinimumSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            tiledTrainingMinimumSize = value;
            foreach (var block in blocks) block.TiledTrainingMinimumSize = value;
        }
    }
    private long tiledTrainingMinimumSize = MessagePassingBlock.DefaultTiledTrainingMinimumSize;

    /// <summary>The training forwards' tiled edge passes until <see cref="Backward"/> takes their gradients.</summary>
    private readonly PendingTapes pendingTapes = new();

    /// <summary>
    /// Backpropagates <paramref name="loss"/> into the metanet's (and anything else's) <c>.grad</c>, as <c>loss.backward()</c>
    /// does, including through the edge passes that ran on the CPU tiles (<see cref="TiledTraining"/>): autograd first, then
    /// each tiled pass's backward from the last block to the first, each handing its input gradients back to autograd.
    /// Call it instead of <c>loss.backward()</c>; the loss may combine several training forwards (up to
    /// 16 since the last call). Forwards the loss did not reach are dropped. Without tiled passes it is
    /// <c>loss.backward()</c>.
    /// </summary>
    /// <param name="loss">A scalar computed from this metanet's training forwards since the last <see cref="Backward"/>.</param>
    public void Backward(Tensor loss) => pendingTapes.Backward(loss);

    /// <summary>Whether this CPU runs <see cref="TiledInference"/> for a metanet of this width (AVX-512F, and a width that
    /// is a multiple of 64 up to 2048); elsewhere inference runs the libtorch composition.</summary>
    public static bool TiledInferenceSupported(int hidden) => EdgeTileKernels.Supports(hidden);

    private ProductPrecision inferencePrecision;

    /// <summary>Number of trainable parameter values (the value-normalisation buffers not included).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>The device the metanet's weights are on (where <see cref="Predict"/> collates its graphs).</summary>
    public Device Device => readoutOut.weight!.device;

    /// <summary>Runs the metanet on a collated batch (on the metanet's device).</summary>
    /// <param name="batch">The graphs, collated by <see cref="GraphBatch.Collate"/>.</param>
    /// <returns>float32 <c>[graphs, Outputs]</c>: raw outputs, one row per graph in batch order.</returns>
    public override Tensor forward(GraphBatch batch)
    {
        // Every temporary dies with this scope, whatever the caller's scopes (autograd keeps what
        // the backward pass needs on its own); only the result leaves.
        using var forwardScope = NewDisposeScope();
        RequireFittedValueNormalization();
        bool recording = training && is_grad_enabled() && tiledTraining;
        if (recording) pendingTapes.CheckBeforeForward();
        var tapes = recording ? pendingTapes.StartForward() : null;
        try
        {
            var output = Run(batch, tapes);
            if (tapes is not null) pendingTapes.EndForward(tapes);
            return output;
        }
        catch
        {
            if (tapes is not null) pendingTapes.Discard(tapes);
            throw;
        }
    }

    /// <summary>The forward pass; a training forward's tiled edge passes go to <paramref name="tapes"/> (null: none recorded).</summary>
    private Tensor Run(GraphBatch batch, List<ITiledTape>? tapes)
    {
        var state = new BlockState(batch, EncodeNodes(batch), EncodeEdges(batch, tapes),
            globalInit?.unsqueeze(0).expand(batch.GraphCount, -1));
        foreach (var block in blocks)
        {
            block.Tapes = tapes;
            // Free a block's edge-sized temporaries as soon as it is done (autograd keeps what the
            // backward pass needs on its own).
            using var scope = NewDisposeScope();
            var previous = state;
            state = block.forward(state);
            // New states move out to this forward pass's scope. In inference the edge states are
            // updated in place and already live there: moving them "outer" would hand them to the
            // caller's scope or to none, and TorchSharp's MoveToOther(own scope) detaches a tensor
            // but leaves it pointing at the scope, which makes its finalizer throw.
            KeepInForwardScope(state.Nodes, previous.Nodes);
            KeepInForwardScope(state.Edges, previous.Edges);
            if (state.Global is not null) KeepInForwardScope(state.Global, previous.Global);
        }
        foreach (var block in blocks) block.Tapes = null;
        Tensor Pool(Tensor rows, Tensor graphOfRow, Tensor rowsPerGraph) => Config.PoolStandardDeviation
            ? Pooling.MeanAndStdPerGraph(rows, graphOfRow, rowsPerGraph, batch.GraphCount)
            : Pooling.MeanPerGraph(rows, graphOfRow, rowsPerGraph, batch.GraphCount);
        var pooled = Config.Readout switch
        {
            Readout.Edges => Pool(state.Edges, batch.EdgeGraph, batch.EdgeCounts),
            Readout.Nodes => Pool(state.Nodes, batch.NodeGraph, batch.NodeCounts),
            _ => cat([Pool(state.Nodes, batch.NodeGraph, batch.NodeCounts), Pool(state.Edges, batch.EdgeGraph, batch.EdgeCounts)], 1),
        };
        if (state.Global is not null) pooled = cat([pooled, state.Global], 1);
        if (Config.ReadoutLayers > 0)
            pooled = cat([pooled, PoolPerLayer(state.Nodes, batch.NodeGraph, batch.NodeFeatures[.., 0], batch.GraphCount),
                          PoolPerLayer(state.Edges, batch.EdgeGraph, batch.EdgeFeatures[.., 0], batch.GraphCount)], 1);
        var readIn = readoutNorm.forward(pooled);
        if (Config.ReadoutValueStatistics) readIn = cat([readIn, ValueStatisticsOf(batch)], 1);
        return readoutOut.forward(functional.silu(readoutHidden.forward(readIn))).MoveToOuterDisposeScope();
    }

    private int StatisticsSlots => Math.Max(1, Config.ReadoutLayers);

    /// <summary>float [E]: the batch's edge values as the metanet reads them before standardising: times √fan-in
    /// with <see cref="GmnConfig.FanInScaledValues"/> (the one place that decides it, for the encoder and the statistics).</summary>
    private Tensor RawValues(GraphBatch batch, Tensor edgeType) => Config.FanInScaledValues
        ? batch.EdgeValues.mul(FanInScale.PerEdge(batch.EdgeIndex, edgeType, batch.NodeCount))
        : batch.EdgeValues;

    /// <summary>[graphs, statistics]: <see cref="ValueStatistics.PerGraph"/> of the batch's standardised edge values.</summary>
    private Tensor ValueStatisticsOf(GraphBatch batch)
    {
        var f = batch.StaticEdgeFeatures;
        var row = batch.EdgeStaticRow;
        var layer = f[.., 0].index_select(0, row);
        var type = f[.., 1].index_select(0, row);
        var value = RawValues(batch, type).sub(value_mean.index_select(0, type)).div_(value_std.index_select(0, type));
        return ValueStatistics.PerGraph(value, type, layer, batch.EdgeGraph, batch.GraphCount, StatisticsSlots);
    }

    /// <summary>[graphs, ReadoutLayers · moments · features]: each graph's rows pooled per layer slot
    /// (a permutation moves rows only within their layer, so this is as invariant as the per-graph pool).</summary>
    private Tensor PoolPerLayer(Tensor rows, Tensor graphOfRow, Tensor layerOfRow, int graphCount)
    {
        int slots = Config.ReadoutLayers;
        using var lastSlot = ((long)slots - 1).ToScalar();
        using var slotCount = ((long)slots).ToScalar();
        using var firstSlot = 0L.ToScalar();
        using var one = 1L.ToScalar();   // integer alpha: the float Scalars.One does not apply to int64 indices
        var segment = graphOfRow.mul(slotCount).add_(layerOfRow.clamp(firstSlot, lastSlot), one);
        var counts = zeros(graphCount * slots, dtype: rows.dtype, device: rows.device)
            .index_add_(0, segment, ones(rows.shape[0], dtype: rows.dtype, device: rows.device), Scalars.One);
        var pooled = Config.PoolStandardDeviation
            ? Pooling.MeanAndStdPerGraph(rows, segment, counts, graphCount * slots)
            : Pooling.MeanPerGraph(rows, segment, counts, graphCount * slots);
        return pooled.reshape(graphCount, -1);
    }

    private static void KeepInForwardScope(Tensor next, Tensor? previous)
    {
        if (!ReferenceEquals(next, previous)) next.MoveToOuterDisposeScope();
    }

    /// <summary>Convenience: collates the graphs onto this metanet's device and runs it.</summary>
    /// <param name="graphs">The graphs, in output order.</param>
    /// <param name="nodeProbes">Per graph, its probe features (<see cref="Probes.ProbeReading.NodeFeatures"/>) when
    /// <see cref="GmnConfig.ProbeFeatures"/> is on.</param>
    public Tensor Predict(IReadOnlyList<ParameterGraph> graphs, IReadOnlyList<float[]>? nodeProbes = null)
    {
        using var batch = GraphBatch.Collate(graphs, Device, nodeProbes);
        return forward(batch);
    }

    private Tensor EncodeNodes(GraphBatch batch)
    {
        var f = batch.NodeFeatures;
        var scalars = stack([f[.., 0].to(float32).mul(Scalars.Of(LayerScale)), f[.., 1].to(float32).mul(Scalars.Of(OrderScale))], 1);
        var code = nodeIn.forward(cat([nodeScalars.forward(scalars), nodeType.forward(f[.., 2]), activation.forward(f[.., 3])], 1));
        if (probeIn is null) return code;
        var probes = batch.NodeProbes
            ?? throw new InvalidOperationException($"GraphMetanet: this metanet reads {Config.ProbeFeatures} probe features per node (GmnConfig.ProbeFeatures), the batch has none: collate it with GraphBatch.Collate(graphs, device, nodeProbes).");
        if (probes.shape[1] != Config.ProbeFeatures)
            throw new InvalidOperationException($"GraphMetanet: the batch has {probes.shape[1]} probe features per node, the metanet reads {Config.ProbeFeatures}.");
        // Activations range over orders of magnitude across networks: a signed log keeps their sign and
        // order and tames the scale (per node, so it touches no symmetry).
        var squashed = probes.sign().mul(probes.abs().log1p());
        return code.add_(probeIn.forward(squashed), Scalars.One);
    }

    /// <summary>
    /// The edge code is one linear map of [value code, layer and position codes, type embedding],
    /// split in two: the static part depends on the architecture alone, so it is computed once per
    /// distinct architecture's edges (<see cref="GraphBatch.StaticEdgeFeatures"/>) and gathered; only the
    /// value part is computed per edge, fused with the gather's sum in one product-with-accumulate.
    /// </summary>
    /// <param name="batch">The batch.</param>
    /// <param name="tapes">Where a training forward records its tiled pieces: where the first block's edge pass runs on the
    /// tiles, the encoder does too (<see cref="EdgeEncoderTape"/>), its output the block's input. Null: no recording.</param>
    private Tensor EncodeEdges(GraphBatch batch, List<ITiledTape>? tapes)
    {
        var f = batch.StaticEdgeFeatures;
        var row = batch.EdgeStaticRow;
        var type = f[.., 1];
        var scalars = cat([f[.., 0..1].to(float32).mul(Scalars.Of(LayerScale)), f[.., 2..5].to(float32).mul(Scalars.Of(PositionScale))], 1);
        var staticCode = edgeFromStatic.forward(cat([edgeScalars.forward(scalars), edgeType.forward(type)], 1));
        var raw = RawValues(batch, type.index_select(0, row));
        if (training && is_grad_enabled() && Config.ValueDropout > 0)
        {
            using var dropRate = Config.ValueDropout.ToScalar();
            raw = raw.mul(rand(raw.shape, dtype: raw.dtype, device: raw.device, generator: augmentation).ge_(dropRate));
        }
        var value = (raw - value_mean.index_select(0, type).index_select(0, row))
                    / value_std.index_select(0, type).index_select(0, row);
        if (training && is_grad_enabled() && Config.ValueNoise > 0)
        {
            using var sigma = Config.ValueNoise.ToScalar();
            value = value.add(randn(value.shape, dtype: value.dtype, device: value.device, generator: augmentation), sigma);
        }
        var fromValue = edgeFromValue.weight!.t();
        bool grad = is_grad_enabled();
        using var fromValueHalf = (grad ? trainingPrecision : inferencePrecision) == ProductPrecision.BFloat16 ? fromValue.to(bfloat16) : null;
        if (grad && fromValueHalf is not null)
            return valueScalars.forward(value.unsqueeze(1)).to(bfloat16).mm(fromValueHalf).to(float32).add_(staticCode.index_select(0, row), Scalars.One);
        if (grad && tapes is not null && EncoderTilesTake(value) && blocks[0].TrainsOnTiles(value.shape[0], Config.Hidden))
        {
            var tape = new EdgeEncoderTape(value, row, staticCode, valueScalars.Frequency, valueScalars.Phase, edgeFromValue.weight!);
            tapes.Add(tape);
            return tape.EdgesOut;
        }
        if (grad)
            return addmm(staticCode.index_select(0, row), valueScalars.forward(value.unsqueeze(1)), fromValue, 1, 1);

        // Inference on the tiles, where the blocks' edge passes run there: the code never leaves a tile.
        if (fromValueHalf is null && TiledInference && EncoderTilesTake(value))
            return EdgeEncoderTape.Encode(value, row, staticCode, valueScalars.Frequency, valueScalars.Phase, edgeFromValue.weight!);

        // Inference: the static codes gathered straight into the edge states, then the value codes added
        // in chunks, as the blocks do, so the E × 4d value code never exists whole.
        long edgeCount = row.shape[0];
        var edges = staticCode.index_select(0, row);
        for (long start = 0; start < edgeCount; start += MessagePassingBlock.InferenceChunkEdges)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(MessagePassingBlock.InferenceChunkEdges, edgeCount - start);
            var target = edges.narrow(0, start, length);
            var valueCode = valueScalars.forward(value.narrow(0, start, length).unsqueeze(1));
            if (fromValueHalf is null) target.addmm_(valueCode, fromValue, 1, 1);
            else target.add_(valueCode.to(bfloat16).mm(fromValueHalf), Scalars.One);
        }
        return edges;
    }

    /// <summary>Whether the encoder's tiles can take these values: float32 on the CPU, a width the kernels take and a value code
    /// a multiple of 64 wide. Training then also asks the first block (<see cref="MessagePassingBlock.TrainsOnTiles"/>), inference
    /// <see cref="TiledInference"/>: the encoder runs on the tiles where the first edge pass does.</summary>
    private bool EncoderTilesTake(Tensor value) =>
        blocks.Count > 0 && value.device_type == DeviceType.CPU && value.dtype == ScalarType.Float32
        && EdgeEncoderKernels.Supports(4 * Config.ScalarEncoding, Config.Hidden);

    /// <summary>
    /// Weight values differ in scale by orders of magnitude across parameter kinds (a BatchNorm
    /// running variance versus a conv weight), and metanets fail to train on raw values. Each edge
    /// type's values are standardised with the mean and standard deviation seen in these (training)
    /// graphs: a per-type affine map, so it keeps every network's own scale information and does not
    /// touch any symmetry. Stored with the metanet's weights.
    /// </summary>
    public void FitValueNormalization(IEnumerable<ParameterGraph> graphs) =>
        EdgeValueNormalization.Fit(graphs, value_mean, value_std, Config.FanInScaledValues ? FanInScale.ScaledValues : null);

    private bool valueNormalizationChecked;

    /// <summary>A metanet never fitted would take raw weights, orders of magnitude apart across parameter
    /// kinds, and train badly without a word: it says so instead. Fitted or loaded statistics are never
    /// all exactly 0 and 1, so the first forward checks once.</summary>
    private void RequireFittedValueNormalization()
    {
        if (valueNormalizationChecked) return;
        using var _ = no_grad();
        bool untouched = value_mean.eq(Scalars.Zero).all().item<bool>() && value_std.eq(Scalars.One).all().item<bool>();
        if (untouched)
            throw new InvalidOperationException(
                "GraphMetanet: its edge-value normalisation was never fitted (every edge type still has mean 0 and std 1), so raw weights " +
                "would go in. Call FitValueNormalization(trainingGraphs) before the first forward, or load a metanet saved after fitting (MetanetCheckpoint.Load).");
        valueNormalizationChecked = true;
    }
}
