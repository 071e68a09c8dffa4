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
public sealed class DeepSetsPredictor(PredictorOptions? options = null) : IPropertyPredictor
{
    private PredictorTrainer<ParameterGraph>? fitted;

    public string Name => "DeepSets";

    public PredictorOptions Options { get; } = PredictorOptions.ValidatedOrDefault(options);

    /// <summary>Fits the value standardisation and builds a fresh network from <see cref="PredictorOptions.Seed"/>, then trains it; a second call starts over.</summary>
    public FitReport Fit(IReadOnlyList<LabelledGraph> train, IReadOnlyList<LabelledGraph> validation, IProgress<EpochRecord>? progress = null)
    {
        FitInputs.Check(train, validation);
        Dispose();
        fitted = new PredictorTrainer<ParameterGraph>(DeepSetsRegressor.Create(train, Options), Options);
        return fitted.Fit(train, validation, progress);
    }

    public double[] Predict(IReadOnlyList<LabelledGraph> samples) =>
        (fitted ?? throw new InvalidOperationException($"{Name}: Predict was called before Fit.")).Predict(samples);

    public void Dispose()
    {
        fitted?.Dispose();
        fitted = null;
    }
}
