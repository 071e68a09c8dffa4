using System.Linq;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Graphs;

public class EdgeValueTests
{
    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void Edge_values_are_the_state_dict_concatenated_in_order(string name)
    {
        var net = Catalogue.Networks[name]();
        var module = (nn.Module)net;
        StateOrder.Randomise(module, seed: 1);
        var expectedNames = StateOrder.Of(module).Select(s => s.Name).ToArray();
        Assert.Equal(expectedNames, net.GraphLayout.State.Select(s => s.Name).ToArray());
        var values = net.ToParameterGraph().EdgeValues;
        int count = net.GraphLayout.ValueCount;
        Assert.True(values[..count].equal(StateOrder.ConcatenatedValues(module)).all().item<bool>(),
            $"{name}: edge values differ from the concatenated state_dict");
        Assert.True(values[count..].eq(1).all().item<bool>(), $"{name}: residual edges after the values must carry the constant 1");
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void Building_a_graph_twice_gives_identical_tensors(string name)
    {
        var net = Catalogue.Networks[name]();
        var a = net.ToParameterGraph();
        var b = net.ToParameterGraph();
        Assert.True(a.EdgeValues.Equals(b.EdgeValues));
        Assert.True(a.EdgeIndex.Equals(b.EdgeIndex));
        Assert.True(a.NodeFeatures.Equals(b.NodeFeatures));
        Assert.True(a.EdgeFeatures.Equals(b.EdgeFeatures));
    }

    [Fact]
    public void Graph_values_are_detached_copies_of_the_parameters()
    {
        var net = new Networks.TinyMlp();
        var graph = net.ToParameterGraph();
        Assert.False(graph.EdgeValues.requires_grad);
        float before = graph.EdgeValues[0].item<float>();
        using (no_grad()) net.Fc1.weight!.add_(1.0f);
        Assert.Equal(before, graph.EdgeValues[0].item<float>());
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void The_graph_is_a_connected_DAG_without_isolated_nodes(string name)
    {
        var graph = Catalogue.Networks[name]().ToParameterGraph();
        var src = graph.EdgeIndex[0].data<long>().ToArray();
        var dst = graph.EdgeIndex[1].data<long>().ToArray();
        int n = graph.NodeCount;
        // Kahn's algorithm: every node gets removed exactly when there is no cycle.
        var indegree = new int[n];
        var outgoing = Enumerable.Range(0, n).Select(_ => new System.Collections.Generic.List<int>()).ToArray();
        for (int e = 0; e < src.Length; e++) { indegree[dst[e]]++; outgoing[src[e]].Add((int)dst[e]); }
        var ready = new System.Collections.Generic.Queue<int>(Enumerable.Range(0, n).Where(v => indegree[v] == 0));
        int removed = 0;
        while (ready.Count > 0)
        {
            int v = ready.Dequeue(); removed++;
            foreach (int w in outgoing[v]) if (--indegree[w] == 0) ready.Enqueue(w);
        }
        Assert.Equal(n, removed);
        Assert.Equal(n, src.Concat(dst).Distinct().Count());
    }
}
