using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using GmnGen.Generators.Tests.Infrastructure;

namespace GmnGen.Generators.Tests;

/// <summary>
/// Each diagnostic page's example really produces the message the page shows, and its fix really
/// compiles: the pages cannot drift from the generator.
/// </summary>
public sealed class DocumentationExampleTests
{
    private const string Usings = "using GmnGen;\nusing TorchSharp.Modules;\n";
    private static readonly Regex CSharpBlock = new("```csharp\\n(.*?)```", RegexOptions.Singleline);
    private static readonly Regex MessageLine = new("(?:error|warning) (GMN\\d{4}): (.*)");

    public static TheoryData<string> Pages => new(Diagnostics.All.Select(d => d.Id).Where(id => id != Diagnostics.InternalError.Id));

    [Theory]
    [MemberData(nameof(Pages))]
    public void The_example_on_each_page_reports_the_message_shown(string id)
    {
        var (example, _, message) = Read(id);
        var run = GeneratorHarness.Run(Usings + example);
        var reported = run.GeneratorDiagnostics.Where(d => d.Id == id).Select(d => d.GetMessage()).ToList();
        Assert.True(reported.Contains(message), $"{id}.md shows\n  {message}\nbut its example reports\n  {string.Join("\n  ", run.GeneratorDiagnostics.Select(d => d.Id + ": " + d.GetMessage()))}");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void The_fix_on_each_page_compiles_without_diagnostics(string id)
    {
        var (_, fix, _) = Read(id);
        var run = GeneratorHarness.Run(Usings + fix);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, $"{id}.md's fix reports {string.Join("; ", run.GeneratorDiagnostics)}");
        Assert.True(run.OutputErrors.Count == 0, $"{id}.md's fix does not compile: {string.Join("; ", run.OutputErrors)}");
    }

    /// <summary>The first C# block is the example, the last the fix; the first "error GMNxxxx:" line the message.</summary>
    private static (string Example, string Fix, string Message) Read(string id)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "diagnostics", id + ".md")).Replace("\r\n", "\n");
        var blocks = CSharpBlock.Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.True(blocks.Count >= 2, $"{id}.md needs an example and a fix in ```csharp blocks");
        var message = MessageLine.Matches(text).FirstOrDefault(m => m.Groups[1].Value == id);
        Assert.True(message is not null, $"{id}.md shows no 'error {id}: ...' line");
        return (blocks[0], blocks[^1], message!.Groups[2].Value.Trim());
    }
}
