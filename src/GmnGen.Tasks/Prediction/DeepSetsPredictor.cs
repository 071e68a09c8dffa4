using System;
using System.Collections.Generic;
using GmnGen.Graphs;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// The DeepSets baseline over all parameters (Zaheer et al. 2017; the GMN paper's set baseline):
/// each parameter is a set element (its value standardised per edge type, and a learned type
/// embedding), encoded by phi, mean-pooled per network and mapped by rho to the prediction. Invariant
/// to every permutation of the parameters, so to neuron permutations too, but blind to the wiring.
/// Sized by <see cref="PredictorOptions.DeepSetsHidden"/> and <see cref="PredictorOptions.DeepSetsLayers"/>.
/// </summary>
public sealed class DeepSetsPredictor(PredictorOptions? options = null) : RegressionPredictor<ParameterGraph>(options)
{
    /// <summary>"DeepSets".</summary>
    public override string Name => "DeepSets";

    private protected override IRegressor<ParameterGraph> CreateRegressor(IReadOnlyList<LabelledGraph> train) => DeepSetsRegressor.Create(train, Options);
}
