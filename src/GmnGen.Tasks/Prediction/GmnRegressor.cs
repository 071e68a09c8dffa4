using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Prediction;

/// <summary>The graph metanet as a regressor: graphs are collated per batch onto the metanet's device.</summary>
internal sealed class GmnRegressor : IRegressor<ParameterGraph>
{
    private readonly double scalingAugmentation;
    /// <summary>Draws the augmentation's factors: seeded, so that a fit depends on its seed alone.</summary>
    private readonly Generator? augmentation;

    private GmnRegressor(GraphMetanet metanet, double scalingAugmentation, long seed)
    {
        Metanet = metanet;
        this.scalingAugmentation = scalingAugmentation;
        if (scalingAugmentation > 1) augmentation = new Generator(unchecked((ulong)seed) ^ 0x5CA1EUL);
    }

    public GraphMetanet Metanet { get; }

    public nn.Module Module => Metanet;

    /// <summary>A seeded metanet whose edge-value normalisation is fitted on the training graphs only.</summary>
    public static GmnRegressor Create(IReadOnlyList<LabelledGraph> train, PredictorOptions options)
    {
        var metanet = new GraphMetanet(options.GmnFor(train.Count)) { TrainingPrecision = options.GmnTrainingPrecision };
        SeededInitialisation.Apply(metanet, options.Seed);
        metanet.SeedAugmentation(options.Seed);
        metanet.FitValueNormalization(train.Select(s => s.Graph));
        metanet.to(options.Device);
        return new GmnRegressor(metanet, options.GmnScalingAugmentation, options.Seed);
    }

    public ParameterGraph Encode(LabelledGraph sample) => sample.Graph;

    public Tensor Forward(IReadOnlyList<ParameterGraph> batch)
    {
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

    private Tensor Predict(IReadOnlyList<ParameterGraph> batch)
    {
        // The batch's tensors can go as soon as the forward pass has run: autograd keeps its own references.
        using var graphs = GraphBatch.Collate(batch, Metanet.Device);
        return Metanet.forward(graphs).reshape(-1);
    }

    public void Dispose()
    {
        augmentation?.Dispose();
        Metanet.Dispose();
    }
}
