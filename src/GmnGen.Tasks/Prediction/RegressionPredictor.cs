using System;
using System.Collections.Generic;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// What every predictor shares: a fresh regressor per <see cref="Fit"/> (built from the training split
/// and <see cref="PredictorOptions.Seed"/>), trained by the one <see cref="PredictorTrainer{TInput}"/>
/// protocol; the methods differ only in <see cref="CreateRegressor"/>, i.e. in what they see of the weights.
/// </summary>
/// <typeparam name="TInput">What the regressor reads per network (a graph, a feature row).</typeparam>
public abstract class RegressionPredictor<TInput>(PredictorOptions? options) : IPropertyPredictor
{
    private PredictorTrainer<TInput>? fitted;

    /// <summary>Short name used in reports ("GMN", "StatNN", "DeepSets").</summary>
    public abstract string Name { get; }

    /// <summary>The options given, validated, or the defaults when none were given.</summary>
    public PredictorOptions Options { get; } = PredictorOptions.ValidatedOrDefault(options);

    /// <summary>Builds a fresh regressor from <see cref="Options"/> and trains it; a second call starts over.</summary>
    public FitReport Fit(IReadOnlyList<LabelledGraph> train, IReadOnlyList<LabelledGraph> validation, IProgress<EpochRecord>? progress = null)
    {
        FitInputs.Check(train, validation);
        Dispose();
        fitted = new PredictorTrainer<TInput>(CreateRegressor(train), Options);
        return fitted.Fit(train, validation, progress);
    }

    /// <summary>Predictions for <paramref name="samples"/>, in their order, with the weights <see cref="Fit"/> selected.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Fit"/> has not been called (or the predictor was disposed since).</exception>
    public double[] Predict(IReadOnlyList<LabelledGraph> samples) =>
        (fitted ?? throw new InvalidOperationException($"{Name}: Predict was called before Fit.")).Predict(samples);

    /// <summary>Frees the fitted regressor, if any; <see cref="Predict"/> then needs a new <see cref="Fit"/>.</summary>
    public void Dispose()
    {
        fitted?.Dispose();
        fitted = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>A fresh, seeded regressor whose input statistics come from <paramref name="train"/> only.</summary>
    private protected abstract IRegressor<TInput> CreateRegressor(IReadOnlyList<LabelledGraph> train);
}
