using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace GmnGen.Tasks.Reporting;

/// <summary>The text of report.md: settings, split sizes, the results table, the verdict and the figures.</summary>
public static class MarkdownReport
{
    /// <summary>Markdown for <paramref name="summary"/>; <paramref name="figures"/> are (file name, caption) pairs linked at the end.</summary>
    public static string Render(ExperimentSummary summary, IReadOnlyList<(string File, string Caption)> figures)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var rows = ResultTable.Aggregate(summary);
        var md = new StringBuilder();
        md.Append("# ").Append(summary.Title).Append("\n\n");
        foreach (var (key, value) in summary.Settings) md.Append($"- **{Cell(key)}**: {Cell(value)}\n");
        md.Append($"- **Elapsed**: {ReportFormat.Duration(summary.Elapsed)}\n\n");

        if (summary.ZooTargets is { Count: > 0 } targets)
        {
            var bins = AccuracyHistogram.Bins(targets);
            md.Append("## The zoo's test accuracies\n\n| accuracy | ")
              .Append(string.Join(" | ", Enumerable.Range(0, 10).Select(i => $"{i * 10}–{i * 10 + 10} %"))).Append(" |\n|---|")
              .Append(string.Concat(Enumerable.Repeat("--:|", 10))).Append("\n| checkpoints | ")
              .Append(string.Join(" | ", bins)).Append(" |\n\n")
              .Append($"{targets.Count} checkpoints; median {Percent(Median(targets), 1)}; {targets.Count(t => t >= ResultTable.TrainedThreshold)} at or above {Percent(ResultTable.TrainedThreshold, 0)}. ")
              .Append("Histogram: [accuracy-histogram.png](accuracy-histogram.png).\n\n");
        }

        md.Append("## Splits\n\n| Split | Description | Train | Validation | Test |\n|---|---|--:|--:|--:|\n");
        foreach (var split in summary.Splits)
            md.Append($"| {Cell(split.Name)} | {Cell(split.Description)} | {split.Train} | {split.Validation} | {split.Test} |\n");

        md.Append("\n## Results\n\nTest-set scores, mean ± sample standard deviation over seeds; the best mean of each split is in **bold**.\n\n")
          .Append("| Split | Method | R² mean ± std | Kendall τ mean ± std | Seeds | Fit time |\n|---|---|--:|--:|--:|--:|\n");
        foreach (var row in rows)
        {
            var split = rows.Where(r => r.Split == row.Split).ToList();
            md.Append($"| {Cell(row.Split)} | {Cell(row.Method)} | {Bold(ReportFormat.MeanStd(row.R2Mean, row.R2Std), IsBest(row.R2Mean, split.Select(r => r.R2Mean)))} | ")
              .Append($"{Bold(ReportFormat.MeanStd(row.TauMean, row.TauStd), IsBest(row.TauMean, split.Select(r => r.TauMean)))} | ")
              .Append($"{row.Seeds} | {ReportFormat.Duration(TimeSpan.FromSeconds(row.FitSecondsMean))} |\n");
        }

        var trained = ResultTable.AggregateAbove(summary, ResultTable.TrainedThreshold);
        if (trained.Any(r => !double.IsNaN(r.R2Mean)))
        {
            md.Append($"\n## Results on trained checkpoints (test accuracy ≥ {Percent(ResultTable.TrainedThreshold, 0)})\n\n")
              .Append("The same fits, scored only on the test checkpoints that learned something; a zoo of mostly untrained ")
              .Append("networks lets R² reward telling trained from untrained, this table asks for ranking the trained ones.\n\n")
              .Append("| Split | Method | test checkpoints | R² mean ± std | Kendall τ mean ± std |\n|---|---|--:|--:|--:|\n");
            foreach (var row in trained)
            {
                var (above, all) = ResultTable.TestCounts(summary, row.Split, ResultTable.TrainedThreshold);
                var split = trained.Where(r => r.Split == row.Split).ToList();
                md.Append($"| {Cell(row.Split)} | {Cell(row.Method)} | {above} of {all} | ")
                  .Append($"{Bold(ReportFormat.MeanStd(row.R2Mean, row.R2Std), IsBest(row.R2Mean, split.Select(r => r.R2Mean)))} | ")
                  .Append($"{Bold(ReportFormat.MeanStd(row.TauMean, row.TauStd), IsBest(row.TauMean, split.Select(r => r.TauMean)))} |\n");
            }
        }

