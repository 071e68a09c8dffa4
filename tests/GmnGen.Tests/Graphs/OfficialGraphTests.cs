using System;
using System.IO;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Storage;
using GmnGen.Tests.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Graphs;

/// <summary>
/// The export in the official GMN numbering: the official builder's counts, layer numbers and type
/// codes (NODE_TYPES / EDGE_TYPES) for the networks it builds, what it has no place for left out,
/// and the rest refused with a message naming the network.
/// </summary>
public sealed class OfficialGraphTests
{
    private static long[] Column(Tensor t, int column) => t.select(1, column).to(int64).data<long>().ToArray();

    /// <summary>(official layer, official type) of the rows with GmnGen indices <paramref name="start"/> ..</summary>
    private static (long Layer, long Type)[] Nodes(OfficialGraph g, int start, int count) =>
        Enumerable.Range(start, count).Select(n => (Column(g.X, 0)[n], Column(g.X, 2)[n])).ToArray();

    private static (long Layer, long Type) EdgeAt(OfficialGraph g, int edge) => (Column(g.EdgeAttr, 1)[edge], Column(g.EdgeAttr, 2)[edge]);

    [Fact]
    public void The_small_cnn_zoo_net_gets_the_official_builders_63_nodes_4970_edges_and_numbering()
    {
        using var net = new ZooCnn();
        using var graph = net.ToParameterGraph();
        using var official = OfficialGraph.From(graph);
        Assert.Equal(new long[] { 63, 3 }, official.X.shape);
        Assert.Equal(new long[] { 2, 4970 }, official.EdgeIndex.shape);
        Assert.Equal(new long[] { 4970, 6 }, official.EdgeAttr.shape);
        Assert.True(official.EdgeAttr.select(1, 0).equal(graph.EdgeValues).all().item<bool>(), "edge_attr[:, 0] is not the value vector");
        // Inputs (1 channel, ordered) at 0; each conv's 16 channels and its channel-bias node one layer up.
        Assert.Equal((0L, 2L), Nodes(official, 0, 1)[0]);
        Assert.Equal(Enumerable.Repeat((1L, 2L), 16).Append((1L, 3L)), Nodes(official, 1, 17));
        Assert.Equal(Enumerable.Repeat((3L, 2L), 16).Append((3L, 3L)), Nodes(official, 35, 17));
        // The head's 10 ordered neurons and its bias node at layer 4.
        Assert.Equal(Enumerable.Repeat((4L, 0L), 10).Append((4L, 1L)), Nodes(official, 52, 11));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), Column(official.X, 1).Skip(52).Take(10));
        // Conv1's weights (type 2, the kernel offsets in pos) and biases (type 3) at layer 0; the head's at 3.
        Assert.Equal((0L, 2L), EdgeAt(official, 0));
        Assert.Equal(new float[] { 0, 1 }, official.EdgeAttr[1].narrow(0, 3, 2).data<float>().ToArray());
        Assert.Equal((0L, 3L), EdgeAt(official, 144));
        Assert.Equal((3L, 0L), EdgeAt(official, 4970 - 170));
        Assert.Equal((3L, 1L), EdgeAt(official, 4969));
    }

    [Fact]
    public void A_norm_after_a_linear_layer_carries_the_layer_of_the_neurons_it_normalises()
    {
        // Linear(2, 3, no bias), ReLU, LayerNorm(3), Linear(3, 1): the official 9 nodes and 16 edges.
        using var net = new TinyMlp();
        using var official = OfficialGraph.From(net.ToParameterGraph());
        Assert.Equal(new long[] { 9, 3 }, official.X.shape);
        Assert.Equal(16, official.EdgeAttr.shape[0]);
        Assert.Equal(new (long, long)[] { (1, 6), (1, 7) }, Nodes(official, 5, 2));      // ln_gamma, ln_beta
        Assert.Equal((1L, 7L), EdgeAt(official, 6));                                    // ln_gamma edges
        Assert.Equal((1L, 8L), EdgeAt(official, 9));                                    // ln_beta edges
        Assert.Equal((1L, 0L), EdgeAt(official, 12));                                   // Fc2 weights read layer 1
        Assert.Equal(new (long, long)[] { (2, 0), (2, 1) }, Nodes(official, 7, 2));     // Fc2's output and bias node
    }

    [Fact]
    public void BatchNorm_running_statistics_are_left_out_as_the_official_graph_has_no_place_for_them()
    {
        using var net = new BatchNormCnn();
        using var graph = net.ToParameterGraph();
        using var official = OfficialGraph.From(graph);
        Assert.Equal(BatchNormCnn.GraphLayout.NodeCount - 2 * 2, official.X.shape[0]);
        Assert.Equal(net.parameters().Sum(p => p.numel()), official.EdgeAttr.shape[0]);
        var types = Column(official.EdgeAttr, 2).Distinct().Order().ToArray();
        Assert.Equal(new long[] { 0, 1, 2, 3, 5, 6 }, types);
        Assert.True(official.EdgeIndex.max().item<long>() < official.X.shape[0], "an edge points at a node that was left out");
    }

    [Fact]
    public void A_GroupNorms_group_nodes_become_the_official_single_gamma_and_beta_nodes()
    {
        using var net = new NormCnn();
        using var official = OfficialGraph.From(net.ToParameterGraph());
        var types = Column(official.X, 2);
        Assert.Equal(1, types.Count(t => t == 8));
        Assert.Equal(1, types.Count(t => t == 9));
        Assert.Equal(NormCnn.GraphLayout.NodeCount - 2 * 3, types.Length);   // 4 groups → 1 node, per vector
        Assert.Equal(NormCnn.GraphLayout.EdgeCount, official.EdgeAttr.shape[0]);
        // Every GroupNorm weight edge leaves the one gamma node.
        var gamma = Array.IndexOf(types, 8L);
        var sources = official.EdgeIndex[0].data<long>().ToArray();
        var edgeTypes = Column(official.EdgeAttr, 2);
        Assert.All(Enumerable.Range(0, edgeTypes.Length).Where(e => edgeTypes[e] == 9), e => Assert.Equal(gamma, sources[e]));
    }

    [Fact]
    public void A_projection_runs_beside_the_main_paths_last_layer_and_residual_edges_carry_the_blocks_start()
    {
        // TestNetworks' ResNet: stem (edges 0), identity block (edges 1, 2), projection block (edges 3, 4; projection 4).
        using var net = new ResNet();
        using var official = OfficialGraph.From(net.ToParameterGraph());
        var layout = ResNet.GraphLayout;
        int EdgeOf(string tensor) => layout.Edges.TakeWhile(e => e.ValueOffset != layout.State.Single(s => s.Name == tensor).Offset).Sum(e => e.Count);
        Assert.Equal((3L, 2L), EdgeAt(official, EdgeOf("Block2Conv1.weight")));
        Assert.Equal((4L, 2L), EdgeAt(official, EdgeOf("Block2Conv2.weight")));
        Assert.Equal((4L, 2L), EdgeAt(official, EdgeOf("Block2Proj.weight")));
        var residual = Enumerable.Range(0, (int)official.EdgeAttr.shape[0]).Where(e => EdgeAt(official, e).Type == 4).Select(e => EdgeAt(official, e).Layer).ToArray();
        Assert.Equal(Enumerable.Repeat(1L, 8).Concat(Enumerable.Repeat(3L, 12)), residual);
        // The projection's 12 channels (its weights' destinations) sit at the layer of the channels they are added to.
        int first = EdgeOf("Block2Proj.weight");
        var channels = official.EdgeIndex[1].narrow(0, first, 12 * 8).data<long>().Distinct().ToArray();
        Assert.Equal(12, channels.Length);
        Assert.All(channels, n => Assert.Equal((5L, 2L), Nodes(official, (int)n, 1)[0]));
    }

    /// <summary>
    /// The official builder's own figures for this network (its arch_to_graph on the same sequence
    /// of a stem and eight BasicBlocks, torch 1.13, run once by hand): how many edges and nodes carry
    /// each layer number. The whole graph agreed too, as a multiset of (source row, destination row,
    /// edge attributes) with the same values; docs/graph-encoding.md.
    /// </summary>
    [Fact]
    public void ResNet18_gets_the_official_builders_layer_numbers_BasicBlock_BatchNorms_included()
    {
        using var net = new ResNet18();
        using var official = OfficialGraph.From(net.ToParameterGraph());
        long[] edgesPerLayer = [216, 616, 592, 600, 592, 1200, 2496, 2352, 2336, 4704, 9856, 9312, 9280, 18624, 39168, 37056, 36992, 650];
        long[] nodesPerLayer = [3, 12, 10, 10, 10, 10, 20, 34, 18, 18, 36, 66, 34, 34, 68, 130, 66, 64, 11];
        Assert.Equal(edgesPerLayer, Column(official.EdgeAttr, 1).GroupBy(l => l).OrderBy(g => g.Key).Select(g => (long)g.Count()));
        Assert.Equal(nodesPerLayer, Column(official.X, 0).GroupBy(l => l).OrderBy(g => g.Key).Select(g => (long)g.Count()));
    }

    [Fact]
    public void An_attention_network_is_refused_with_a_message_naming_it()
    {
        using var net = new TinyVit();
        var thrown = Assert.Throws<NotSupportedException>(() => OfficialGraph.From(net.ToParameterGraph()));
        Assert.Contains("TinyVit", thrown.Message);
        Assert.Contains("encodes", thrown.Message);
    }

    [Fact]
    public void Save_writes_x_edge_index_and_edge_attr_to_a_safetensors_file()
    {
        using var net = new ZooCnn();
        using var official = OfficialGraph.From(net.ToParameterGraph());
        var path = Path.Combine(Path.GetTempPath(), $"gmngen-official-{Guid.NewGuid():N}.safetensors");
        try
        {
            official.Save(path);
            var loaded = SafeTensors.Load(path);
            Assert.True(loaded["x"].equal(official.X).all().item<bool>());
            Assert.True(loaded["edge_index"].equal(official.EdgeIndex).all().item<bool>());
            Assert.True(loaded["edge_attr"].equal(official.EdgeAttr).all().item<bool>());
            Assert.Equal("ZooCnn", SafeTensors.Metadata(path)["architecture"]);
            foreach (var t in loaded.Values) t.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
