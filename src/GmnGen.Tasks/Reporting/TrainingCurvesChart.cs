using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace GmnGen.Tasks.Reporting;

/// <summary>Validation R² per epoch: one panel per split, one line per method (its first seed), the kept epoch marked.</summary>
public static class TrainingCurvesChart
{
    // Early epochs can score far below zero; below this the curves would be squashed into a flat line.
    private const double Floor = -1;

    /// <summary>PNG bytes of the chart, panels side by side in split order.</summary>
    public static byte[] Render(ExperimentSummary summary, int panelWidth = 600, int height = 500)
    {
        var methods = ResultTable.MethodOrder(summary);
        var splits = summary.Splits.Select(s => s.Name).ToList();
        var panels = new List<Plot>();
        foreach (var split in splits)
        {
            var plot = new Plot();
            panels.Add(plot);
            bool clipped = false;
            double top = 0;
            foreach (var method in methods)
            {
                var run = summary.Runs.FirstOrDefault(r => r.Split == split && r.Method == method);
                if (run is null || run.Fit.Curve.Count == 0) continue;
                var epochs = run.Fit.Curve.Select(e => (double)e.Epoch).ToArray();
                var r2 = run.Fit.Curve.Select(e => e.ValidationR2).ToArray();
                clipped |= r2.Any(v => v < Floor);
                top = Math.Max(top, r2.Where(double.IsFinite).DefaultIfEmpty(0).Max());
                var color = ChartStyle.MethodColor(methods, method);
                var line = plot.Add.ScatterLine(epochs, r2, color);
                line.LineWidth = 2;
                line.MarkerSize = run.Fit.Curve.Count <= 40 ? 4 : 0;
                line.LegendText = $"{method} (seed {run.Seed})";
                var best = run.Fit.Curve.FirstOrDefault(e => e.Epoch == run.Fit.BestEpoch);
                if (best is not null)
                    plot.Add.Marker(best.Epoch, Math.Max(best.ValidationR2, Floor), MarkerShape.OpenCircle, 14, color);
            }
            plot.Title($"{split}: validation R² per epoch (○ = kept epoch)");
            plot.XLabel("Epoch");
            plot.YLabel(clipped ? $"Validation R² (axis cut at {Floor})" : "Validation R²");
            if (clipped) plot.Axes.SetLimitsY(Floor - 0.05, Math.Max(top, 0) + 0.05);
            plot.ShowLegend(Alignment.LowerRight);
        }
        if (panels.Count == 0)
        {
            panels.Add(new Plot());
            panels[0].Title("No splits");
        }
        try
        {
            // A new Multiplot starts with one empty plot of its own; only the panels should be drawn.
            var multiplot = new Multiplot();
            foreach (var own in multiplot.GetPlots()) multiplot.RemovePlot(own);
            foreach (var panel in panels) multiplot.AddPlot(panel);
            multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
            using var image = multiplot.Render(panelWidth * panels.Count, height);
            return image.GetImageBytes(ImageFormat.Png);
        }
        finally
        {
            foreach (var panel in panels) panel.Dispose();
        }
    }
}
