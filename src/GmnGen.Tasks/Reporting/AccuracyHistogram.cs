using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace GmnGen.Tasks.Reporting;

/// <summary>
/// How the zoo's targets (test accuracies) are spread: counts per 10 % bin, and a PNG histogram.
/// R² on a zoo that is mostly "trained or not" mostly measures that; the report shows the spread
/// beside the scores, and the scores again on the checkpoints above <see cref="ResultTable.TrainedThreshold"/>.
/// </summary>
public static class AccuracyHistogram
{
    /// <summary>Checkpoints per bin [0, 0.1), [0.1, 0.2), …, [0.9, 1.0].</summary>
    public static int[] Bins(IReadOnlyList<double> targets)
    {
        var bins = new int[10];
        foreach (var t in targets.Where(double.IsFinite)) bins[Math.Clamp((int)Math.Floor(t * 10), 0, 9)]++;
        return bins;
    }

    /// <summary>PNG bytes: bars per 2.5 % of accuracy, a line at the trained threshold.</summary>
    public static byte[] Render(IReadOnlyList<double> targets, int width = 900, int height = 500)
    {
        using var plot = new Plot();
        const double binWidth = 0.025;
        var counts = new int[40];
        foreach (var t in targets.Where(double.IsFinite)) counts[Math.Clamp((int)Math.Floor(t / binWidth), 0, counts.Length - 1)]++;
        var bars = plot.Add.Bars(Enumerable.Range(0, counts.Length).Select(i => (i + 0.5) * binWidth).ToArray(), counts.Select(c => (double)c).ToArray());
        foreach (var bar in bars.Bars) bar.Size = binWidth * 0.9;
        var line = plot.Add.VerticalLine(ResultTable.TrainedThreshold);
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = ResultTable.TrainedThreshold.ToString("P0", System.Globalization.CultureInfo.InvariantCulture) + " (\"trained\" threshold)";
        plot.Title($"Test accuracy of the zoo's {targets.Count(double.IsFinite)} checkpoints");
        plot.XLabel("Test accuracy");
        plot.YLabel("Checkpoints");
        plot.Axes.SetLimitsX(0, 1);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
