using System;
using System.Collections.Generic;
using System.Text;
using GmnGen.Tasks.Reporting;

namespace GmnGen.Tasks.Merging;

/// <summary>The interpolation curves as CSV: one row per λ × method (invariant culture, round-trip numbers, '\n' line ends).</summary>
public static class MergeCsv
{
    /// <summary>The header line.</summary>
    public const string Header = "lambda,method,test_loss,test_accuracy,train_loss,train_accuracy";

    /// <summary>The CSV text of <paramref name="points"/>, in the order given.</summary>
    public static string Render(IEnumerable<BarrierPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var p in points)
        {
            // Method names are ours (no comma or quote), so no field needs quoting.
            csv.AppendJoin(',', ReportFormat.Exact(p.Lambda), p.Method, ReportFormat.Exact(p.TestLoss), ReportFormat.Exact(p.TestAccuracy),
                ReportFormat.Exact(p.TrainLoss), ReportFormat.Exact(p.TrainAccuracy)).Append('\n');
        }
        return csv.ToString();
    }
}
