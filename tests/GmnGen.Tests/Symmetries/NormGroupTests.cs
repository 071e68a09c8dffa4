using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Symmetries;
using GmnGen.Tests.Networks;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>
/// GroupNorm restricts its channels' symmetry to permutations inside each norm group and of whole
/// groups: the generator emits exactly those, and the graph rules out the rest.
/// </summary>
public class NormGroupTests
{
    [Fact]
    public void GroupNorm_channels_get_one_group_per_norm_group_and_one_moving_whole_groups()
    {
        var groups = NormCnn.Symmetries.Groups.Select(g => (g.Name, g.Size)).ToArray();
        Assert.Equal(new[]
        {
            ("Conv1.channels.group0", 2), ("Conv1.channels.group1", 2), ("Conv1.channels.group2", 2), ("Conv1.channels.group3", 2),
            ("Conv1.channels.groups", 4), ("Conv2.channels", 6),
        }, groups);
        var whole = NormCnn.Symmetries.Groups[4];
        // Channel nodes 2..9 in blocks of 2, and the 4 weight and 4 bias nodes of the GroupNorm.
        Assert.Equal(new[] { new NodeRun(2, 2), new NodeRun(11), new NodeRun(15) }, whole.Nodes);
        Assert.Contains(new TensorAxis("Conv2.weight", 1, 2), whole.Actions);
    }

    [Fact]
    public void A_GroupNorm_with_one_channel_per_group_moves_channels_with_their_norm_nodes()
    {
        var group = NormRowCnn.Symmetries.Groups.Single(g => g.Name == "Conv1.channels.groups");
        Assert.Equal(6, group.Size);
        Assert.Equal(3, group.Nodes.Count);
    }

    [Fact]
    public void GroupNorms_of_different_group_counts_on_one_residual_stream_keep_blocks_of_their_common_divisor()
    {
        var groups = GroupNormResNet.Symmetries.Groups.Select(g => (g.Name, g.Size)).ToArray();
        Assert.Equal(new[]
        {
            // The stream (stem and Conv2 channels): partitions of 4 and 2 groups, blocks of 2.
            ("Stem.channels.group0", 2), ("Stem.channels.group1", 2), ("Stem.channels.group2", 2), ("Stem.channels.group3", 2),
            // Conv1's channels: one GroupNorm of 2 groups.
            ("Conv1.channels.group0", 4), ("Conv1.channels.group1", 4), ("Conv1.channels.groups", 2),
        }, groups);
        Assert.Equal(2, GroupNormResNet.Symmetries.Groups[0].Nodes.Count); // stem and Conv2 channel nodes
    }

    [Fact]
    public void Mixing_channels_across_norm_groups_changes_the_function_and_is_no_graph_automorphism()
    {
        var (_, module, input) = FunctionPreservationTests.Prepare(nameof(NormCnn), seed: 21);
        var net = (NormCnn)module;
        var before = module.forward(input);
        var originalGraph = Edges(net.ToParameterGraph());

        // Channels 1 and 2 sit in norm groups 0 and 1: swap them everywhere a channel permutation acts.
        var across = new PermutationGroup("across", 8, [new NodeRun(2)], [
            new TensorAxis("Conv1.weight", 0), new TensorAxis("Conv1.bias", 0),
            new TensorAxis("Gn.weight", 0), new TensorAxis("Gn.bias", 0), new TensorAxis("Conv2.weight", 1)]);
        var swap = tensor(new long[] { 0, 2, 1, 3, 4, 5, 6, 7 });
        across.Apply(SymmetrySpec.StateByName(module), swap);

        var after = module.forward(input);
        Assert.False(after.allclose(before, rtol: 0, atol: 1e-4), "swapping channels across GroupNorm groups left the outputs unchanged");
        var origin = Enumerable.Range(0, NormCnn.GraphLayout.NodeCount).ToArray();
        across.MapNodes(origin, swap.data<long>().ToArray());
        var unexplained = Edges(net.ToParameterGraph()).Where(kv => !originalGraph.ContainsKey((origin[kv.Key.Src], origin[kv.Key.Dst], kv.Key.Features))).ToList();
        Assert.NotEmpty(unexplained); // the norm-group nodes pin channels to their group
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
