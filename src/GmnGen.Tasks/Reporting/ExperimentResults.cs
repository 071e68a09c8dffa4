using System;
using System.Collections.Generic;
using GmnGen.Tasks.Prediction;

namespace GmnGen.Tasks.Reporting;

/// <summary>One way of dividing the zoo into train, validation and test checkpoints.</summary>
/// <param name="Name">Short name used in tables and file names ("random", "low-data", "ood-width").</param>
/// <param name="Description">One line saying how the split was drawn.</param>
/// <param name="Train">Training checkpoints.</param>
/// <param name="Validation">Validation checkpoints (model selection only).</param>
/// <param name="Test">Test checkpoints the scores are computed on.</param>
public sealed record SplitInfo(string Name, string Description, int Train, int Validation, int Test);

/// <summary>One method fitted with one seed on one split, and what it predicted on the test checkpoints.</summary>
/// <param name="Split">Name of a <see cref="SplitInfo"/> of the same summary.</param>
/// <param name="Method">Predictor name ("GMN", "StatNN", "DeepSets").</param>
/// <param name="Seed">Seed of the fit.</param>
/// <param name="R2">Test R² (<see cref="Evaluation.Metrics.R2"/>).</param>
/// <param name="KendallTau">Test Kendall tau-b (<see cref="Evaluation.Metrics.KendallTau"/>).</param>
/// <param name="Ids">Test checkpoint ids, parallel to <paramref name="Truth"/> and <paramref name="Predicted"/>.</param>
/// <param name="Truth">True values of the test checkpoints.</param>
/// <param name="Predicted">Predicted values of the test checkpoints.</param>
/// <param name="Fit">The fit's curve, selected epoch and time.</param>
public sealed record MethodRun(
    string Split, string Method, int Seed, double R2, double KendallTau,
    IReadOnlyList<string> Ids, IReadOnlyList<double> Truth, IReadOnlyList<double> Predicted, FitReport Fit);

/// <summary>Everything the report is written from.</summary>
/// <param name="Title">Heading of the report.</param>
/// <param name="Settings">Key/value pairs listed under the heading (zoo, epochs, seeds…), in order.</param>
/// <param name="Splits">The splits, in the order the tables list them.</param>
/// <param name="Runs">Every run; methods are listed in the order they first appear here.</param>
/// <param name="Elapsed">Wall-clock time of the whole experiment.</param>
/// <param name="ZooTargets">Every zoo member's target (test accuracy), for the histogram; null when unknown.</param>
/// <param name="Curve">The learning curve's fits (random split, nested training subsets); null or empty for none.</param>
public sealed record ExperimentSummary(
    string Title, IReadOnlyList<(string Key, string Value)> Settings, IReadOnlyList<SplitInfo> Splits,
    IReadOnlyList<MethodRun> Runs, TimeSpan Elapsed, IReadOnlyList<double>? ZooTargets = null, IReadOnlyList<CurveRun>? Curve = null);

/// <summary>One fit of the learning curve: a method trained on <paramref name="TrainRuns"/> runs of the random split.</summary>
/// <param name="TrainRuns">Training runs kept.</param>
/// <param name="TrainCheckpoints">Their checkpoints (the training set's size).</param>
/// <param name="Run">The fit, scored on the random split's test part.</param>
public sealed record CurveRun(int TrainRuns, int TrainCheckpoints, MethodRun Run);
