using System;
using System.Collections.Generic;

namespace GmnGen.Tasks.Evaluation;

/// <summary>The scores the accuracy-prediction report gives: R² and Kendall's tau.</summary>
public static class Metrics
{
    /// <summary>Coefficient of determination 1 − SS_res / SS_tot (1 is perfect; predicting the mean gives 0; can be negative).</summary>
    /// <exception cref="ArgumentException">Lengths differ, fewer than two samples, or the truth is constant.</exception>
    public static double R2(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        Check(truth, predicted);
        double mean = 0;
        for (int i = 0; i < truth.Count; i++) mean += truth[i];
        mean /= truth.Count;
        double residual = 0, total = 0;
        for (int i = 0; i < truth.Count; i++)
        {
            residual += (truth[i] - predicted[i]) * (truth[i] - predicted[i]);
            total += (truth[i] - mean) * (truth[i] - mean);
        }
        if (total == 0) throw new ArgumentException("R² is undefined when every true value is the same.", nameof(truth));
        return 1 - residual / total;
    }

    /// <summary>
    /// Kendall's tau-b rank correlation (ties in either list handled as in scipy.stats.kendalltau):
    /// (concordant − discordant) / sqrt((n0 − ties_truth)(n0 − ties_predicted)). O(n²), fine for test
    /// splits of a few thousand.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, fewer than two samples, or either list is constant.</exception>
    public static double KendallTau(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        Check(truth, predicted);
        long concordant = 0, discordant = 0, onlyTruthTied = 0, onlyPredictedTied = 0;
        for (int i = 0; i < truth.Count; i++)
        {
            for (int j = i + 1; j < truth.Count; j++)
            {
                int a = Math.Sign(truth[i] - truth[j]);
                int b = Math.Sign(predicted[i] - predicted[j]);
                if (a == 0 && b == 0) continue;
                if (a == 0) onlyTruthTied++;
                else if (b == 0) onlyPredictedTied++;
                else if (a == b) concordant++;
                else discordant++;
            }
        }
        double untiedTruth = concordant + discordant + onlyPredictedTied;
        double untiedPredicted = concordant + discordant + onlyTruthTied;
        if (untiedTruth == 0 || untiedPredicted == 0)
            throw new ArgumentException("Kendall's tau is undefined when either list is constant.");
        return (concordant - discordant) / Math.Sqrt(untiedTruth * untiedPredicted);
    }

    private static void Check(IReadOnlyList<double> truth, IReadOnlyList<double> predicted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(predicted);
        if (truth.Count != predicted.Count)
            throw new ArgumentException($"{truth.Count} true values but {predicted.Count} predictions.");
        if (truth.Count < 2) throw new ArgumentException($"Need at least two samples, got {truth.Count}.");
    }
}
