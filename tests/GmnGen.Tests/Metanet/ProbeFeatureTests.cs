using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Metanet;
using GmnGen.Probes;
using GmnGen.Tests.Networks;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// Probe features (<see cref="NodeProbes"/>): each node's activation where its reader reads it, equal to
/// the hand-computed value, moving with the nodes under every automorphism so that a metanet reading
/// them stays invariant, and actually read by that metanet.
/// </summary>
public class ProbeFeatureTests
{
    private const double Tolerance = 3e-5;

    private static readonly Lazy<GraphMetanet> Probed = new(() =>
        CreateMetanet(Small with { ProbeFeatures = NodeProbes.FeaturesPerNode, PoolStandardDeviation = true, Outputs = 4 }, seed: 77, gain: 2.0));

    private static Tensor Probes(IGraphNetwork net, ulong seed = 31) =>
        randn([5, .. net.InputShape.Select(d => (long)d)], generator: new Generator(seed));

    private static Tensor Run(GraphMetanet metanet, IGraphNetwork net, ProbeReading reading)
    {
        using var _ = no_grad();
        using var graph = net.ToParameterGraph();
        using var batch = GraphBatch.Collate([graph], metanet.Device, [reading.NodeFeatures]);
        return metanet.forward(batch);
    }

    [Fact]
    public void Zoo_cnn_features_are_the_mean_and_spread_of_what_each_reader_receives()
    {
        var net = (ZooCnn)Network(nameof(ZooCnn), seed: 3);
        using var probes = Probes(net);
        var reading = NodeProbes.Read(net, probes);
        using var _ = no_grad();
        // Conv1's channels are read by Conv2 after the ReLU; Conv3's by Head after the pool.
        var conv1 = nn.functional.relu(net.Conv1.forward(probes));
        var conv3 = nn.functional.relu(net.Conv3.forward(nn.functional.relu(net.Conv2.forward(conv1)))).mean([2, 3]);
        var logits = net.forward(probes);
        AssertFeatures(reading, start: 0, probes.mean([2, 3]), "input");
        AssertFeatures(reading, start: 1, conv1.mean([2, 3]), "Conv1 channels");
        AssertFeatures(reading, start: 35, conv3, "Conv3 channels");
        AssertFeatures(reading, start: 52, logits, "Head neurons");
        Assert.Equal(0f, reading.NodeFeatures[17 * NodeProbes.FeaturesPerNode]);   // Conv1.bias: no activation
        var softmax = nn.functional.softmax(logits, 1).data<float>().ToArray();
        Assert.Equal(softmax, reading.Outputs, new FloatTolerance(1e-6f));
    }

    private static void AssertFeatures(ProbeReading reading, int start, Tensor perProbe, string label)
    {
        var mean = perProbe.mean([0]).data<float>().ToArray();
        var std = perProbe.std(0, unbiased: false).data<float>().ToArray();
        for (int i = 0; i < mean.Length; i++)
        {
            Assert.True(Math.Abs(reading.NodeFeatures[(start + i) * 2] - mean[i]) < 1e-5, $"{label} {i}: mean {reading.NodeFeatures[(start + i) * 2]}, expected {mean[i]}");
            Assert.True(Math.Abs(reading.NodeFeatures[(start + i) * 2 + 1] - std[i]) < 1e-5, $"{label} {i}: std {reading.NodeFeatures[(start + i) * 2 + 1]}, expected {std[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void A_random_automorphism_moves_the_features_with_the_nodes_and_leaves_the_probed_metanet_unchanged(string name)
    {
        var net = Network(name, seed: 41);
        using var probes = Probes(net);
        var before = NodeProbes.Read(net, probes);
        var original = Run(Probed.Value, net, before);
        net.Symmetries.ApplyRandom((nn.Module)net, new Generator(42));
        var after = NodeProbes.Read(net, probes);
        Assert.False(before.NodeFeatures.SequenceEqual(after.NodeFeatures), $"{name}: the automorphism moved no probe feature, so this test would prove nothing");
        Assert.True(before.NodeFeatures.Count(v => v != 0) > 2 * net.InputShape[0], $"{name}: hardly any node has a probe feature");
        var permuted = Run(Probed.Value, net, after);
        Assert.True(permuted.allclose(original, rtol: 0, atol: Tolerance),
            $"{name}: output {Show(original)} became {Show(permuted)} after an automorphism (max difference {MaxAbsDifference(permuted, original):E2})");
        // The multiset of features per node block is what moved, not the values: same sorted features.
        Assert.Equal(before.NodeFeatures.Order(), after.NodeFeatures.Order(), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void The_probed_metanet_reads_the_probe_features()
    {
        var net = Network(nameof(BatchNormCnn), seed: 43);
        using var probes = Probes(net);
        using var other = Probes(net, seed: 44);
        var a = Run(Probed.Value, net, NodeProbes.Read(net, probes));
        var b = Run(Probed.Value, net, NodeProbes.Read(net, other));
        Assert.True(MaxAbsDifference(a, b) > 1e-3, $"other probe inputs, same output {Show(a)}: the features are not read");
    }

    [Fact]
    public void A_probed_metanet_asks_for_probes_and_collation_names_the_graph_whose_features_do_not_fit()
    {
        var net = Network(nameof(TinyMlp), seed: 45);
        using var graph = net.ToParameterGraph();
        using var batch = GraphBatch.Collate([graph]);
        var missing = Assert.Throws<InvalidOperationException>(() => { using var _ = no_grad(); Probed.Value.forward(batch); });
        Assert.Contains("probe features", missing.Message);
        using var other = Network(nameof(ZooCnn), seed: 46).ToParameterGraph();
        var wrong = Assert.Throws<ArgumentException>(() => GraphBatch.Collate([graph, other], nodeProbes: [new float[graph.NodeCount * 2], new float[3]]));
        Assert.Contains("Graph 1 (ZooCnn)", wrong.Message);
    }

    [Fact]
    public void Forward_observed_without_an_observer_is_forward_and_hands_every_module_its_input()
    {
        var net = (ZooCnn)Network(nameof(ZooCnn), seed: 47);
        using var probes = Probes(net);
        using var _ = no_grad();
        var seen = new List<(string Name, long[] Shape)>();
        var observed = net.ForwardObserved(probes, (name, x) => seen.Add((name, x.shape)));
        Assert.True(observed.equal(net.forward(probes)).all().item<bool>());
        Assert.Equal(["Conv1", "Conv2", "Conv3", "Head"], seen.Select(s => s.Name));
        Assert.Equal([5L, 16, 13, 13], seen[1].Shape);
        Assert.Equal([5L, 16], seen[3].Shape);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
