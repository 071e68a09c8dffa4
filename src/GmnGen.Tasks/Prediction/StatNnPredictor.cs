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
