using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using GmnGen.Storage;

namespace GmnGen.Tasks.Zoo;

/// <summary>
/// Reads and writes the CSV manifests of a zoo folder. A folder may hold several (one per shard,
/// <c>manifest*.csv</c>); reading unions them, so shards built on different machines merge by
/// copying their folders into one.
/// </summary>
public static class ZooManifest
{
    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> atomically (readers never see half a manifest).</summary>
    public static void Write(string path, IEnumerable<ZooCheckpoint> rows)
    {
        var text = new StringBuilder(ZooCheckpoint.Header).Append('\n');
        foreach (var row in rows) text.Append(row.ToCsv()).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>The rows of one manifest file.</summary>
    /// <exception cref="InvalidDataException">Wrong header, wrong column count or an unparsable value; the message names file, line and column.</exception>
    public static List<ZooCheckpoint> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var columns = ZooCheckpoint.Header.Split(',');
        if (lines.Length == 0 || lines[0] != ZooCheckpoint.Header)
            throw new InvalidDataException($"{path}: not a zoo manifest: {HeaderProblem(lines.Length == 0 ? "" : lines[0], columns)}; " +
                                           $"the first line must be the header '{ZooCheckpoint.Header}'.");
        var rows = new List<ZooCheckpoint>();
        for (int line = 1; line < lines.Length; line++)
        {
            if (lines[line].Length == 0) continue;
            var cells = lines[line].Split(',');
            if (cells.Length != columns.Length)
                throw new InvalidDataException($"{path}:{line + 1}: {cells.Length} columns, expected {columns.Length} ({ZooCheckpoint.Header}).");
            var reader = new CellReader(path, line + 1, columns, cells);
            rows.Add(new ZooCheckpoint(
                reader.Text(0), reader.Int(1), reader.Text(2), reader.Text(3), reader.Int(4), reader.Int(5), reader.Int(6),
                reader.Text(7), reader.Text(8), reader.Double(9), reader.Text(10), reader.Double(11), reader.Double(12),
                reader.Double(13), reader.Double(14), reader.Int(15), reader.Int(16), reader.Int(17), reader.Long(18),
                reader.Double(19), reader.Double(20), reader.Text(21)));
        }
        return rows;
    }

    /// <summary>Every row of every <c>manifest*.csv</c> in <paramref name="directory"/>, ordered by run and step.</summary>
    /// <exception cref="InvalidDataException">Two manifests list the same checkpoint id.</exception>
    public static List<ZooCheckpoint> ReadAll(string directory)
    {
        var rows = new List<ZooCheckpoint>();
        var seen = new Dictionary<string, string>();
        foreach (var path in Directory.GetFiles(directory, "manifest*.csv").Order(StringComparer.Ordinal))
        {
            foreach (var row in Read(path))
            {
                if (seen.TryGetValue(row.Id, out var other))
                    throw new InvalidDataException($"Checkpoint {row.Id} is listed in both {other} and {path}: shards of one zoo must be disjoint.");
                seen[row.Id] = path;
                rows.Add(row);
            }
        }
        return rows.OrderBy(r => r.Run).ThenBy(r => r.Step).ToList();
    }

    /// <summary>What is wrong with a header line: the columns it lacks or adds, or their order.</summary>
    private static string HeaderProblem(string header, string[] expected)
    {
        if (header.Length == 0) return "the file is empty";
        var found = header.Split(',');
        var missing = expected.Except(found).ToList();
        var extra = found.Except(expected).ToList();
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(c => $"'{c}'"))} missing");
        if (extra.Count > 0) parts.Add($"unknown column{(extra.Count > 1 ? "s" : "")} {string.Join(", ", extra.Select(c => $"'{c}'"))}");
        return parts.Count > 0 ? string.Join(", ", parts) : "the columns are in another order";
    }

    private readonly record struct CellReader(string Path, int Line, string[] Columns, string[] Cells)
    {
        public string Text(int i) => Cells[i];
        public int Int(int i) => int.TryParse(Cells[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(i, "an integer");
        public long Long(int i) => long.TryParse(Cells[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(i, "an integer");
        public double Double(int i) => double.TryParse(Cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(i, "a number");
        private InvalidDataException Bad(int i, string expected) =>
            new($"{Path}:{Line}: column '{Columns[i]}' is '{Cells[i]}', expected {expected}.");
    }
}
