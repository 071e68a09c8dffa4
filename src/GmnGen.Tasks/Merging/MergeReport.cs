using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using GmnGen.Tasks.Reporting;

namespace GmnGen.Tasks.Merging;

/// <summary>What report.md says about how the two networks came about.</summary>
/// <param name="Command">The command line that made the report.</param>
/// <param name="Architecture">The zoo architecture's name.</param>
/// <param name="Settings">Further (name, value) lines: seeds, epochs, checkpoint files, …</param>
/// <param name="AccuracyA">A's test accuracy with its own statistics.</param>
/// <param name="AccuracyB">B's test accuracy with its own statistics.</param>
/// <param name="Elapsed">Wall-clock time of the whole command (training included).</param>
public sealed record MergeRunInfo(string Command, string Architecture, IReadOnlyList<(string Name, string Value)> Settings,
    double AccuracyA, double AccuracyB, TimeSpan Elapsed);

/// <summary>The text of the merge report: settings, endpoint accuracies, the barriers table and the curves' figure.</summary>
public static class MergeReport
{
    /// <summary>Markdown for <paramref name="result"/>; <paramref name="figure"/> and <paramref name="csv"/> are linked file names.</summary>
    public static string Render(MergeRunInfo info, BarrierStudyResult result, string figure, string csv)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.Append($"# Linear mode connectivity: {info.Architecture}\n\n");
        md.Append($"- **Command**: `{info.Command}`\n");
        md.Append($"- **Architecture**: {info.Architecture}\n");
        foreach (var (name, value) in info.Settings) md.Append($"- **{name}**: {value}\n");
        md.Append($"- **Test accuracy of A**: {Percent(info.AccuracyA)}; **of B**: {Percent(info.AccuracyB)} (each with its own BatchNorm statistics, if any)\n");
        md.Append(CultureInfo.InvariantCulture, $"- **Evaluated on**: {result.TestImages:N0} test images and {result.TrainImages:N0} training images, at {result.Points.Count / Math.Max(1, MergeMethods.All.Count)} values of λ\n");
        md.Append("- **BatchNorm**: ").Append(result.BatchNormLayers > 0
            ? $"statistics of its {result.BatchNormLayers} layers recomputed at every λ, endpoints included, from the training images (REPAIR's reset; cumulative average)\n"
            : "none in this architecture\n");
        var m = result.Matching;
        md.Append(CultureInfo.InvariantCulture, $"- **Weight matching**: Σ⟨A, B⟩ {m.ObjectiveBefore:G6} → {m.ObjectiveAfter:G6} in {m.Sweeps} sweeps ({(m.Converged ? "converged" : "sweep limit reached")})\n");
        md.Append($"- **Run time**: {ReportFormat.Duration(info.Elapsed)} (study: {ReportFormat.Duration(result.Elapsed)})\n\n");

        md.Append("## Barriers\n\n")
          .Append("Loss barrier: max over λ of loss(λ) − ((1−λ)·loss(0) + λ·loss(1)); accuracy barrier: max over λ of ((1−λ)·acc(0) + λ·acc(1)) − acc(λ), ")
          .Append("in percentage points. 0 means the straight path between the two networks is no worse than its ends.\n\n")
          .Append("| Method | Test loss barrier | Test accuracy barrier | Train loss barrier | Train accuracy barrier |\n|---|--:|--:|--:|--:|\n");
        foreach (var b in result.Barriers)
            md.Append($"| {b.Method} | {ReportFormat.Score(b.TestLoss)} | {Points(b.TestAccuracy)} | {ReportFormat.Score(b.TrainLoss)} | {Points(b.TrainAccuracy)} |\n");

        md.Append("\n## Curves\n\n| λ | Method | Test loss | Test accuracy | Train loss | Train accuracy |\n|--:|---|--:|--:|--:|--:|\n");
        foreach (var p in result.Points)
            md.Append(CultureInfo.InvariantCulture, $"| {p.Lambda:0.###} | {p.Method} | {ReportFormat.Score(p.TestLoss)} | {Percent(p.TestAccuracy)} | {ReportFormat.Score(p.TrainLoss)} | {Percent(p.TrainAccuracy)} |\n");
        md.Append($"\nEvery value: [{csv}]({csv}).\n\n![Loss and accuracy against λ]({figure})\n");
        return md.ToString();
    }

    private static string Percent(double value) =>
        double.IsNaN(value) ? "n/a" : (100 * value).ToString("F2", CultureInfo.InvariantCulture) + " %";

    private static string Points(double value) =>
        double.IsNaN(value) ? "n/a" : (100 * value).ToString("F2", CultureInfo.InvariantCulture) + " pp";
}
