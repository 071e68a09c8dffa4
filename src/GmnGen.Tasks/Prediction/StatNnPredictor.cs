using System;
using System.Collections.Generic;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// The StatNN baseline (Unterthiner et al. 2020, "Predicting Neural Network Accuracy from Weights"):
/// the mean, variance and five quantiles of every state tensor, concatenated in layer order, into an
/// MLP (<see cref="PredictorOptions.StatNnLayers"/> hidden layers of <see cref="PredictorOptions.StatNnHidden"/>).
/// Networks with fewer tensors than the largest training network are zero-padded, with a flag per slot.
/// </summary>
public sealed class StatNnPredictor(PredictorOptions? options = null) : IPropertyPredictor
{
    private PredictorTrainer<float[]>? fitted;

    public string Name => "StatNN";

    public PredictorOptions Options { get; } = PredictorOptions.ValidatedOrDefault(options);

    /// <summary>Fits the features' standardisation and a fresh MLP from <see cref="PredictorOptions.Seed"/>, then trains it; a second call starts over.</summary>
    public FitReport Fit(IReadOnlyList<LabelledGraph> train, IReadOnlyList<LabelledGraph> validation, IProgress<EpochRecord>? progress = null)
    {
        FitInputs.Check(train, validation);
        Dispose();
        fitted = new PredictorTrainer<float[]>(StatNnRegressor.Create(train, Options), Options);
        return fitted.Fit(train, validation, progress);
    }

    /// <exception cref="ArgumentException">A network has more state tensors than any training network.</exception>
    public double[] Predict(IReadOnlyList<LabelledGraph> samples) =>
        (fitted ?? throw new InvalidOperationException($"{Name}: Predict was called before Fit.")).Predict(samples);

    public void Dispose()
    {
        fitted?.Dispose();
        fitted = null;
    }
}
