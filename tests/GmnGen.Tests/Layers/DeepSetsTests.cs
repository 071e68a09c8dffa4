using System.Linq;
using GmnGen.Graphs;
using GmnGen.Tests.Networks;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Layers;

/// <summary>DeepSets layers: equivariant over the set's elements, with the elementwise and the
/// pooled weight as two edge types of the same node pairs.</summary>
public class DeepSetsTests
{
    [Fact]
    public void DeepSets_net_has_one_node_per_feature_and_one_edge_per_parameter()
    {
        // 28 inputs, Set1 16(+bias), Set2 8, Head 10(+bias).
        Assert.Equal(28 + 17 + 8 + 11, DeepSetsNet.GraphLayout.NodeCount);
        Assert.Equal((2 * 16 * 28 + 16) + 2 * 8 * 16 + (10 * 8 + 10), DeepSetsNet.GraphLayout.EdgeCount);
        Assert.Equal(new DeepSetsNet().parameters().Sum(p => p.numel()), DeepSetsNet.GraphLayout.EdgeCount);
    }

    [Fact]
    public void Elementwise_and_pooled_weights_are_distinct_edge_types_between_the_same_nodes()
    {
        var set1 = DeepSetsNet.GraphLayout.Edges.Where(e => e.Layer == 1 && e.Type != EdgeType.DeepSetsBias).ToList();
        Assert.Equal(new[] { EdgeType.DeepSetsWeight, EdgeType.DeepSetsPooledWeight }, set1.Select(e => e.Type).ToArray());
        Assert.Equal((set1[0].SrcStart, set1[0].DstStart, set1[0].Count), (set1[1].SrcStart, set1[1].DstStart, set1[1].Count));
        Assert.Equal(new[] { "Set1.weight", "Set1.pooled_weight", "Set1.bias" }, DeepSetsNet.GraphLayout.State.Take(3).Select(s => s.Name).ToArray());
    }

    [Fact]
    public void Permuting_the_set_elements_leaves_a_pooled_DeepSets_net_unchanged()
    {
        var net = new DeepSetsNet();
        StateOrder.Randomise(net, seed: 41);
        var input = randn(new long[] { 3, 28, 28 }, generator: new Generator(41));
        var shuffled = input.index_select(2, randperm(28, generator: new Generator(42)));
        Assert.True(net.forward(shuffled).allclose(net.forward(input), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Swapping_the_elementwise_and_pooled_weights_changes_the_function_and_the_graph()
    {
        var net = new DeepSetsNet();
        StateOrder.Randomise(net, seed: 43);
        var input = randn(new long[] { 3, 28, 28 }, generator: new Generator(43));
        var before = net.forward(input);
        var graph = net.ToParameterGraph();
        using (no_grad())
        {
            var w = net.Set2.weight.clone();
            net.Set2.weight.copy_(net.Set2.pooled_weight);
            net.Set2.pooled_weight.copy_(w);
        }
        Assert.False(net.forward(input).allclose(before, rtol: 0, atol: 1e-4));
        // Same multiset of values on the same node pairs, but under swapped edge types.
        Assert.False(net.ToParameterGraph().EdgeValues.equal(graph.EdgeValues).all().item<bool>());
    }
}
