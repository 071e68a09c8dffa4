using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Symmetries;
using GmnGen.Tests.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>
/// Multi-head attention's graph and symmetries: heads permute as blocks, query/key dimensions
/// jointly within a head, value dimensions with the output projection's columns within a head,
/// and the residual stream across all blocks. Moving a dimension to another head is none of
/// these: it changes the function, and the graph (whose head nodes tie each dimension to its
/// head) does not admit it as an automorphism, unlike the official encoding.
/// </summary>
public class AttentionTests
{
    // TinyVit's first attention layer: width 8, 2 heads of 4.
    private const int HeadNodes = 28, QueryKey = 30, Value = 38;

    [Fact]
    public void Tiny_vit_has_the_expected_nodes_values_and_constant_edges()
    {
        // 1 input, patches 8+1, 16 positions, then per block: norm 2, attention (2 heads, 8 q/k,
        // 8 v, 1 in-bias, 8 outputs, 1 out-bias), norm 2, MLP 16+1 and 8+1; final norm 2, head 10+1.
        Assert.Equal(1 + 9 + 16 + 2 * (2 + 28 + 2 + 17 + 9) + 2 + 11, TinyVit.GraphLayout.NodeCount);
        Assert.Equal(400 + 128 + 2 * (16 + 288 + 16 + 144 + 136) + 16 + 90, TinyVit.GraphLayout.ValueCount);
        // Per block: 2 heads × (4 + 4) head edges and 2 × 8 residual edges.
        Assert.Equal(TinyVit.GraphLayout.ValueCount + 2 * (16 + 16), TinyVit.GraphLayout.EdgeCount);
        var nodes = TinyVit.GraphLayout.Nodes;
        Assert.Equal((HeadNodes, NodeType.AttentionHead), (nodes[6].Start, nodes[6].Type));
        Assert.Equal((QueryKey, NodeType.AttentionQueryKey), (nodes[7].Start, nodes[7].Type));
        Assert.Equal((Value, NodeType.AttentionValue), (nodes[8].Start, nodes[8].Type));
    }

    [Fact]
    public void Query_key_value_and_output_weights_are_distinct_edge_types()
    {
        var attention = TinyVit.GraphLayout.Edges.Where(e => e.Layer == 4).Select(e => e.Type).Distinct().ToArray();
        Assert.Equal(new[]
        {
            EdgeType.AttentionQuery, EdgeType.AttentionKey, EdgeType.AttentionValue, EdgeType.AttentionQueryBias,
            EdgeType.AttentionKeyBias, EdgeType.AttentionValueBias, EdgeType.AttentionOutput, EdgeType.AttentionOutputBias,
            EdgeType.AttentionHead, EdgeType.Residual,
        }, attention);
    }

    [Fact]
    public void Each_head_gets_a_query_key_and_a_value_group_and_the_heads_move_as_blocks()
    {
        var names = TinyVit.Symmetries.Groups.Where(g => g.Name.StartsWith("Block1Attention")).Select(g => (g.Name, g.Size)).ToArray();
        Assert.Equal(new[]
        {
            ("Block1Attention.head0.query_key", 4), ("Block1Attention.head0.value", 4),
            ("Block1Attention.head1.query_key", 4), ("Block1Attention.head1.value", 4), ("Block1Attention.heads", 2),
        }, names);
        var heads = TinyVit.Symmetries.Groups.Single(g => g.Name == "Block1Attention.heads");
        Assert.Equal(new[] { new NodeRun(HeadNodes), new NodeRun(QueryKey, 4), new NodeRun(Value, 4) }, heads.Nodes);
    }

    [Fact]
    public void The_residual_stream_is_one_group_through_both_blocks_with_every_norm_and_the_positions()
    {
        var stream = TinyVit.Symmetries.Groups[0];
        Assert.Equal(("Patches.channels", 8), (stream.Name, stream.Size));
        Assert.Equal(5, stream.Nodes.Count); // patches, then each block's attention and MLP outputs
        foreach (var tensor in new[] { "Positions.weight", "Block1Norm1.weight", "Block2Norm2.bias", "FinalNorm.weight", "Block2Attention.out_proj.weight", "Head.weight" })
            Assert.Contains(stream.Actions, a => a.Tensor == tensor);
        Assert.Contains(new TensorAxis("Block2Attention.in_proj_weight", 1), stream.Actions);
    }

