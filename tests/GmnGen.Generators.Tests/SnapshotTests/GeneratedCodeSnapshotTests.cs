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
    }.SelectMany(n => n).ToArray();

    private static IEnumerable<string> Name(string method, string hintPrefix) =>
        new[] { "Module", "Graph", "Symmetries" }.Select(file => $"{nameof(GeneratedCodeSnapshotTests)}.{method}#{hintPrefix}.{file}.g");

    private const string ZooCnn = """
        namespace GmnGen.Tests.Networks;

        /// <summary>The Small CNN Zoo architecture (Unterthiner et al. 2020): 4,970 parameters.</summary>
        [Network(InputShape = [1, 28, 28])]
        public sealed partial class ZooCnn
        {
            [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv1 { get; }
            [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv2 { get; }
            [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv3 { get; }
            [GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
        }
        """;

    [Fact]
    public void Zoo_cnn_generates_code_that_compiles() => VerifyGenerated(Usings + ZooCnn);

    [Fact]
    public void Forward_comments_give_the_sample_shape_after_each_statement()
    {
        var run = GeneratorHarness.Run(Usings + ZooCnn);
        run.AssertCleanAndCompiles();

        var forward = run.Sources["GmnGen.Tests.Networks.ZooCnn.Module.g.cs"].Split('\n')
            .Select(l => l.Trim())
            .SkipWhile(l => l != "var x = input;").Skip(1)
            .TakeWhile(l => l != "return x;")
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
    public void Tiny_mlp_generates_code_that_compiles() => VerifyGenerated(Usings + """
        namespace GmnGen.Tests.Networks;

        [Network(InputShape = [2])]
        public sealed partial class TinyMlp
        {
            [Linear(3, Bias = false), ReLU] public partial Linear Fc1 { get; }
            [LayerNorm] public partial LayerNorm Norm { get; }
            [Linear(1)] public partial Linear Fc2 { get; }
        }
        """);

    [Fact]
    public void Batch_norm_cnn_generates_code_that_compiles() => VerifyGenerated(Usings + """
        namespace GmnGen.Tests.Networks;

        [Network(InputShape = [1, 28, 28])]
        public sealed partial class BatchNormCnn
        {
            [Conv2d(8, Kernel = 3, Padding = 1)] public partial Conv2d Conv1 { get; }
            [BatchNorm2d, ReLU, MaxPool2d(2)] public partial BatchNorm2d Bn1 { get; }
            [Conv2d(12, Kernel = 3, Stride = 2, Dilation = 1)] public partial Conv2d Conv2 { get; }
            [BatchNorm2d, SiLU, GlobalAvgPool] public partial BatchNorm2d Bn2 { get; }
            [Linear(10)] public partial Linear Head { get; }
        }
        """);

    [Fact]
    public void Image_mlp_generates_code_that_compiles() => VerifyGenerated(Usings + """
        namespace GmnGen.Tests.Networks;

        [Network(InputShape = [1, 28, 28])]
        public sealed partial class ImageMlp
        {
            [Flatten, Linear(32), GELU] public partial Linear Fc1 { get; }
            [Dropout(P = 0.1), Linear(16), Tanh] public partial Linear Fc2 { get; }
            [BatchNorm1d] public partial BatchNorm1d Bn { get; }
            [Linear(10)] public partial Linear Out { get; }
        }
        """);

    [Fact]
    public void Row_cnn_generates_code_that_compiles() => VerifyGenerated(Usings + """
        namespace GmnGen.Tests.Networks;

        [Network(InputShape = [28, 28])]
        public sealed partial class RowCnn
        {
            [Conv1d(12, Kernel = 5, Stride = 2, Bias = false), LeakyReLU(NegativeSlope = 0.1)] public partial Conv1d Conv1 { get; }
            [Conv1d(6, Kernel = 3, Dilation = 2), Sigmoid, AvgPool1d(2)] public partial Conv1d Conv2 { get; }
            [Flatten, Linear(10, In = 24)] public partial Linear Head { get; }
        }
        """);

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
