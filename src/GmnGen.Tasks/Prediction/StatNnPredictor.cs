using System;
using System.Collections.Generic;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// The StatNN baseline (Unterthiner et al. 2020, "Predicting Neural Network Accuracy from Weights"):
/// the mean, variance and five quantiles of every state tensor, concatenated in layer order, into an
/// MLP (<see cref="PredictorOptions.StatNnLayers"/> hidden layers of <see cref="PredictorOptions.StatNnHidden"/>).
/// Networks with fewer tensors than the largest training network are zero-padded, with a flag per slot.
/// </summary>
public sealed class StatNnPredictor(PredictorOptions? options = null) : RegressionPredictor<float[]>(options)
{
    /// <summary>"StatNN".</summary>
    public override string Name => "StatNN";

    private protected override IRegressor<float[]> CreateRegressor(IReadOnlyList<LabelledGraph> train) => StatNnRegressor.Create(train, Options);
}

/// <summary>
/// The probes-only baseline beside "GMN+probes": an MLP (StatNN's sizes) on the network's softmax outputs
/// for the probe inputs, without its weights. It shows what the probes alone are worth. Every sample
/// needs <see cref="LabelledGraph.Probes"/>.
/// </summary>
public sealed class ProbesPredictor(PredictorOptions? options = null) : RegressionPredictor<float[]>(options)
{
    /// <summary>"Probes".</summary>
    public override string Name => "Probes";

    private protected override IRegressor<float[]> CreateRegressor(IReadOnlyList<LabelledGraph> train) =>
        StatNnRegressor.Create(ProbeOutputFeatures.Fit(train), Options);
}
