using System;
using System.Collections.Generic;
using GmnGen.Graphs;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// The graph metanetwork (Lim et al., ICLR 2024) regressing the property from each network's
/// parameter graph: invariant to the network's neuron permutations by construction, and able to take
/// any mix of architectures. Sized by <see cref="PredictorOptions.Gmn"/>.
/// </summary>
public sealed class GmnPredictor(PredictorOptions? options = null) : RegressionPredictor<ParameterGraph>(options)
{
    /// <summary>"GMN".</summary>
    public override string Name => "GMN";

    private protected override IRegressor<ParameterGraph> CreateRegressor(IReadOnlyList<LabelledGraph> train) => GmnRegressor.Create(train, Options);
}
