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

        md.Append("\n## Verdict\n\n").Append(Verdict.Describe(rows)).Append("\n\n## Figures\n\n");
        foreach (var (file, caption) in figures) md.Append($"### {caption}\n\n![{caption}]({file})\n\n");
        md.Append("Per-run scores: [results.csv](results.csv); every test prediction: [predictions.csv](predictions.csv).\n");
        return md.ToString();
    }

    /// <summary>Whether <paramref name="value"/> is the highest of its split (ties are all best; NaN never is).</summary>
    public static bool IsBest(double value, IEnumerable<double> split) =>
        !double.IsNaN(value) && split.Where(v => !double.IsNaN(v)).All(v => value >= v);

    private static string Bold(string text, bool bold) => bold ? $"**{text}**" : text;

    // A '|' inside a cell would end it; a newline would end the row.
    private static string Cell(string text) => text.Replace("|", "\\|").ReplaceLineEndings(" ");
}
