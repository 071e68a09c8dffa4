using System;
using System.Globalization;
using System.Linq;

namespace GmnGen.Tasks.Reporting;

/// <summary>Number, duration and file-name formatting shared by the report's files; always invariant culture.</summary>
public static class ReportFormat
{
    /// <summary>A score with 3 decimals ("0.812"); "n/a" for NaN.</summary>
    public static string Score(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString("F3", CultureInfo.InvariantCulture);

    /// <summary>"0.812 ± 0.010".</summary>
    public static string MeanStd(double mean, double std) => $"{Score(mean)} ± {Score(std)}";

    /// <summary>"4.2 s", "3m 05s" or "1h 02m".</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalSeconds < 60 ? span.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s"
        : span.TotalHours < 1 ? $"{(int)span.TotalMinutes}m {span.Seconds:00}s"
        : $"{(int)span.TotalHours}h {span.Minutes:00}m";

    /// <summary>A double that parses back to the same value ("R" under invariant culture).</summary>
    public static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A split name made safe for a file name: anything but letters, digits, '-', '_' and '.' becomes '-'.</summary>
    public static string FileSafe(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());

    /// <summary>The scatter plot's file name for a split.</summary>
    public static string ScatterFile(string split) => $"scatter-{FileSafe(split)}.png";
}
