using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace GmnGen.Tasks.Reporting;

/// <summary>The runs and their test predictions as CSV (RFC 4180 quoting, invariant culture, '\n' line ends).</summary>
public static class CsvExport
{
    /// <summary>Header of <see cref="Results"/>.</summary>
    public const string ResultsHeader = "split,method,seed,r2,kendall_tau,train,validation,test,best_epoch,fit_seconds,parameters,validation_r2";

    /// <summary>Header of <see cref="Predictions"/>.</summary>
    public const string PredictionsHeader = "split,method,seed,id,truth,predicted";

    /// <summary>One row per run, in run order, with the sizes of its split.</summary>
    public static string Results(ExperimentSummary summary)
    {
        var splits = summary.Splits.ToDictionary(s => s.Name);
        var csv = new StringBuilder(ResultsHeader).Append('\n');
        foreach (var run in summary.Runs)
        {
            if (!splits.TryGetValue(run.Split, out var split))
                throw new ArgumentException($"Run of {run.Method} names split '{run.Split}', which the summary does not list.", nameof(summary));
            Line(csv, run.Split, run.Method, Int(run.Seed), ReportFormat.Exact(run.R2), ReportFormat.Exact(run.KendallTau),
                Int(split.Train), Int(split.Validation), Int(split.Test), Int(run.Fit.BestEpoch),
                ReportFormat.Exact(run.Fit.Elapsed.TotalSeconds), run.Fit.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ReportFormat.Exact(SelectedValidationR2(run.Fit)));
        }
        return csv.ToString();
    }

    /// <summary>The validation R² of the kept epoch: what choices between settings are made on (never the test scores).</summary>
    public static double SelectedValidationR2(Prediction.FitReport fit) =>
        fit.Curve.FirstOrDefault(e => e.Epoch == fit.BestEpoch)?.ValidationR2 ?? double.NaN;

    /// <summary>One row per test checkpoint of every run.</summary>
    public static string Predictions(ExperimentSummary summary)
    {
        var csv = new StringBuilder(PredictionsHeader).Append('\n');
        foreach (var run in summary.Runs)
        {
            if (run.Ids.Count != run.Truth.Count || run.Truth.Count != run.Predicted.Count)
                throw new ArgumentException($"Run of {run.Method} on {run.Split} (seed {run.Seed}) has {run.Ids.Count} ids, "
                    + $"{run.Truth.Count} true values and {run.Predicted.Count} predictions.", nameof(summary));
            for (int i = 0; i < run.Ids.Count; i++)
                Line(csv, run.Split, run.Method, Int(run.Seed), run.Ids[i], ReportFormat.Exact(run.Truth[i]), ReportFormat.Exact(run.Predicted[i]));
        }
        return csv.ToString();
    }

    private static string Int(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Line(StringBuilder csv, params string[] fields) =>
        csv.AppendJoin(',', fields.Select(Quote)).Append('\n');

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : $"\"{field.Replace("\"", "\"\"")}\"";
}
