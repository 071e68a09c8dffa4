using System;
using System.Collections.Generic;
using GmnGen.Graphs;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// The graph metanetwork (Lim et al., ICLR 2024) regressing the property from each network's
/// parameter graph: invariant to the network's neuron permutations by construction, and able to take
/// any mix of architectures. Sized by <see cref="PredictorOptions.Gmn"/>.
/// </summary>
public sealed class GmnPredictor(PredictorOptions? options = null) : RegressionPredictor<GmnInput>(options)
{
    /// <summary>"GMN".</summary>
    public override string Name => "GMN";

    private protected override IRegressor<GmnInput> CreateRegressor(IReadOnlyList<LabelledGraph> train) => GmnRegressor.Create(train, Options);
}

/// <summary>
/// "GMN + probes": the GMN whose nodes also read what the network does on fixed probe inputs (mean and
/// spread of each neuron's or channel's activation, <see cref="GmnGen.Probes.NodeProbes"/>). It reads
/// more than the weights, so it is reported as a method of its own, beside the probes-only baseline.
/// Every sample needs <see cref="LabelledGraph.Probes"/>.
/// </summary>
public sealed class GmnProbesPredictor(PredictorOptions? options = null) : RegressionPredictor<GmnInput>(options)
{
    /// <summary>"GMN+probes".</summary>
    public override string Name => "GMN+probes";

    private protected override IRegressor<GmnInput> CreateRegressor(IReadOnlyList<LabelledGraph> train) => GmnRegressor.Create(train, Options, probes: true);
}
