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
    private GmnRegressor(GraphMetanet metanet) => Metanet = metanet;

    public GraphMetanet Metanet { get; }

    public nn.Module Module => Metanet;

    /// <summary>A seeded metanet whose edge-value normalisation is fitted on the training graphs only.</summary>
    public static GmnRegressor Create(IReadOnlyList<LabelledGraph> train, PredictorOptions options)
    {
        var metanet = new GraphMetanet(options.Gmn);
        SeededInitialisation.Apply(metanet, options.Seed);
        metanet.SeedAugmentation(options.Seed);
        metanet.FitValueNormalization(train.Select(s => s.Graph));
        metanet.to(options.Device);
        return new GmnRegressor(metanet);
    }

    public ParameterGraph Encode(LabelledGraph sample) => sample.Graph;

    public Tensor Forward(IReadOnlyList<ParameterGraph> batch)
    {
        // The batch's tensors can go as soon as the forward pass has run: autograd keeps its own references.
        using var graphs = GraphBatch.Collate(batch, Metanet.Device);
        return Metanet.forward(graphs).reshape(-1);
    }

    public void Dispose() => Metanet.Dispose();
}