        var comparisons = Verdict.Comparisons.Where(c => rows.Any(r => r.Method == c.Candidate)).ToList();
        var pairedBy = comparisons.Select(c => (c, Paired: PairedDifferences.Compute(summary, c.Candidate, c.Baselines))).ToList();
        foreach (var (comparison, paired) in pairedBy.Where(p => p.Paired.Count > 0))
        {
            md.Append($"\n## {comparison.Candidate} − baseline, paired by seed\n\n")
              .Append("Each seed's difference on the same test networks; mean ± sample standard deviation over seeds. ")
              .Append("Beyond the noise: the mean exceeds twice its standard error (std / √seeds).\n\n")
              .Append("| Split | Baseline | Seeds | ΔR² | Δτ | beyond the noise |\n|---|---|--:|--:|--:|---|\n");
            foreach (var d in paired)
                md.Append($"| {Cell(d.Split)} | {Cell(d.Baseline)} | {d.Seeds} | {PairedDifferences.Signed(d.R2Mean)} ± {Std(d.R2Std)} | ")
                  .Append($"{PairedDifferences.Signed(d.TauMean)} ± {Std(d.TauStd)} | {Reading(d.R2Ahead, d.R2Behind)} R², {Reading(d.TauAhead, d.TauBehind)} τ |\n");
        }

        if (summary.Curve is { Count: > 0 } curve)
        {
            md.Append("\n## Learning curve (random split)\n\n")
              .Append("The random split's validation and test runs, with nested subsets of its training runs (per seed, each smaller set lies inside the larger ones); ")
              .Append("mean ± std over seeds. Every fit: [learning-curve.csv](learning-curve.csv).\n\n")
              .Append("| Training runs | checkpoints | Method | R² mean ± std | Kendall τ mean ± std |\n|--:|--:|---|--:|--:|\n");
            foreach (var point in LearningCurve.Points(curve))
                md.Append($"| {point.TrainRuns} | {point.TrainCheckpoints.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)} | {Cell(point.Method)} | ")
                  .Append($"{ReportFormat.MeanStd(point.R2Mean, point.R2Std)} | {ReportFormat.MeanStd(point.TauMean, point.TauStd)} |\n");
        }

        md.Append("\n## Verdict\n\n");
        if (comparisons.Count == 0) md.Append(Verdict.Describe(rows));
        foreach (var (comparison, paired) in pairedBy)
        {
            if (comparison != pairedBy[0].c) md.Append("\n\n");
            md.Append(Verdict.Describe(rows, comparison.Candidate, comparison.Baselines));
            if (paired.Count > 0) md.Append("\n\n").Append(PairedDifferences.Describe(paired, comparison.Candidate));
        }
        md.Append("\n\n## Figures\n\n");
        foreach (var (file, caption) in figures) md.Append($"### {caption}\n\n![{caption}]({file})\n\n");
        md.Append("Per-run scores: [results.csv](results.csv); every test prediction: [predictions.csv](predictions.csv).\n");
        return md.ToString();
    }

    /// <summary>Whether <paramref name="value"/> is the highest of its split (ties are all best; NaN never is).</summary>
    public static bool IsBest(double value, IEnumerable<double> split) =>
        !double.IsNaN(value) && split.Where(v => !double.IsNaN(v)).All(v => value >= v);

    private static string Bold(string text, bool bold) => bold ? $"**{text}**" : text;

    private static string Percent(double value, int decimals) =>
        value.ToString("P" + decimals, System.Globalization.CultureInfo.InvariantCulture);

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Std(double value) => value.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);

    private static string Reading(bool ahead, bool behind) => ahead ? "ahead on" : behind ? "behind on" : "not told apart on";

    // A '|' inside a cell would end it; a newline would end the row.
    private static string Cell(string text) => text.Replace("|", "\\|").ReplaceLineEndings(" ");
}
