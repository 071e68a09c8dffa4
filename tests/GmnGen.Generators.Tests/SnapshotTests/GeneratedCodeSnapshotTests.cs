using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using GmnGen.Generators.Tests.Infrastructure;

namespace GmnGen.Generators.Tests.SnapshotTests;

/// <summary>
/// The generated module, graph and symmetry files of representative networks, pinned as snapshots
/// (<c>Snapshots/{TestClass}.{Method}#{HintName}.verified.cs</c>, Verify.SourceGenerators naming).
/// Every definition here must generate without diagnostics and compile.
/// </summary>
public sealed class GeneratedCodeSnapshotTests
{
    private const string Usings = """
        using GmnGen;
        using TorchSharp.Modules;

        """;

    /// <summary>Every snapshot these tests produce. The stale-snapshot test compares the folder with it, and
    /// every test checks that what it produced is listed here, so the list cannot drift.</summary>
    public static readonly IReadOnlyList<string> SnapshotNames = new[]
    {
        Name(nameof(Zoo_cnn_generates_code_that_compiles), "GmnGen.Tests.Networks.ZooCnn"),
        Name(nameof(Tiny_mlp_generates_code_that_compiles), "GmnGen.Tests.Networks.TinyMlp"),
        Name(nameof(Batch_norm_cnn_generates_code_that_compiles), "GmnGen.Tests.Networks.BatchNormCnn"),
        Name(nameof(Image_mlp_generates_code_that_compiles), "GmnGen.Tests.Networks.ImageMlp"),
        Name(nameof(Row_cnn_generates_code_that_compiles), "GmnGen.Tests.Networks.RowCnn"),
        Name(nameof(Nested_network_in_global_namespace_generates_code_that_compiles), "Outer.NestedMlp"),
        Name(nameof(Norm_cnn_generates_code_that_compiles), "GmnGen.Tests.Networks.NormCnn"),
        Name(nameof(Norm_row_cnn_generates_code_that_compiles), "GmnGen.Tests.Networks.NormRowCnn"),
        Name(nameof(Res_net_generates_code_that_compiles), "GmnGen.Tests.Networks.ResNet"),
        Name(nameof(Residual_mlp_generates_code_that_compiles), "GmnGen.Tests.Networks.ResidualMlp"),
        Name(nameof(Deep_sets_net_generates_code_that_compiles), "GmnGen.Tests.Networks.DeepSetsNet"),
        Name(nameof(Tiny_vit_generates_code_that_compiles), "GmnGen.Tests.Networks.TinyVit"),
        Name(nameof(Class_token_vit_generates_code_that_compiles), "ClsVit"),
        Name(nameof(Res_net_18_generates_code_that_compiles), "GmnGen.Tests.Networks.ResNet18"),
        Name(nameof(Bottleneck_res_net_generates_code_that_compiles), "GmnGen.Tests.Networks.BottleneckResNet"),
        [$"{nameof(GeneratedCodeSnapshotTests)}.{nameof(An_invalid_network_generates_only_its_stub)}#Bad.Module.g"],
    }.SelectMany(n => n).ToArray();

    private static IEnumerable<string> Name(string method, string hintPrefix) =>
        new[] { "Module", "Graph", "Symmetries" }.Select(file => $"{nameof(GeneratedCodeSnapshotTests)}.{method}#{hintPrefix}.{file}.g");

    /// <summary>
    /// The runtime tests' own declarations (tests/GmnGen.Tests/Networks/TestNetworks.cs), read from
    /// disk rather than copied, so the snapshots show the code those tests run.
    /// </summary>
    private static readonly string TestNetworks = File.ReadAllText(
        Path.Combine(RepoRoot.Path, "tests", "GmnGen.Tests", "Networks", "TestNetworks.cs")).Replace("\r\n", "\n");

    /// <summary>One class of TestNetworks.cs (the blank-line-separated block that declares it), compilable alone.</summary>
    private static string TestNetwork(string className)
    {
        var block = TestNetworks.Split("\n\n").SingleOrDefault(b => b.Contains($"partial class {className}\n"))
            ?? throw new InvalidOperationException($"TestNetworks.cs declares no class {className}");
        return Usings + "namespace GmnGen.Tests.Networks;\n\n" + block.Trim() + "\n";
    }

