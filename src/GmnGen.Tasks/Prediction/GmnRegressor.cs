using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Prediction;

/// <summary>What the GMN reads of one network: its graph and, for "GMN+probes", its nodes' probe features.</summary>
/// <param name="Graph">The network's parameter graph.</param>
/// <param name="NodeProbes">Its <see cref="GmnGen.Probes.ProbeReading.NodeFeatures"/>, or null when the GMN reads weights only.</param>
public sealed record GmnInput(ParameterGraph Graph, float[]? NodeProbes);

/// <summary>The graph metanet as a regressor: graphs are collated per batch onto the metanet's device.</summary>
internal sealed class GmnRegressor : IMixingRegressor<GmnInput>
{
    private readonly double scalingAugmentation;
    /// <summary>Draws the augmentation's factors: seeded, so that a fit depends on its seed alone.</summary>
    private readonly Generator? augmentation;
    private readonly MixupPartners? mixup;
    private readonly double mixupProbability;
    /// <summary>Draws which rows are mixed and their λ (seeded, like the rest of a fit).</summary>
    private readonly Random mixupDraws;

    private GmnRegressor(GraphMetanet metanet, double scalingAugmentation, long seed, MixupPartners? mixup, double mixupProbability)
    {
        Metanet = metanet;
        this.scalingAugmentation = scalingAugmentation;
        if (scalingAugmentation > 1) augmentation = new Generator(unchecked((ulong)seed) ^ 0x5CA1EUL);
        this.mixup = mixup;
        this.mixupProbability = mixupProbability;
        mixupDraws = new Random(unchecked((int)seed ^ 0x3A1C));
    }

    public GraphMetanet Metanet { get; }

    public nn.Module Module => Metanet;

    /// <summary>Whether the metanet also reads each node's probe features (<see cref="GmnConfig.ProbeFeatures"/>).</summary>
    private bool ReadsProbes => Metanet.Config.ProbeFeatures > 0;

    /// <summary>A seeded metanet whose edge-value normalisation is fitted on the training graphs only; with
    /// <paramref name="probes"/> its nodes also read the probe features every sample must carry.</summary>
    /// <exception cref="ArgumentException">Probes asked for with scaling augmentation or MixUp on: both change a
    /// network's activations, and the stored probe features would no longer belong to the graph.</exception>
    public static GmnRegressor Create(IReadOnlyList<LabelledGraph> train, PredictorOptions options, bool probes = false)
    {
        if (probes && (options.GmnScalingAugmentation > 1 || options.GmnWeightMixup > 0))
            throw new ArgumentException("GMN+probes: scaling augmentation and weight MixUp change the networks' activations, which the stored probe features describe; turn them off (--gmn-scaling-augmentation 1, --gmn-weight-mixup 0).");
        var config = options.GmnFor(train.Count);
        if (probes) config = config with { ProbeFeatures = GmnGen.Probes.NodeProbes.FeaturesPerNode };
        var metanet = new GraphMetanet(config) { TrainingPrecision = options.GmnTrainingPrecision };
        SeededInitialisation.Apply(metanet, options.Seed);
        metanet.SeedAugmentation(options.Seed);
        metanet.FitValueNormalization(train.Select(s => s.Graph));
        metanet.to(options.Device);
        var mixup = options.GmnWeightMixup > 0 ? MixupPartners.Build(train.Select(s => s.Graph).ToList(), options.Seed) : null;
        return new GmnRegressor(metanet, options.GmnScalingAugmentation, options.Seed, mixup, options.GmnWeightMixup);
    }

    public GmnInput Encode(LabelledGraph sample) => new(sample.Graph, !ReadsProbes ? null
        : sample.Probes?.NodeFeatures ?? throw new ArgumentException($"GMN+probes: sample '{sample.Id}' has no probe reading (load the zoo with probe inputs)."));

    /// <summary>Through <see cref="GraphMetanet.Backward"/>, which also takes the gradients of edge passes run on the CPU tiles.</summary>
    public void Backward(Tensor loss) => Metanet.Backward(loss);

    public Tensor Forward(IReadOnlyList<GmnInput> inputs)
    {
        if (ReadsProbes) return Predict(inputs.Select(i => i.Graph).ToList(), inputs.Select(i => i.NodeProbes!).ToList());
        var batch = inputs.Select(i => i.Graph).ToList();
        if (augmentation is null || !Metanet.training) return Predict(batch);
        var scaled = batch.Select(g => g.Topology.Layout.Symmetries is { Scalings.Count: > 0 } ? g.RandomlyScaled(scalingAugmentation, augmentation) : g).ToList();
        try
        {
            return Predict(scaled);
        }
        finally
        {
            for (int i = 0; i < scaled.Count; i++)
                if (!ReferenceEquals(scaled[i], batch[i])) scaled[i].Dispose();
        }
    }

    public (Tensor Predicted, int[] Partner, float[] Lambda) ForwardTraining(IReadOnlyList<int> rows, IReadOnlyList<GmnInput> inputs)
    {
        var partner = Enumerable.Repeat(-1, rows.Count).ToArray();
        var lambda = new float[rows.Count];
        if (mixup is null) return (Forward(inputs), partner, lambda);
        var mixed = new GmnInput[rows.Count];
        for (int k = 0; k < rows.Count; k++)
        {
            mixed[k] = inputs[k];
            if (mixup.Partner[rows[k]] < 0 || mixupDraws.NextDouble() >= mixupProbability) continue;
            partner[k] = mixup.Partner[rows[k]];
            lambda[k] = (float)mixupDraws.NextDouble();
            mixed[k] = inputs[k] with { Graph = inputs[k].Graph.Interpolated(mixup.Aligned(rows[k])!, lambda[k]) };
        }
        try
        {
            return (Forward(mixed), partner, lambda);
        }
        finally
        {
            for (int k = 0; k < rows.Count; k++)
                if (!ReferenceEquals(mixed[k], inputs[k])) mixed[k].Graph.Dispose();
        }
    }

    private Tensor Predict(IReadOnlyList<ParameterGraph> batch, IReadOnlyList<float[]>? nodeProbes = null)
    {
        // The batch's tensors can go as soon as the forward pass has run: autograd keeps its own references.
        using var graphs = GraphBatch.Collate(batch, Metanet.Device, nodeProbes);
        return Metanet.forward(graphs).reshape(-1);
    }

    public void Dispose()
    {
        mixup?.Dispose();
        augmentation?.Dispose();
        Metanet.Dispose();
    }
}
