using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace GmnGen.Tasks.Reporting;

/// <summary>Predicted against true value on one split's test checkpoints: one colour per method, first seed of each.</summary>
public static class ScatterChart
{
    /// <summary>PNG bytes of the chart for <paramref name="split"/>, or null when no run is on it.</summary>
    public static byte[]? Render(ExperimentSummary summary, string split, int width = 900, int height = 800)
    {
        var methods = ResultTable.MethodOrder(summary);
        // The first run listed per method is its first seed; plotting one seed keeps the legend's R² exact.
        var runs = methods.Select(m => summary.Runs.FirstOrDefault(r => r.Split == split && r.Method == m))
            .Where(r => r is not null).Select(r => r!).ToList();
        if (runs.Count == 0) return null;

        using var plot = new Plot();
        var all = runs.SelectMany(r => r.Truth.Concat(r.Predicted)).Where(double.IsFinite).ToList();
        double lo = all.Count > 0 ? all.Min() : 0, hi = all.Count > 0 ? all.Max() : 1;
        double pad = (hi - lo) * 0.03 + 1e-9;
        var diagonal = plot.Add.Line(lo - pad, lo - pad, hi + pad, hi + pad);
        diagonal.LineColor = Colors.Gray;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "y = x";

        foreach (var run in runs)
        {
            var points = plot.Add.ScatterPoints(run.Truth.ToArray(), run.Predicted.ToArray(),
                ChartStyle.MethodColor(methods, run.Method).WithAlpha(0.6));
            points.MarkerSize = 6;
            points.LegendText = $"{run.Method} (seed {run.Seed}): R² = {ReportFormat.Score(run.R2)}";
        }

        bool sameSeed = runs.Select(r => r.Seed).Distinct().Count() == 1;
        plot.Title($"{split}: predicted vs true test accuracy ({(sameSeed ? $"seed {runs[0].Seed}" : "first seed of each method")})");
        plot.XLabel("True test accuracy");
        plot.YLabel("Predicted test accuracy");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
