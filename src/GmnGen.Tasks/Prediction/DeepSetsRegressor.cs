using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Prediction;

/// <summary>DeepSets over all parameters as a regressor; graphs are concatenated per batch.</summary>
internal sealed class DeepSetsRegressor : IRegressor<ParameterGraph>
{
    private readonly DeepSetsNetwork network;

    private DeepSetsRegressor(DeepSetsNetwork network) => this.network = network;

    public nn.Module Module => network;

    /// <summary>A seeded network whose value standardisation is fitted on the training graphs only.</summary>
    public static DeepSetsRegressor Create(IReadOnlyList<LabelledGraph> train, PredictorOptions options)
    {
        var network = new DeepSetsNetwork(options.DeepSetsHidden, options.DeepSetsLayers, options.DeepSetsTypeEmbedding);
        SeededInitialisation.Apply(network, options.Seed);
        network.FitValueNormalization(train.Select(s => s.Graph));
        network.to(options.Device);
        return new DeepSetsRegressor(network);
    }

    public ParameterGraph Encode(LabelledGraph sample) => sample.Graph;

    public Tensor Forward(IReadOnlyList<ParameterGraph> batch) => network.forward(batch).reshape(-1);

    public void Dispose() => network.Dispose();
}
