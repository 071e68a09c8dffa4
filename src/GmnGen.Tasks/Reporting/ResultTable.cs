using System;
using System.Collections.Generic;
using System.Linq;

namespace GmnGen.Tasks.Reporting;

/// <summary>One method on one split, over its seeds.</summary>
/// <param name="Split">Split name.</param>
/// <param name="Method">Method name.</param>
/// <param name="Seeds">Runs aggregated.</param>
/// <param name="R2Mean">Mean test R².</param>
/// <param name="R2Std">Sample standard deviation of test R² (0 for one seed).</param>
/// <param name="TauMean">Mean test Kendall tau.</param>
/// <param name="TauStd">Sample standard deviation of test Kendall tau (0 for one seed).</param>
/// <param name="FitSecondsMean">Mean wall-clock seconds of a fit.</param>
public sealed record ResultRow(
    string Split, string Method, int Seeds, double R2Mean, double R2Std, double TauMean, double TauStd, double FitSecondsMean);

/// <summary>Aggregates runs over seeds into the results table.</summary>
public static class ResultTable
{
    /// <summary>
    /// One row per (split, method) that has runs: splits in <see cref="ExperimentSummary.Splits"/> order,
    /// methods in the order they first appear in <see cref="ExperimentSummary.Runs"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A run names a split the summary does not list.</exception>
    public static IReadOnlyList<ResultRow> Aggregate(ExperimentSummary summary) => Aggregate(summary, run => (run.R2, run.KendallTau));

    /// <summary>
    /// Checkpoints at or above this test accuracy count as trained (chance is 10 %): the scores on them
    /// say whether a method ranks trained networks, not only whether a network trained at all.
    /// </summary>
    public const double TrainedThreshold = 0.2;

    /// <summary>As <see cref="Aggregate(ExperimentSummary)"/>, with every run's R² and τ computed on its test
    /// checkpoints whose true value is at least <paramref name="threshold"/> (NaN with fewer than 3).</summary>
    public static IReadOnlyList<ResultRow> AggregateAbove(ExperimentSummary summary, double threshold) => Aggregate(summary, run =>
    {
        var kept = run.Truth.Select((t, i) => (Truth: t, Predicted: run.Predicted[i])).Where(p => p.Truth >= threshold).ToList();
        if (kept.Count < 3) return (double.NaN, double.NaN);
        var truth = kept.Select(p => p.Truth).ToList();
        var predicted = kept.Select(p => p.Predicted).ToList();
        return (Evaluation.Metrics.R2(truth, predicted), Evaluation.Metrics.KendallTau(truth, predicted));
    });

    /// <summary>Checkpoints (of the first seed's test part, per split) at or above <paramref name="threshold"/>, and all of them.</summary>
    public static (int Above, int All) TestCounts(ExperimentSummary summary, string split, double threshold)
    {
        var run = summary.Runs.FirstOrDefault(r => r.Split == split);
        return run is null ? (0, 0) : (run.Truth.Count(t => t >= threshold), run.Truth.Count);
    }

    private static IReadOnlyList<ResultRow> Aggregate(ExperimentSummary summary, Func<MethodRun, (double R2, double Tau)> score)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var splits = summary.Splits.Select(s => s.Name).ToList();
        var unknown = summary.Runs.Select(r => r.Split).Where(s => !splits.Contains(s)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Runs name splits the summary does not list: {string.Join(", ", unknown)}.", nameof(summary));

        var rows = new List<ResultRow>();
        foreach (var split in splits)
        {
            foreach (var method in MethodOrder(summary))
            {
                var runs = summary.Runs.Where(r => r.Split == split && r.Method == method).ToList();
                if (runs.Count == 0) continue;
                var scores = runs.Select(score).ToList();
                var (r2, r2Std) = MeanStd(scores.Select(s => s.R2).ToList());
                var (tau, tauStd) = MeanStd(scores.Select(s => s.Tau).ToList());
                rows.Add(new ResultRow(split, method, runs.Count, r2, r2Std, tau, tauStd, runs.Average(r => r.Fit.Elapsed.TotalSeconds)));
            }
        }
        return rows;
    }

    /// <summary>Methods in the order they first appear among the runs.</summary>
    public static IReadOnlyList<string> MethodOrder(ExperimentSummary summary) =>
        summary.Runs.Select(r => r.Method).Distinct().ToList();

    /// <summary>Mean and sample standard deviation: seeds are a sample of the training randomness, hence
    /// n − 1; one value has no spread to estimate (0).</summary>
    internal static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return (mean, values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)));
    }
}
