using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Tasks.Reporting;
using ScottPlot;

namespace GmnGen.Tasks.Merging;

/// <summary>Two panels side by side: loss against λ and accuracy against λ, a line per method and set (test solid, train dashed).</summary>
public static class MergeChart
{
    /// <summary>PNG bytes of the chart.</summary>
    public static byte[] Render(IReadOnlyList<BarrierPoint> points, int panelWidth = 600, int height = 450)
    {
        ArgumentNullException.ThrowIfNull(points);
        var loss = Panel(points, "Cross-entropy along θ(λ) = (1−λ)·A + λ·B", "Mean cross-entropy", p => p.TestLoss, p => p.TrainLoss, Alignment.UpperRight);
        var accuracy = Panel(points, "Accuracy along θ(λ)", "Accuracy (%)", p => 100 * p.TestAccuracy, p => 100 * p.TrainAccuracy, Alignment.LowerRight);
        try
        {
            // A new Multiplot starts with one empty plot of its own; only the panels should be drawn.
            var multiplot = new Multiplot();
            foreach (var own in multiplot.GetPlots()) multiplot.RemovePlot(own);
            multiplot.AddPlot(loss);
            multiplot.AddPlot(accuracy);
            multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
            using var image = multiplot.Render(2 * panelWidth, height);
            return image.GetImageBytes(ImageFormat.Png);
        }
        finally
        {
            loss.Dispose();
            accuracy.Dispose();
        }
    }

    private static Plot Panel(IReadOnlyList<BarrierPoint> points, string title, string yLabel,
        Func<BarrierPoint, double> test, Func<BarrierPoint, double> train, Alignment legend)
    {
        var plot = new Plot();
        var methods = MergeMethods.All;
        foreach (var method in methods)
        {
            var curve = points.Where(p => p.Method == method).OrderBy(p => p.Lambda).ToList();
            if (curve.Count == 0) continue;
            var lambdas = curve.Select(p => p.Lambda).ToArray();
            var color = ChartStyle.MethodColor(methods, method);
            foreach (var (set, value, pattern) in new[] { ("test", test, LinePattern.Solid), ("train", train, LinePattern.Dashed) })
            {
                var line = plot.Add.ScatterLine(lambdas, curve.Select(value).ToArray(), color);
                line.LineWidth = 2;
                line.MarkerSize = 5;
                line.LinePattern = pattern;
                line.LegendText = $"{method} ({set}{(set == "train" ? ", dashed" : "")})";
            }
        }
        plot.Title(title);
        plot.XLabel("λ (0 = A, 1 = B)");
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        return plot;
    }
}