    [Theory]
    [InlineData("query/key", 0)]
    [InlineData("value", 16)]
    public void Moving_a_dimension_to_another_head_changes_the_function_and_is_no_graph_automorphism(string part, int rowOffset)
    {
        var (_, module, input) = FunctionPreservationTests.Prepare(nameof(TinyVit), seed: 61);
        var net = (TinyVit)module;
        var before = module.forward(input);
        var graph = Edges(net.ToParameterGraph());

        // Swap dimension 3 (head 0) with dimension 4 (head 1), everywhere such a dimension acts.
        var actions = rowOffset == 0
            ? new[] { Row("in_proj_weight", 0), Row("in_proj_weight", 8), Row("in_proj_bias", 0), Row("in_proj_bias", 8) }
            : new[] { Row("in_proj_weight", 16), Row("in_proj_bias", 16), new TensorAxis("Block1Attention.out_proj.weight", 1) };
        var across = new PermutationGroup("across heads", 8, [new NodeRun(rowOffset == 0 ? QueryKey : Value)], actions);
        var swap = tensor(new long[] { 0, 1, 2, 4, 3, 5, 6, 7 });
        across.Apply(SymmetrySpec.StateByName(module), swap);

        Assert.False(module.forward(input).allclose(before, rtol: 0, atol: 1e-4), $"moving a {part} dimension across heads left the outputs unchanged");
        var origin = Enumerable.Range(0, TinyVit.GraphLayout.NodeCount).ToArray();
        across.MapNodes(origin, swap.data<long>().ToArray());
        var unexplained = Edges(net.ToParameterGraph()).Keys.Where(k => !graph.ContainsKey((origin[k.Src], origin[k.Dst], k.Features))).ToList();
        // Only the head edges stand in the way: without them (the official encoding) the swap would
        // be an automorphism of the graph, and the metanet invariant to a change of function.
        Assert.NotEmpty(unexplained);
        Assert.All(unexplained, k => Assert.Equal(((int)EdgeType.AttentionHead).ToString(), k.Features.Split(',')[1]));
    }

    [Fact]
    public void The_control_metanet_sees_a_dimension_moved_across_heads()
    {
        // Head membership reaches the readout only through head nodes: a dimension's values flow to
        // its head node (reverse edges) and from there to the head's other dimensions, so a metanet
        // needs a few blocks to see it. This one (SensitivityTests' high-gain setting, 3 blocks, gain 6)
        // does, while it stays invariant to real automorphisms. Observed: 4.9e-5 across heads, 2.4e-6
        // for an automorphism (gain 4 with 4, 6 or 8 blocks: 1e-5 to 3e-5, too close to rounding).
        var metanet = GmnGen.Tests.Metanet.MetanetTesting.CreateMetanet(
            GmnGen.Tests.Metanet.MetanetTesting.Small with { ReverseEdges = true, Outputs = 16, Blocks = 3 }, seed: 7, gain: 6.0);
        var net = (TinyVit)GmnGen.Tests.Metanet.MetanetTesting.Network(nameof(TinyVit), seed: 62);
        var before = GmnGen.Tests.Metanet.MetanetTesting.Run(metanet, net.ToParameterGraph());
        var state = SymmetrySpec.StateByName(net);
        var saved = state.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        TinyVit.Symmetries.ApplyRandom(net, new Generator(63));
        float automorphism = GmnGen.Tests.Metanet.MetanetTesting.MaxAbsDifference(GmnGen.Tests.Metanet.MetanetTesting.Run(metanet, net.ToParameterGraph()), before);
        Assert.True(automorphism < 1e-5, $"an emitted automorphism changed the metanet's output by {automorphism:E2}");
        using (no_grad()) foreach (var (key, t) in state) t.copy_(saved[key]);
        var across = new PermutationGroup("across heads", 8, [new NodeRun(QueryKey)],
            [Row("in_proj_weight", 0), Row("in_proj_weight", 8), Row("in_proj_bias", 0), Row("in_proj_bias", 8)]);
        across.Apply(SymmetrySpec.StateByName(net), tensor(new long[] { 0, 1, 2, 4, 3, 5, 6, 7 }));
        var after = GmnGen.Tests.Metanet.MetanetTesting.Run(metanet, net.ToParameterGraph());
        float change = GmnGen.Tests.Metanet.MetanetTesting.MaxAbsDifference(after, before);
        Assert.True(change > 3e-5 && change > 10 * automorphism,
            $"moving a dimension across heads changed the metanet's output by only {change:E2} (an automorphism: {automorphism:E2})");
    }

    private static TensorAxis Row(string tensor, int offset) => new($"Block1Attention.{tensor}", 0, 1, offset);

    private static Dictionary<(int Src, int Dst, string Features), float> Edges(ParameterGraph graph)
    {
        var index = graph.EdgeIndex.data<long>().ToArray();
        var features = graph.EdgeFeatures.data<long>().ToArray();
        var values = graph.EdgeValues.data<float>().ToArray();
        int n = graph.EdgeCount, columns = (int)graph.EdgeFeatures.shape[1];
        var edges = new Dictionary<(int, int, string), float>(n);
        for (int e = 0; e < n; e++)
            edges.Add(((int)index[e], (int)index[n + e], string.Join(",", features.Skip(e * columns).Take(columns))), values[e]);
        return edges;
    }
}
