using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using GmnGen.Generators.Tests;
using GmnGen.Graphs;
using GmnGen.Storage;
using GmnGen.Tasks.Zoo;
using GmnGen.Tests.Data;
using GmnGen.Tests.Networks;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Tasks;

/// <summary>
/// Graphs out for PyTorch (Geometric): <see cref="GraphSetFile"/>'s layout, <c>gmn graphs</c> on a zoo
/// and <c>gmn inspect</c> on a user's assembly (this test assembly, which declares many networks).
/// </summary>
[Collection(nameof(GlobalGeneratorCollection))]
public sealed class GraphExportTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "gmngen-export-" + Guid.NewGuid().ToString("N"));

    public GraphExportTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void A_graph_set_file_holds_each_graph_with_its_own_node_numbers_values_and_target()
    {
        var nets = new IGraphNetwork[] { new ZooCnn(), new TinyMlp(), new BatchNormCnn() };
        var graphs = nets.Select(n => n.ToParameterGraph()).ToList();
        var path = Path.Combine(root, "set.safetensors");
        GraphSetFile.Save(path, graphs, [0.25, 0.5, 0.75], ["a", "b", "c"]);
        var file = SafeTensors.Load(path);
        var nodePtr = file["node_ptr"].data<long>().ToArray();
        var edgePtr = file["edge_ptr"].data<long>().ToArray();
        Assert.Equal(new long[] { 0, 63, 72, 72 + BatchNormCnn.GraphLayout.NodeCount }, nodePtr);
        Assert.Equal(new long[] { 0, 4970, 4986, 4986 + BatchNormCnn.GraphLayout.EdgeCount }, edgePtr);
        Assert.Equal(new long[] { nodePtr[^1], 4 }, file["x"].shape);
        Assert.Equal(new long[] { edgePtr[^1], 6 }, file["edge_attr"].shape);
        for (int g = 0; g < graphs.Count; g++)
        {
            var index = file["edge_index"].narrow(1, edgePtr[g], edgePtr[g + 1] - edgePtr[g]);
            Assert.True(index.equal(graphs[g].EdgeIndex).all().item<bool>(), $"graph {g}: its edge index is not its own");
            var values = file["edge_attr"].narrow(0, edgePtr[g], edgePtr[g + 1] - edgePtr[g]).select(1, 0);
            Assert.True(values.equal(graphs[g].EdgeValues).all().item<bool>(), $"graph {g}: edge_attr[:, 0] is not its value vector");
        }
        Assert.Equal(new float[] { 0.25f, 0.5f, 0.75f }, file["y"].data<float>().ToArray());
        var metadata = SafeTensors.Metadata(path);
        Assert.Equal(["a", "b", "c"], JsonSerializer.Deserialize<string[]>(metadata["names"])!);
        Assert.Equal(["ZooCnn", "TinyMlp", "BatchNormCnn"], JsonSerializer.Deserialize<string[]>(metadata["architectures"])!);
        foreach (var t in file.Values) t.Dispose();
        foreach (var g in graphs) g.Dispose();
    }

    [Fact]
    public void Gmn_graphs_writes_every_checkpoint_of_a_zoo_with_its_test_accuracy()
    {
        var zoo = Path.Combine(root, "zoo");
        var settings = new ZooSettings(ZooFamily.VaryingCnn, Seed: 3, Checkpoints: 2, TestImages: 200);
        ZooBuilder.Build(zoo, settings, 2, Shard.All, SharedFashionMnist.Data);
        var path = Path.Combine(root, "zoo.safetensors");
        var (code, output) = Gmn("graphs", "--zoo", zoo, "--out", path);
        Assert.True(code == 0, output);
        using var members = ZooDataset.Load(zoo);
        var file = SafeTensors.Load(path);
        Assert.Equal(members.Count + 1, file["node_ptr"].shape[0]);
        Assert.Equal(members.Select(m => (float)m.Checkpoint.TestAccuracy), file["y"].data<float>().ToArray());
        Assert.Equal(members.Select(m => m.Checkpoint.Id), JsonSerializer.Deserialize<string[]>(SafeTensors.Metadata(path)["names"])!);
        foreach (var t in file.Values) t.Dispose();
    }

    [Fact]
    public void Gmn_inspect_prints_a_users_networks_and_writes_one_graph()
    {
        var assembly = typeof(ZooCnn).Assembly.Location;
        var path = Path.Combine(root, "zoo-cnn.safetensors");
        var (code, output) = Gmn("inspect", assembly, "--network", "ZooCnn", "--graph", path, "--official");
        Assert.True(code == 0, output);
        Assert.Contains("GmnGen.Tests.Networks.ZooCnn", output);
        Assert.Contains("63 nodes, 4,970 edges, 4,970 values", output);
        Assert.Contains("Conv1.channels", output);
        Assert.Contains($"automorphisms: 10^{ZooCnn.Symmetries.Log10Order:F1}", output);
        var file = SafeTensors.Load(path);
        Assert.Equal(new long[] { 63, 3 }, file["x"].shape);   // the official numbering: three node columns
        foreach (var t in file.Values) t.Dispose();

        var (missing, message) = Gmn("inspect", assembly, "--network", "NoSuchNet");
        Assert.Equal(2, missing);
        Assert.Contains("declares no network named 'NoSuchNet'", message);
    }

    /// <summary>Runs this build's gmn tool; returns its exit code and everything it printed, line breaks as spaces
    /// (Spectre wraps lines at the console width).</summary>
    private static (int Code, string Output) Gmn(params string[] arguments)
    {
        var (code, output) = Packaging.Shell.Run(RepoRoot.Path, "dotnet", [GmnTool.Dll, .. arguments]);
        return (code, System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
    }
}
