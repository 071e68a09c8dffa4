using System;
using System.Collections.Generic;
using System.IO;
using GmnGen.Storage;

namespace GmnGen.Tasks.Reporting;

/// <summary>Writes the experiment's report folder: report.md, two CSVs and the PNG figures.</summary>
public static class ReportWriter
{
    /// <summary>
    /// Writes every file atomically (a reader sees the previous version or the new one, never a torn
    /// file) and returns their full paths. report.md is written last, so its links resolve as soon as it appears.
    /// Files of splits that are no longer in <paramref name="summary"/> are left in place.
    /// </summary>
    public static IReadOnlyList<string> Write(string directory, ExperimentSummary summary)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(summary);
        Directory.CreateDirectory(directory);
        AtomicFile.RemoveStaleTemporaries(directory);   // left by a process killed while writing the last report
        var written = new List<string>();

        void Text(string name, string text) => Bytes(name, System.Text.Encoding.UTF8.GetBytes(text));
        void Bytes(string name, byte[] bytes)
        {
            var path = Path.GetFullPath(Path.Combine(directory, name));
            AtomicFile.Write(path, stream => stream.Write(bytes));
            written.Add(path);
        }

        Text("results.csv", CsvExport.Results(summary));
        Text("predictions.csv", CsvExport.Predictions(summary));

        var figures = new List<(string File, string Caption)>();
        foreach (var split in summary.Splits)
        {
            var png = ScatterChart.Render(summary, split.Name);
            if (png is null) continue;
            var file = ReportFormat.ScatterFile(split.Name);
            Bytes(file, png);
            figures.Add((file, $"Predicted vs true accuracy: {split.Name}"));
        }
        if (summary.ZooTargets is { Count: > 0 } targets)
        {
            Bytes("accuracy-histogram.png", AccuracyHistogram.Render(targets));
            figures.Add(("accuracy-histogram.png", "The zoo's test accuracies"));
        }
        if (summary.Curve is { Count: > 0 } curve)
        {
            Text("learning-curve.csv", LearningCurve.Csv(curve));
            Bytes("learning-curve.png", LearningCurve.Render(curve));
            figures.Add(("learning-curve.png", "Learning curve: scores against training runs (random split)"));
        }
        Bytes("training-curves.png", TrainingCurvesChart.Render(summary));
        figures.Add(("training-curves.png", "Validation R² per epoch"));

        Text("report.md", MarkdownReport.Render(summary, figures));
        return written;
    }
}
