using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Metanet;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// The metanet is a function of the parameter graph up to isomorphism: the same network with its
/// hidden neurons permuted by an emitted automorphism, or the same graph with its nodes renumbered
/// and its edges reordered, gives the same output (to float32 rounding).
/// SensitivityTests is the negative control: it shows these metanets do see the edge values.
/// </summary>
public class InvarianceTests
{
    /// <summary>float32 rounding: the high-gain control metanet's outputs reach ~11 on ImageMlp, where an
    /// automorphism moved them by up to 1.5e-5 (others: below 6e-6).</summary>
    private const double Tolerance = 3e-5;

    /// <summary>Every option covered: reverse edges on and off, global feature on and off, each readout.
    /// The residual layers are live (gain 2) so that message passing reaches the output.</summary>
    public static readonly IReadOnlyDictionary<string, GmnConfig> Configs = new Dictionary<string, GmnConfig>
    {
        ["forward edges, no global, edge readout"] = Small with { Readout = Readout.Edges, Outputs = 4 },
        ["reverse edges, global, node readout"] = Small with { ReverseEdges = true, GlobalFeature = true, Readout = Readout.Nodes, Outputs = 4 },
        ["reverse edges, no global, node and edge readout"] = Small with { ReverseEdges = true, Readout = Readout.NodesAndEdges, Outputs = 4 },
        ["forward edges, global, node and edge readout"] = Small with { GlobalFeature = true, Readout = Readout.NodesAndEdges, Outputs = 4 },
        ["forward edges, node and edge readout by mean and std"] = Small with { Readout = Readout.NodesAndEdges, PoolStandardDeviation = true, Outputs = 4 },
        ["forward edges, mean and std also per layer (3 slots: deeper layers share the last)"] = Small with { PoolStandardDeviation = true, ReadoutLayers = 3, Outputs = 4 },
        ["forward edges, mean and std per layer and the input values' statistics (3 slots)"] = Small with { PoolStandardDeviation = true, ReadoutLayers = 3, ReadoutValueStatistics = true, Outputs = 4 },
        ["node and edge readout by mean and std, weights scaled by √fan-in"] = Small with { PoolStandardDeviation = true, FanInScaledValues = true, Outputs = 4 },
    };

    private static readonly Lazy<IReadOnlyList<(string Name, GraphMetanet Metanet)>> Metanets = new(() =>
        Configs.Select((kv, i) => (kv.Key, CreateMetanet(kv.Value, seed: 40 + i, gain: 2.0)))
            // The very metanet that SensitivityTests shows to notice a broken symmetry (same config and seed).
            .Append(("the high-gain control metanet of SensitivityTests", SensitivityTests.CreateSensitive()))
            .ToList());

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void A_random_automorphism_of_the_network_leaves_the_output_unchanged(string name)
    {
        var net = Network(name, seed: 21);
        var before = net.ToParameterGraph();
        net.Symmetries.ApplyRandom((nn.Module)net, new Generator(22));
        var after = net.ToParameterGraph();
        Assert.False(after.EdgeValues.equal(before.EdgeValues).all().item<bool>(), $"{name}: the automorphism moved no value, so this test would prove nothing");
        foreach (var (config, metanet) in Metanets.Value)
        {
            var original = Run(metanet, before);
            var permuted = Run(metanet, after);
            Assert.True(permuted.allclose(original, rtol: 0, atol: Tolerance),
                $"{name}, {config}: output {Show(original)} became {Show(permuted)} after an automorphism (max difference {MaxAbsDifference(permuted, original):E2}, tolerance {Tolerance:E0})");
        }
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void Renumbering_the_nodes_and_reordering_the_edges_leaves_the_output_unchanged(string name)
    {
        using var batch = GraphBatch.Collate([Graph(name, seed: 23)]);
        AssertRenumberingKeepsOutputs(batch, name);
    }

    [Fact]
    public void Renumbering_a_mixed_batch_across_graph_boundaries_leaves_every_graphs_output_unchanged()
    {
        // Nodes of different graphs end up interleaved: only NodeGraph and EdgeGraph say which is whose.
        var graphs = new[] { "TinyMlp", "BatchNormCnn", "RowCnn", "TinyMlp" }.Select((name, i) => Graph(name, seed: 30 + i)).ToList();
        using var batch = GraphBatch.Collate(graphs);
        AssertRenumberingKeepsOutputs(batch, "mixed batch");
    }

    /// <summary>Every test metanet gives the same outputs on the batch and on a random renumbering of it.</summary>
    private static void AssertRenumberingKeepsOutputs(GraphBatch batch, string label)
    {
        using var relabelled = Relabel(batch, seed: 24);
        foreach (var (config, metanet) in Metanets.Value)
        {
            using var _ = no_grad();
            var original = metanet.forward(batch);
            var renumbered = metanet.forward(relabelled);
            Assert.True(renumbered.allclose(original, rtol: 0, atol: Tolerance),
                $"{label}, {config}: outputs {Show(original)} became {Show(renumbered)} after renumbering the nodes (max difference {MaxAbsDifference(renumbered, original):E2}, tolerance {Tolerance:E0})");
        }
    }

    [Fact]
    public void The_relabelled_batch_is_a_real_renumbering_with_the_same_edges()
    {
        // Guards the helper the renumbering tests rely on: the node order and the edge order both
        // change, and the set of (source features, destination features, edge features, value) is kept.
        using var batch = GraphBatch.Collate([Graph("TinyMlp", seed: 26), Graph("BatchNormCnn", seed: 27)]);
        using var relabelled = Relabel(batch, seed: 28);
        Assert.False(relabelled.NodeFeatures.equal(batch.NodeFeatures).all().item<bool>(), "node rows were not permuted");
        Assert.False(relabelled.EdgeIndex.equal(batch.EdgeIndex).all().item<bool>(), "edges were not renumbered");
        Assert.Equal(EdgeMultiset(batch), EdgeMultiset(relabelled));
        Assert.Equal(batch.NodeCounts.data<float>().ToArray(), relabelled.NodeCounts.data<float>().ToArray());
        Assert.Equal(batch.EdgeCounts.data<float>().ToArray(), relabelled.EdgeCounts.data<float>().ToArray());
    }

    private static List<string> EdgeMultiset(GraphBatch batch)
    {
        var nodes = batch.NodeFeatures.data<long>().ToArray();
        var nodeGraph = batch.NodeGraph.data<long>().ToArray();
        var index = batch.EdgeIndex.data<long>().ToArray();
        var features = batch.EdgeFeatures.data<long>().ToArray();
        var values = batch.EdgeValues.data<float>().ToArray();
        var edgeGraph = batch.EdgeGraph.data<long>().ToArray();
        long e = batch.EdgeCount;
        string Node(long v) => $"g{nodeGraph[v]}:" + string.Join(",", nodes.Skip((int)v * 4).Take(4));
        return Enumerable.Range(0, (int)e)
            .Select(i => $"g{edgeGraph[i]} {Node(index[i])} -> {Node(index[e + i])} [{string.Join(",", features.Skip(i * 5).Take(5))}] {values[i]:R}")
            .OrderBy(s => s, StringComparer.Ordinal).ToList();
    }
}
