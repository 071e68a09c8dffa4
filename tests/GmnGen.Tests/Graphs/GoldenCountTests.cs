using System.Linq;
using GmnGen.Tests.Networks;
using GmnGen.Tests.Support;

namespace GmnGen.Tests.Graphs;

/// <summary>Node and edge counts against the official GMN graph builder (NOTES.md section 1).</summary>
public class GoldenCountTests
{
    [Fact]
    public void Small_cnn_zoo_net_has_4970_parameters_63_nodes_and_4970_edges()
    {
        var net = new ZooCnn();
        Assert.Equal(4970, net.parameters().Sum(p => p.numel()));
        Assert.Equal(63, ZooCnn.GraphLayout.NodeCount);
        Assert.Equal(4970, ZooCnn.GraphLayout.EdgeCount);
        var graph = net.ToParameterGraph();
        Assert.Equal(new long[] { 63, 4 }, graph.NodeFeatures.shape);
        Assert.Equal(new long[] { 2, 4970 }, graph.EdgeIndex.shape);
        Assert.Equal(new long[] { 4970 }, graph.EdgeValues.shape);
    }

    [Fact]
    public void Linear_relu_layernorm_linear_has_16_parameters_9_nodes_and_16_edges()
    {
        var net = new TinyMlp();
        Assert.Equal(16, net.parameters().Sum(p => p.numel()));
        Assert.Equal(9, TinyMlp.GraphLayout.NodeCount);
        Assert.Equal(16, TinyMlp.GraphLayout.EdgeCount);
    }

    [Fact]
    public void BatchNorm_adds_four_nodes_and_an_edge_per_channel_for_each_statistic_and_parameter()
    {
        // Conv1 8ch(+bias) → BN(8) → Conv2 12ch(+bias) → BN(12) → Linear 10(+bias).
        var net = new BatchNormCnn();
        long parameters = net.parameters().Sum(p => p.numel());
        long buffers = 2 * 8 + 2 * 12; // running mean and var; num_batches_tracked is not a value
        Assert.Equal(parameters + buffers, BatchNormCnn.GraphLayout.EdgeCount);
        Assert.Equal(1 + (8 + 1) + 4 + (12 + 1) + 4 + (10 + 1), BatchNormCnn.GraphLayout.NodeCount);
    }

    [Fact]
    public void Flatten_on_the_input_makes_one_input_neuron_per_pixel()
    {
        Assert.Equal(784, ImageMlp.GraphLayout.Nodes[0].Count);
        Assert.Equal(784 + 32 + 1 + 16 + 1 + 4 + 10 + 1, ImageMlp.GraphLayout.NodeCount);
    }

    [Fact]
    public void Flatten_of_a_hidden_map_keeps_channel_nodes_with_one_edge_per_position()
    {
        // RowCnn: Conv2 gives [6, 4] after pooling; Head sees 6 channel nodes with 4 positions each.
        var head = RowCnn.GraphLayout.Edges.Single(e => e.Type == GmnGen.Graphs.EdgeType.LinearWeight);
        Assert.Equal(6, head.SrcCount);
        Assert.Equal(new[] { 4 }, head.Kernel);
        Assert.Equal(10 * 24, head.Count);
        Assert.Equal(new RowCnn().parameters().Sum(p => p.numel()), RowCnn.GraphLayout.EdgeCount);
    }

    [Fact]
    public void GroupNorm_adds_one_node_per_group_and_parameter_vector_and_other_norms_two_nodes()
    {
        // 2 inputs, Conv1 8(+bias), GroupNorm 4 groups × (weight, bias), Conv2 6(+bias),
        // InstanceNorm2d and LayerNorm 2 each, Head 5(+bias).
        Assert.Equal(2 + 9 + 8 + 7 + 2 + 2 + 6, NormCnn.GraphLayout.NodeCount);
        Assert.Equal(152 + 16 + 438 + 12 + 12 + 755, NormCnn.GraphLayout.EdgeCount);
        var groupWeights = NormCnn.GraphLayout.Edges.Where(e => e.Type == GmnGen.Graphs.EdgeType.GroupNormWeight).ToList();
        Assert.Equal(4, groupWeights.Count);
        Assert.All(groupWeights, e => Assert.Equal((1, 2), (e.SrcCount, e.DstCount)));
        Assert.Equal(new[] { 2, 4, 6, 8 }, groupWeights.Select(e => e.DstStart).ToArray());
    }

    [Fact]
    public void InstanceNorm_without_affine_parameters_adds_nothing_to_the_graph()
    {
        // 4 inputs, Conv1 6(+1), InstanceNorm1d nothing, GroupNorm(6) 6+6, Fc 8(+1), GroupNorm(2) 2+2, LayerNorm 2, Out 3(+1).
        Assert.Equal(4 + 7 + 12 + 9 + 4 + 2 + 4, NormRowCnn.GraphLayout.NodeCount);
        Assert.DoesNotContain(NormRowCnn.GraphLayout.Edges, e => e.Type is GmnGen.Graphs.EdgeType.InstanceNormWeight or GmnGen.Graphs.EdgeType.InstanceNormBias);
        Assert.Equal(new NormRowCnn().parameters().Sum(p => p.numel()), NormRowCnn.GraphLayout.EdgeCount);
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void Every_value_is_an_edge_and_every_edge_a_value(string name)
    {
        var net = Catalogue.Networks[name]();
        Assert.Equal(StateOrder.ConcatenatedValues((TorchSharp.torch.nn.Module)net).shape[0], net.GraphLayout.ValueCount);
        // Plus the constant-1 edges: one per channel of each residual sum, and those joining an
        // attention head to its dimensions.
        var constant = net.GraphLayout.Edges.Where(e => e.ValueOffset == -1).ToList();
        Assert.All(constant, e => Assert.Contains(e.Type, new[] { GmnGen.Graphs.EdgeType.Residual, GmnGen.Graphs.EdgeType.AttentionHead }));
        Assert.Equal(net.GraphLayout.ValueCount + constant.Sum(e => e.Count), net.GraphLayout.EdgeCount);
    }
}
