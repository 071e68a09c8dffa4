using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GmnGen.Tasks.Evaluation;

namespace GmnGen.Tasks.Reporting;

/// <summary>
/// The candidate's score minus a baseline's on one split, paired by seed (each seed draws one split
/// and one initialisation for every method, so the pair shares its test networks).
/// </summary>
/// <param name="Split">Split name.</param>
/// <param name="Baseline">The method subtracted.</param>
/// <param name="Seeds">Seeds on which both methods have a finite score.</param>
/// <param name="R2Mean">Mean of candidate R² − baseline R².</param>
/// <param name="R2Std">Sample standard deviation of that difference over seeds (0 for one seed).</param>
/// <param name="TauMean">Mean of candidate τ − baseline τ.</param>
/// <param name="TauStd">Sample standard deviation of the τ difference.</param>
public sealed record PairedDifference(string Split, string Baseline, int Seeds, double R2Mean, double R2Std, double TauMean, double TauStd)
{
    /// <summary>
    /// Ahead beyond the noise: at least two seeds, and the mean difference is more than twice its
    /// standard error (std / √seeds). With 3 seeds that is a mean above 1.15 standard deviations.
    /// </summary>
    public static bool BeyondNoise(double mean, double std, int seeds) => seeds >= 2 && mean > 0 && mean > 2 * std / Math.Sqrt(seeds);

    /// <summary>The candidate's R² is above the baseline's beyond the noise (<see cref="BeyondNoise"/>).</summary>
    public bool R2Ahead => BeyondNoise(R2Mean, R2Std, Seeds);
    /// <summary>The candidate's Kendall τ is above the baseline's beyond the noise.</summary>
    public bool TauAhead => BeyondNoise(TauMean, TauStd, Seeds);
    /// <summary>The candidate's R² is below the baseline's beyond the noise.</summary>
    public bool R2Behind => BeyondNoise(-R2Mean, R2Std, Seeds);
    /// <summary>The candidate's Kendall τ is below the baseline's beyond the noise.</summary>
    public bool TauBehind => BeyondNoise(-TauMean, TauStd, Seeds);
}

/// <summary>Paired differences of the candidate against each baseline, and a paragraph that reads them.</summary>
public static class PairedDifferences
{
    /// <summary>One row per split (summary order) and baseline (first-appearance order) that share at least one seed with the candidate.</summary>
    /// <param name="summary">The experiment.</param>
    /// <param name="candidate">The method whose scores are the minuend.</param>
    /// <param name="baselines">The methods subtracted (null: every other method).</param>
    public static IReadOnlyList<PairedDifference> Compute(ExperimentSummary summary, string candidate = Verdict.DefaultCandidate, IReadOnlyCollection<string>? baselines = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var rows = new List<PairedDifference>();
        foreach (var split in summary.Splits.Select(s => s.Name))
        {
            var own = summary.Runs.Where(r => r.Split == split && r.Method == candidate).GroupBy(r => r.Seed).ToDictionary(g => g.Key, g => g.First());
            if (own.Count == 0) continue;
            foreach (var baseline in ResultTable.MethodOrder(summary).Where(m => m != candidate && (baselines is null || baselines.Contains(m))))
            {
                var pairs = summary.Runs.Where(r => r.Split == split && r.Method == baseline && own.ContainsKey(r.Seed))
                    .Select(r => (R2: own[r.Seed].R2 - r.R2, Tau: own[r.Seed].KendallTau - r.KendallTau))
                    .Where(p => double.IsFinite(p.R2) && double.IsFinite(p.Tau)).ToList();
                if (pairs.Count == 0) continue;
                var (r2Mean, r2Std) = ResultTable.MeanStd(pairs.Select(p => p.R2).ToList());
                var (tauMean, tauStd) = ResultTable.MeanStd(pairs.Select(p => p.Tau).ToList());
                rows.Add(new PairedDifference(split, baseline, pairs.Count, r2Mean, r2Std, tauMean, tauStd));
            }
        }
        return rows;
    }

    /// <summary>
    /// E.g. "Paired by seed, GMN is ahead of every baseline on both R² and Kendall τ beyond the noise on
    /// 1 of 3 splits (random). On low-data it is behind StatNN on R² (−0.120 ± 0.040) ..."
    /// </summary>
    public static string Describe(IReadOnlyList<PairedDifference> differences, string candidate = Verdict.DefaultCandidate)
    {
        ArgumentNullException.ThrowIfNull(differences);
        if (differences.Count == 0) return $"No split has {candidate} and a baseline on a common seed.";
        if (differences.All(d => d.Seeds < 2))
            return "Every pair comes from a single seed, so no difference can be told from the noise; run at least two seeds.";
        var splits = differences.Select(d => d.Split).Distinct().ToList();
        var ahead = splits.Where(s => differences.Where(d => d.Split == s).All(d => d.R2Ahead && d.TauAhead)).ToList();
        var text = new System.Text.StringBuilder($"Paired by seed, {candidate} is ahead of every baseline on both R² and Kendall τ beyond the noise " +
            $"(mean difference above twice its standard error) on {ahead.Count} of {splits.Count} splits{(ahead.Count > 0 ? $" ({string.Join(", ", ahead)})" : "")}.");
        foreach (var split in splits.Except(ahead))
        {
            var clauses = new List<string>();
            foreach (var d in differences.Where(d => d.Split == split))
            {
                clauses.AddRange(Clause("R²", d.R2Mean, d.R2Std, d.R2Ahead, d.R2Behind, d.Baseline));
                clauses.AddRange(Clause("Kendall τ", d.TauMean, d.TauStd, d.TauAhead, d.TauBehind, d.Baseline));
            }
            text.Append($" On {split}: {string.Join("; ", clauses)}.");
        }
        return text.ToString();
    }

    private static IEnumerable<string> Clause(string metric, double mean, double std, bool ahead, bool behind, string baseline)
    {
        if (ahead) yield break;
        string figure = $"{Signed(mean)} ± {std.ToString("F3", CultureInfo.InvariantCulture)}";
        yield return behind ? $"behind {baseline} on {metric} ({figure})" : $"not told apart from {baseline} on {metric} ({figure})";
    }

    /// <summary>"+0.031" or "−0.120" (a true minus sign).</summary>
    public static string Signed(double value) =>
        (value < 0 ? "−" : "+") + Math.Abs(value).ToString("F3", CultureInfo.InvariantCulture);
}
