using System;
using System.Collections.Generic;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// A method that learns to predict a scalar property of networks from their weights: the graph
/// metanet and the baselines it is compared with all implement it, so one experiment loop runs them
/// on identical splits.
/// </summary>
public interface IPropertyPredictor : IDisposable
{
    /// <summary>Short name used in reports ("GMN", "StatNN", "DeepSets").</summary>
    string Name { get; }

    /// <summary>
    /// Trains on <paramref name="train"/>; after every epoch scores <paramref name="validation"/> and
    /// keeps the weights of the epoch with the lowest validation loss (model selection uses the
    /// validation split only).
    /// </summary>
    FitReport Fit(IReadOnlyList<LabelledGraph> train, IReadOnlyList<LabelledGraph> validation, IProgress<EpochRecord>? progress = null);

    /// <summary>Predictions for <paramref name="samples"/>, in their order, with the selected weights.</summary>
    double[] Predict(IReadOnlyList<LabelledGraph> samples);
}

/// <summary>One point of a training curve.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean training loss (MSE on the target) over the epoch.</param>
/// <param name="ValidationLoss">MSE on the validation split after the epoch.</param>
/// <param name="ValidationR2">R² on the validation split after the epoch.</param>
/// <param name="Elapsed">Time since the fit started.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationLoss, double ValidationR2, TimeSpan Elapsed);

/// <summary>What a fit did.</summary>
/// <param name="Curve">One record per epoch.</param>
/// <param name="BestEpoch">The epoch whose weights were kept (lowest validation loss).</param>
/// <param name="Elapsed">Wall-clock time of the fit.</param>
/// <param name="ParameterCount">Trainable parameters of the predictor.</param>
public sealed record FitReport(IReadOnlyList<EpochRecord> Curve, int BestEpoch, TimeSpan Elapsed, long ParameterCount);
