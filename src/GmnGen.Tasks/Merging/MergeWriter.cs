using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using GmnGen.Storage;

namespace GmnGen.Tasks.Merging;

/// <summary>Writes the merge folder: interpolation.csv, interpolation.png and report.md, each atomically.</summary>
public static class MergeWriter
{
    /// <summary>The CSV's file name.</summary>
    public const string CsvFile = "interpolation.csv";

    /// <summary>The figure's file name.</summary>
    public const string ChartFile = "interpolation.png";

    /// <summary>The report's file name.</summary>
    public const string ReportFile = "report.md";

    /// <summary>Writes the three files (report.md last, so its links resolve as soon as it appears) and returns their full paths.</summary>
    public static IReadOnlyList<string> Write(string directory, MergeRunInfo info, BarrierStudyResult result)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        AtomicFile.RemoveStaleTemporaries(directory);   // left by a process killed while writing
        var written = new List<string>();
        void Bytes(string name, byte[] bytes)
        {
            var path = Path.GetFullPath(Path.Combine(directory, name));
            AtomicFile.Write(path, stream => stream.Write(bytes));
            written.Add(path);
        }
        Bytes(CsvFile, Encoding.UTF8.GetBytes(MergeCsv.Render(result.Points)));
        Bytes(ChartFile, MergeChart.Render(result.Points));
        Bytes(ReportFile, Encoding.UTF8.GetBytes(MergeReport.Render(info, result, ChartFile, CsvFile)));
        return written;
    }
}
