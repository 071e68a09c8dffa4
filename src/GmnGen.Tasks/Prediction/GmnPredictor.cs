using System;
using System.Collections.Generic;
using GmnGen.Graphs;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// The graph metanetwork (Lim et al., ICLR 2024) regressing the property from each network's
/// parameter graph: invariant to the network's neuron permutations by construction, and able to take
/// any mix of architectures. Sized by <see cref="PredictorOptions.Gmn"/>.
/// </summary>
public sealed class GmnPredictor(PredictorOptions? options = null) : IPropertyPredictor
{
    private PredictorTrainer<ParameterGraph>? fitted;

    public string Name => "GMN";

    public PredictorOptions Options { get; } = PredictorOptions.ValidatedOrDefault(options);

    /// <summary>Builds a fresh metanet from <see cref="PredictorOptions.Seed"/> and trains it; a second call starts over.</summary>
    public FitReport Fit(IReadOnlyList<LabelledGraph> train, IReadOnlyList<LabelledGraph> validation, IProgress<EpochRecord>? progress = null)
    {
        FitInputs.Check(train, validation);
        Dispose();
        fitted = new PredictorTrainer<ParameterGraph>(GmnRegressor.Create(train, Options), Options);
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
