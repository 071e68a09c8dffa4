using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ScottPlot;

namespace GmnGen.Tasks.Reporting;

/// <summary>One point of the learning curve: a method's test scores over seeds at one training-set size.</summary>
public sealed record CurvePoint(int TrainRuns, double TrainCheckpoints, string Method, int Seeds, double R2Mean, double R2Std, double TauMean, double TauStd);

/// <summary>The learning curve's table, CSV and figure: R² and Kendall τ of every method against the number of training runs.</summary>
public static class LearningCurve
{
    /// <summary>Header of <see cref="Csv"/>.</summary>
    public const string CsvHeader = "train_runs,train_checkpoints,method,seed,r2,kendall_tau,validation_r2";

    /// <summary>Mean ± sample std over seeds per size and method, smallest size first, methods in first-appearance order.</summary>
    public static IReadOnlyList<CurvePoint> Points(IReadOnlyList<CurveRun> curve)
    {
        var methods = curve.Select(c => c.Run.Method).Distinct().ToList();
        return curve.GroupBy(c => c.TrainRuns).OrderBy(g => g.Key)
            .SelectMany(size => methods.Select(m => size.Where(c => c.Run.Method == m).ToList()).Where(g => g.Count > 0).Select(g =>
            {
                var (r2, r2Std) = ResultTable.MeanStd(g.Select(c => c.Run.R2).ToList());
                var (tau, tauStd) = ResultTable.MeanStd(g.Select(c => c.Run.KendallTau).ToList());
                return new CurvePoint(size.Key, g.Average(c => c.TrainCheckpoints), g[0].Run.Method, g.Count, r2, r2Std, tau, tauStd);
            })).ToList();
    }

    /// <summary>One row per fit.</summary>
    public static string Csv(IReadOnlyList<CurveRun> curve)
    {
        var csv = new StringBuilder(CsvHeader).Append('\n');
        foreach (var c in curve.OrderBy(c => c.TrainRuns))
            csv.Append(string.Join(",", c.TrainRuns.ToString(CultureInfo.InvariantCulture), c.TrainCheckpoints.ToString(CultureInfo.InvariantCulture),
                c.Run.Method, c.Run.Seed.ToString(CultureInfo.InvariantCulture), ReportFormat.Exact(c.Run.R2), ReportFormat.Exact(c.Run.KendallTau),
                ReportFormat.Exact(CsvExport.SelectedValidationR2(c.Run.Fit)))).Append('\n');
        return csv.ToString();
    }

    /// <summary>PNG: R² (left) and Kendall τ (right) against training runs on a log axis, mean ± std over seeds per method.</summary>
    public static byte[] Render(IReadOnlyList<CurveRun> curve, int width = 1300, int height = 550)
    {
        var points = Points(curve);
        var methods = points.Select(p => p.Method).Distinct().ToList();
        var figure = new Multiplot();
        figure.AddPlots(2);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Panel(figure.GetPlot(0), points, methods, p => (p.R2Mean, p.R2Std), "R² on the test runs");
        Panel(figure.GetPlot(1), points, methods, p => (p.TauMean, p.TauStd), "Kendall τ on the test runs");
        using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(width, height));
        figure.Render(surface);
        using var image = surface.Snapshot();
        using var png = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static void Panel(Plot plot, IReadOnlyList<CurvePoint> points, IReadOnlyList<string> methods, Func<CurvePoint, (double Mean, double Std)> score, string title)
    {
        foreach (var method in methods)
        {
            var mine = points.Where(p => p.Method == method).ToList();
            double[] xs = mine.Select(p => Math.Log10(p.TrainRuns)).ToArray();
            double[] ys = mine.Select(p => score(p).Mean).ToArray();
            var color = ChartStyle.MethodColor(methods, method);
            var line = plot.Add.Scatter(xs, ys, color);
            line.LegendText = method;
            line.MarkerSize = 7;
            var bars = plot.Add.ErrorBar(xs, ys, mine.Select(p => score(p).Std).ToArray());
            bars.Color = color;
        }
        var ticks = points.Select(p => p.TrainRuns).Distinct().Order().Select(n => new Tick(Math.Log10(n), n.ToString(CultureInfo.InvariantCulture))).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Title(title);
        plot.XLabel("Training runs (random split, log scale)");
        plot.YLabel("mean ± std over seeds");
        plot.ShowLegend(Alignment.LowerRight);
    }
}
