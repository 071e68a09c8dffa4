using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace GmnGen.Generators.Tests;

/// <summary>
/// The diagnostic catalogue (<see cref="Diagnostics.All"/>), its documentation pages and the shipped
/// analyzer release notes stay in sync.
/// </summary>
public sealed class CatalogueTests
{
    private static readonly string RepoRoot = Tests.RepoRoot.Path;

    public static TheoryData<string> Ids => new(Diagnostics.All.Select(d => d.Id));

    [Fact]
    public void Catalogue_lists_every_descriptor_once_with_GMN_ids_as_errors_but_the_unresolved_name_hint()
    {
        Assert.NotEmpty(Diagnostics.All);
        Assert.Equal(Diagnostics.All.Count, Diagnostics.All.Select(d => d.Id).Distinct().Count());
        Assert.All(Diagnostics.All, d =>
        {
            Assert.Matches("^GMN[0-9]{4}$", d.Id);
            // Warnings only for hints beside a compiler error that already fails the build.
            Assert.Equal(d.Id == Diagnostics.UnresolvedName.Id ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.Equal("GmnGen", d.Category);
        });
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_diagnostic_has_a_documentation_page(string id)
    {
        string page = Path.Combine(RepoRoot, "docs", "diagnostics", id + ".md");

        Assert.True(File.Exists(page), $"{id} has no documentation page: expected {page}");
        string text = File.ReadAllText(page);
        Assert.True(text.Contains(id, StringComparison.Ordinal), $"{page} does not mention {id}.");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_diagnostic_has_a_row_in_the_shipped_release_notes(string id)
    {
        var descriptor = Diagnostics.ById(id);
        string expected = $"{id} | {descriptor.Category} | {descriptor.DefaultSeverity} | {descriptor.Title}";

        var rows = ShippedRows().Where(r => r.StartsWith(id + " ", StringComparison.Ordinal)).ToList();

        Assert.True(rows.Count == 1, $"Expected one row for {id} in AnalyzerReleases.Shipped.md, found {rows.Count}: {string.Join(" / ", rows)}");
        Assert.Equal(expected, rows[0]);
    }

    [Fact]
    public void Every_row_in_the_shipped_release_notes_is_in_the_catalogue()
    {
        var ids = Diagnostics.All.Select(d => d.Id).ToHashSet();
        var unknown = ShippedRows().Select(r => r.Split('|')[0].Trim()).Where(id => id.StartsWith("GMN", StringComparison.Ordinal) && !ids.Contains(id)).ToList();

        Assert.True(unknown.Count == 0, "Rows in AnalyzerReleases.Shipped.md without a descriptor: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Documentation_folder_has_no_page_for_an_unknown_diagnostic()
    {
        var ids = Diagnostics.All.Select(d => d.Id).ToHashSet();
        string folder = Path.Combine(RepoRoot, "docs", "diagnostics");
        var orphans = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "GMN*.md").Select(Path.GetFileNameWithoutExtension).Where(id => !ids.Contains(id!)).ToList()
            : new();

        Assert.True(orphans.Count == 0, "Pages for diagnostics that do not exist: " + string.Join(", ", orphans));
    }

    private static string[] ShippedRows() =>
        File.ReadAllLines(Path.Combine(RepoRoot, "generators", "GmnGen.Generators", "AnalyzerReleases.Shipped.md"))
            .Select(l => string.Join(" | ", l.Split('|').Select(c => c.Trim())))
            .Where(l => l.StartsWith("GMN", StringComparison.Ordinal))
            .ToArray();
}
