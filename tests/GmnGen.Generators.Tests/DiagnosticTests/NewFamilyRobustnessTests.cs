using System.Linq;
using GmnGen.Generators.Tests.Infrastructure;

namespace GmnGen.Generators.Tests.DiagnosticTests;

/// <summary>
/// The generator never throws on the new families' attributes: out-of-range, null and huge
/// arguments each end in a GMN diagnostic of their own (never GMN0099, the internal error), no
/// generated file but the stub, and no compiler error.
/// </summary>
public sealed class NewFamilyRobustnessTests
{
    private const string Usings = "using GmnGen;\nusing TorchSharp.Modules;\n\n";

    [Theory]
    [InlineData("[2, 8]", "[Conv1d(4)] public partial Conv1d A { get; }\n[GroupNorm(int.MaxValue)] public partial GroupNorm B { get; }", "GMN0020")]
    [InlineData("[2, 8]", "[Conv1d(4)] public partial Conv1d A { get; }\n[GroupNorm(-2)] public partial GroupNorm B { get; }", "GMN0004")]
    [InlineData("[4]", "[Linear(4), Residual(null!)] public partial Linear A { get; }", "GMN0022")]
    [InlineData("[4]", "[Linear(4)] public partial Linear A { get; }\n[Shortcut(\"\"), Linear(4)] public partial Linear B { get; }", "GMN0022")]
    [InlineData("[4]", "[Shortcut(nameof(A)), Linear(4)] public partial Linear A { get; }", "GMN0013")] // a projection alone makes no outputs
    [InlineData("[50000, 3]", "[DeepSets(50000)] public partial GmnGen.Modules.DeepSets A { get; }", "GMN0017")]
    [InlineData("[50000, 3]", "[SelfAttention(1)] public partial GmnGen.Modules.SelfAttention A { get; }", "GMN0017")]
    [InlineData("[8, 3]", "[SelfAttention(-1)] public partial GmnGen.Modules.SelfAttention A { get; }", "GMN0004")]
    [InlineData("[1, 28, 28]", "[PatchEmbed(8, Patch = 0)] public partial Conv2d A { get; }", "GMN0004")]
    [InlineData("[1, 28, 28]", "[PatchEmbed(8, Patch = 100)] public partial Conv2d A { get; }", "GMN0023")]
    [InlineData("[8, 3]", "[Conv1d(8, Kernel = 1)] public partial Conv1d A { get; }\n[PositionalEmbedding(Length = -1)] public partial GmnGen.Modules.PositionalEmbedding B { get; }", "GMN0001")]
    [InlineData("[8]", "[PositionalEmbedding] public partial GmnGen.Modules.PositionalEmbedding A { get; }\n[Linear(2)] public partial Linear B { get; }", "GMN0010")]
    [InlineData("[3, 4, 4]", "[InstanceNorm1d] public partial InstanceNorm1d A { get; }\n[Conv2d(2)] public partial Conv2d B { get; }", "GMN0010")]
    public void Invalid_arguments_of_the_new_families_end_in_their_diagnostic(string shape, string members, string id)
    {
        var run = GeneratorHarness.Run(Usings + $"[Network(InputShape = {shape})]\npublic partial class Net\n{{\n{members}\n}}\n");
        var ids = run.GeneratorDiagnostics.Select(d => d.Id).ToList();
        Assert.True(ids.Contains(id), $"expected {id}, got [{string.Join(", ", ids)}]");
        Assert.DoesNotContain("GMN0099", ids);
        Assert.All(run.Sources.Values, text => Assert.Contains("only throw until they are fixed", text));
        Assert.Empty(run.OutputErrors);
    }
}
