using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>
/// The link that makes a graph metanet invariant: permuting a network's parameters by an emitted
/// automorphism gives exactly the graph of the original with its nodes relabelled.
/// </summary>
public class GraphAutomorphismTests
{
    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void Permuted_parameters_give_the_relabelled_graph(string name)
    {
        var net = Catalogue.Networks[name]();
        var module = (nn.Module)net;
        StateOrder.Randomise(module, seed: 3);
        var original = Edges(net.ToParameterGraph());
        var permutations = net.Symmetries.RandomPermutations(new Generator(9));
        net.Symmetries.Apply(module, permutations);
        var permuted = Edges(net.ToParameterGraph());

        // origin[v]: the node of the original network that node v of the permuted one stands for,
        // following the groups in the order they were applied.
        var origin = Enumerable.Range(0, net.GraphLayout.NodeCount).ToArray();
        for (int g = 0; g < net.Symmetries.Groups.Count; g++)
            net.Symmetries.Groups[g].MapNodes(origin, permutations[g].data<long>().ToArray());
        Assert.Equal(original.Count, permuted.Count);
        foreach (var ((src, dst, features), value) in permuted)
        {
            var key = (origin[src], origin[dst], features);
            Assert.True(original.TryGetValue(key, out var before), $"{name}: edge {src}->{dst} ({features}) of the permuted graph has no preimage");
            Assert.Equal(before, value);
        }
    }

    [Fact]
    public void Permuting_only_one_side_gives_a_graph_that_no_group_relabelling_explains()
    {
        // The negative control: weights moved without their partner edges change the edge multiset
        // seen from every hidden node, so the graph is not the relabelled original.
        var net = new Networks.ZooCnn();
        StateOrder.Randomise(net, seed: 4);
        var before = net.ToParameterGraph();
        var group = Networks.ZooCnn.Symmetries.Groups[0];
        group.Apply(GmnGen.Symmetries.SymmetrySpec.StateByName(net), arange(group.Size, dtype: int64).roll(1), only: a => a.Axis == 1);
        var after = net.ToParameterGraph();
        // A relabelling keeps each hidden node's (incoming, outgoing) value profile intact; breaking
        // the group re-pairs a node's incoming weights with another node's outgoing ones.
        Assert.False(Profiles(before, group).SetEquals(Profiles(after, group)));
    }

    private static HashSet<string> Profiles(ParameterGraph graph, GmnGen.Symmetries.PermutationGroup group)
    {
        var src = graph.EdgeIndex[0].data<long>().ToArray();
        var dst = graph.EdgeIndex[1].data<long>().ToArray();
        var values = graph.EdgeValues.data<float>().ToArray();
        string Sorted(System.Func<int, bool> keep) =>
            string.Join(",", Enumerable.Range(0, src.Length).Where(keep).Select(e => values[e]).OrderBy(x => x));
        return Enumerable.Range(group.NodeStart, group.Size)
            .Select(v => Sorted(e => dst[e] == v) + " | " + Sorted(e => src[e] == v))
            .ToHashSet();
    }

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