    private static readonly string ZooCnn = TestNetwork("ZooCnn");

    [Fact]
    public void Zoo_cnn_generates_code_that_compiles() => VerifyGenerated(Usings + ZooCnn);

    [Fact]
    public void Forward_observed_hands_each_module_its_input_under_its_state_name()
    {
        var run = GeneratorHarness.Run(Usings + ZooCnn);
        run.AssertCleanAndCompiles();

        var lines = run.Sources["GmnGen.Tests.Networks.ZooCnn.Module.g.cs"].Split('\n').Select(l => l.Trim()).ToArray();
        var observed = lines.Select((l, i) => (l, i)).Where(p => p.l.StartsWith("observe?.Invoke(", StringComparison.Ordinal)).ToArray();
        Assert.Equal(new[] { "Conv1", "Conv2", "Conv3", "Head" }, observed.Select(p => p.l.Split('"')[1]));
        // Each observation comes right before its module's call, which reads x.
        foreach (var (line, index) in observed)
            Assert.StartsWith($"x = __{line.Split('"')[1]}.forward(x);", lines[index + 1]);
        Assert.Contains("public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input) => ForwardObserved(input, null);", lines);
    }

    [Fact]
    public void Forward_comments_give_the_sample_shape_after_each_statement()
    {
        var run = GeneratorHarness.Run(Usings + ZooCnn);
        run.AssertCleanAndCompiles();

        var forward = run.Sources["GmnGen.Tests.Networks.ZooCnn.Module.g.cs"].Split('\n')
            .Select(l => l.Trim())
            .SkipWhile(l => l != "var x = input;").Skip(1)
            .TakeWhile(l => l != "return x.MoveToOuterDisposeScope();")
            .Where(l => !l.StartsWith("observe?.Invoke(", StringComparison.Ordinal))
            .ToArray();

        const string F = "global::TorchSharp.torch.nn.functional";
        Assert.Equal(new[]
        {
            "x = __Conv1.forward(x); // [batch, 16, 13, 13]",
            $"x = {F}.relu(x); // [batch, 16, 13, 13]",
            "x = __Conv2.forward(x); // [batch, 16, 6, 6]",
            $"x = {F}.relu(x); // [batch, 16, 6, 6]",
            "x = __Conv3.forward(x); // [batch, 16, 2, 2]",
            $"x = {F}.relu(x); // [batch, 16, 2, 2]",
            "x = x.mean(new long[] { 2, 3 }); // [batch, 16]",
            "x = __Head.forward(x); // [batch, 10]",
        }, forward);
    }

    [Fact]
    public void Tiny_mlp_generates_code_that_compiles() => VerifyGenerated(TestNetwork("TinyMlp"));

    [Fact]
    public void Batch_norm_cnn_generates_code_that_compiles() => VerifyGenerated(TestNetwork("BatchNormCnn"));

    [Fact]
    public void Image_mlp_generates_code_that_compiles() => VerifyGenerated(TestNetwork("ImageMlp"));

    [Fact]
    public void Row_cnn_generates_code_that_compiles() => VerifyGenerated(TestNetwork("RowCnn"));

    [Fact]
    public void Norm_cnn_generates_code_that_compiles() => VerifyGenerated(TestNetwork("NormCnn"));

    [Fact]
    public void Norm_row_cnn_generates_code_that_compiles() => VerifyGenerated(TestNetwork("NormRowCnn"));

    [Fact]
    public void Res_net_generates_code_that_compiles() => VerifyGenerated(TestNetwork("ResNet"));

    [Fact]
    public void Res_net_18_generates_code_that_compiles() => VerifyGenerated(TestNetwork("ResNet18"));

    [Fact]
    public void Bottleneck_res_net_generates_code_that_compiles() => VerifyGenerated(TestNetwork("BottleneckResNet"));

    [Fact]
    public void Residual_mlp_generates_code_that_compiles() => VerifyGenerated(TestNetwork("ResidualMlp"));

    [Fact]
    public void Deep_sets_net_generates_code_that_compiles() => VerifyGenerated(TestNetwork("DeepSetsNet"));

    [Fact]
    public void Tiny_vit_generates_code_that_compiles() => VerifyGenerated(TestNetwork("TinyVit"));

    /// <summary>The official ViT maker's pieces: a fixed sinusoidal encoding, a class token and its readout.</summary>
    [Fact]
    public void Class_token_vit_generates_code_that_compiles() => VerifyGenerated(Usings + """
        [Network(InputShape = [1, 16, 16])]
        public sealed partial class ClsVit
        {
            [PatchEmbed(8, Patch = 4), SinusoidalPositions] public partial Conv2d Patches { get; }
            [ClassToken] public partial GmnGen.Modules.ClassToken Cls { get; }
            [LayerNorm] public partial LayerNorm Norm1 { get; }
            [SelfAttention(2), Residual(nameof(Norm1))] public partial GmnGen.Modules.SelfAttention Attention { get; }
            [LayerNorm, FirstToken] public partial LayerNorm FinalNorm { get; }
            [Linear(3)] public partial Linear Head { get; }
        }
        """);

    /// <summary>What an invalid network gets instead of its three files: members that throw, so the build
    /// lists the GMN diagnostic and no compiler error.</summary>
    [Fact]
    public void An_invalid_network_generates_only_its_stub()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Network(InputShape = [4])]
            public sealed partial class Bad
            {
                [Linear(3, In = 5), ReLU] public partial Linear Fc { get; }
                [Linear(2)] internal partial Linear Head { get; }
            }
            """);
        run.AssertGeneratorDidNotFail();
        Assert.Equal(["GMN0001"], run.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Empty(run.OutputErrors);
        var (hint, text) = Assert.Single(run.Sources);
        Snapshot.Match($"//HintName: {hint}\n{text}", SnapshotName(nameof(An_invalid_network_generates_only_its_stub), hint));
    }

    [Fact]
    public void Nested_network_in_global_namespace_generates_code_that_compiles() => VerifyGenerated(Usings + """
        public partial class Outer
        {
            [Network(InputShape = [4])]
            internal sealed partial class NestedMlp
            {
                [Linear(8, Name = "hidden"), ReLU] internal partial Linear Hidden { get; }
                [Linear(2)] public partial Linear Out { get; }
            }
        }
        """);

    [Fact]
    public void Snapshots_folder_holds_no_snapshot_that_no_test_produces()
    {
        var stale = Snapshot.StaleSnapshots(SnapshotsDirectory(), SnapshotNames);

        Assert.True(stale.Count == 0,
            "Verified snapshots that no test produces (delete them, or add their test to SnapshotNames):\n" +
            string.Join("\n", stale));
    }

    private static void VerifyGenerated(string source, [CallerMemberName] string method = "")
    {
        var run = GeneratorHarness.Run(source);
        run.AssertCleanAndCompiles();
        Assert.True(run.Sources.Count > 0, "The generator produced no files.");

        var produced = run.Sources.Keys.Select(hint => SnapshotName(method, hint)).ToList();
        var listed = SnapshotNames.Where(n => n.StartsWith($"{nameof(GeneratedCodeSnapshotTests)}.{method}#", StringComparison.Ordinal)).ToList();
        Assert.True(produced.OrderBy(n => n, StringComparer.Ordinal).SequenceEqual(listed.OrderBy(n => n, StringComparer.Ordinal)),
            $"Files produced by {method} and SnapshotNames disagree.\nproduced: {string.Join(", ", produced)}\nlisted:   {string.Join(", ", listed)}");

        foreach (var (hint, text) in run.Sources)
            Snapshot.Match($"//HintName: {hint}\n{text}", SnapshotName(method, hint));
    }

    /// <summary>Verify.SourceGenerators naming: the hint name without its ".cs".</summary>
    private static string SnapshotName(string method, string hint) =>
        $"{nameof(GeneratedCodeSnapshotTests)}.{method}#{(hint.EndsWith(".cs", StringComparison.Ordinal) ? hint[..^3] : hint)}";

    private static string SnapshotsDirectory([CallerFilePath] string file = "") =>
        Path.Combine(Path.GetDirectoryName(file)!, "Snapshots");
}
