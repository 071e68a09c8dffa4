using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Metanet;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary><see cref="FanInScale"/> (<see cref="GmnConfig.FanInScaledValues"/>): √fan-in per weight, 1 for everything else.</summary>
public sealed class FanInScaleTests
{
    [Fact]
    public void The_small_cnn_zoo_nets_weights_get_the_square_root_of_their_layers_fan_in()
    {
        // ZooCnn: Conv(1→16, k3), Conv(16→16, k3) twice, global pooling, Linear(16→10), each with a bias.
        var graph = Graph("ZooCnn", seed: 1);
        using var factor = FanInScale.PerEdge(graph.EdgeIndex, graph.EdgeFeatures[.., 1], graph.NodeCount);
        var f = factor.data<float>().ToArray();
        var type = graph.EdgeFeatures[.., 1].data<long>().ToArray();
        var layer = graph.EdgeFeatures[.., 0].data<long>().ToArray();
        for (int e = 0; e < f.Length; e++)
        {
            float expected = (EdgeType)type[e] switch
            {
                EdgeType.ConvWeight => layer[e] == layer.Min() ? 3f : 12f,   // √(1·9), √(16·9)
                EdgeType.LinearWeight => 4f,                                  // √16
                _ => 1f,
            };
            Assert.True(System.Math.Abs(f[e] - expected) < 1e-5, $"edge {e} ({(EdgeType)type[e]}, layer {layer[e]}): factor {f[e]}, expected {expected}");
        }
    }

    [Fact]
    public void A_batch_gets_each_graphs_own_factors()
    {
        var graphs = new[] { "TinyMlp", "BatchNormCnn", "TinyVit" }.Select((name, i) => Graph(name, seed: 70 + i)).ToList();
        using var batch = GraphBatch.Collate(graphs);
        using var batched = FanInScale.PerEdge(batch.EdgeIndex, batch.EdgeFeatures[.., 1], batch.NodeCount);
        using var separate = cat(graphs.Select(FanInScale.ScaledValues).ToArray(), 0);
        using var scaledBatch = batch.EdgeValues.mul(batched);
        Assert.True(scaledBatch.allclose(separate, rtol: 0, atol: 1e-6), "the batch's factors differ from the graphs' own");
        Assert.True(batched.gt(1.5).any().item<bool>(), "no weight got a factor above 1: the test would prove nothing");
    }
}
