using System.Collections.Generic;
using System.Linq;
using System.Text;
using Spectre.Console;

namespace GmnGen.Cli.Bench;

/// <summary>One table of results, rendered alike to the console (Spectre) and to the markdown report.</summary>
public sealed class ReportTable(string title, params string[] columns)
{
    private readonly List<string[]> rows = [];
    private readonly List<string> notes = [];

    public string Title { get; } = title;
    public IReadOnlyList<string> Columns { get; } = columns;
    public IReadOnlyList<string[]> Rows => rows;
    public IReadOnlyList<string> Notes => notes;

    public ReportTable Row(params object[] cells)
    {
        rows.Add(cells.Select(c => c?.ToString() ?? "").ToArray());
        return this;
    }

    public ReportTable Note(string note)
    {
        notes.Add(note);
        return this;
    }

    public Table ToSpectre()
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(Title));
        foreach (var (column, i) in Columns.Select((c, i) => (c, i)))
            table.AddColumn(new TableColumn(Markup.Escape(column)) { Alignment = i == 0 ? Justify.Left : Justify.Right });
        foreach (var row in rows) table.AddRow(row.Select(c => new Text(c)).ToArray());
        return table;
    }

    public void WriteMarkdown(StringBuilder md)
    {
        md.AppendLine($"### {Title}").AppendLine();
        md.AppendLine("| " + string.Join(" | ", Columns) + " |");
        md.AppendLine("|" + string.Concat(Columns.Select((_, i) => i == 0 ? "---|" : "---:|")));
        foreach (var row in rows) md.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|"))) + " |");
        md.AppendLine();
        foreach (var note in notes) md.AppendLine($"- {note}");
        if (notes.Count > 0) md.AppendLine();
    }
}
