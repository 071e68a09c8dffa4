using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Metanet;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary><see cref="ValueStatistics"/>, the readout's StatNN-like view (<see cref="GmnConfig.ReadoutValueStatistics"/>):
/// its one-sort computation against a direct one, per graph, layer slot and kind. Invariance is in <see cref="InvarianceTests"/>.</summary>
public sealed class ValueStatisticsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Each_graphs_statistics_per_slot_and_kind_equal_a_direct_computation(int slots)
    {
        var graphs = new[] { "TinyMlp", "BatchNormCnn", "RowCnn", "ResNet", "TinyVit", "TinyMlp" }.Select((name, i) => Graph(name, seed: 60 + i)).ToList();
        using var batch = GraphBatch.Collate(graphs);
        var features = batch.EdgeFeatures;
        using var actual = ValueStatistics.PerGraph(batch.EdgeValues, features[.., 1], features[.., 0], batch.EdgeGraph, graphs.Count, slots);
        Assert.Equal(new long[] { graphs.Count, ValueStatistics.Width(slots) }, actual.shape);
        var got = actual.data<float>().ToArray();
        int width = ValueStatistics.Width(slots), nonEmpty = 0;
        for (int g = 0; g < graphs.Count; g++)
        {
            var expected = Direct(graphs[g], slots);
            for (int c = 0; c < width; c++)
                Assert.True(Math.Abs(got[g * width + c] - expected[c]) <= 1e-5 * Math.Max(1, Math.Abs(expected[c])),
                    $"graph {g} ({graphs[g].Topology.Layout.Architecture}), slot {c / (ValueStatistics.Kinds * ValueStatistics.PerSegment)}, " +
                    $"kind {c / ValueStatistics.PerSegment % ValueStatistics.Kinds}, statistic {c % ValueStatistics.PerSegment}: {got[g * width + c]} against {expected[c]}");
            nonEmpty += expected.Count(v => v != 0);
        }
        Assert.True(nonEmpty > graphs.Count * 2 * ValueStatistics.PerSegment, "almost every statistic was zero: the comparison would prove little");
    }

    [Fact]
    public void Constant_edges_are_left_out_and_every_other_edge_type_has_a_kind()
    {
        foreach (var type in Enum.GetValues<EdgeType>())
        {
            bool constant = type is EdgeType.Residual or EdgeType.AttentionHead;
            Assert.True(constant == ValueStatistics.KindOf(type) < 0, $"{type}: kind {ValueStatistics.KindOf(type)}");
            Assert.True(ValueStatistics.KindOf(type) < ValueStatistics.Kinds, $"{type}: kind {ValueStatistics.KindOf(type)} is past the last");
        }
    }

    /// <summary>The statistics of one graph, slot-major then kind, from plain arrays: nearest-rank quantiles
    /// (ties to even, as torch.round), population std, then sign(x)·ln(1 + |x|).</summary>
    private static float[] Direct(ParameterGraph graph, int slots)
    {
        var values = graph.EdgeValues.data<float>().ToArray();
        var features = graph.EdgeFeatures.data<long>().ToArray();
        var groups = new Dictionary<int, List<double>>();
        for (int e = 0; e < values.Length; e++)
        {
            int kind = ValueStatistics.KindOf((EdgeType)features[e * 5 + 1]);
            if (kind < 0) continue;
            int slot = (int)Math.Clamp(features[e * 5], 0, slots - 1);
            int key = slot * ValueStatistics.Kinds + kind;
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
            list.Add(values[e]);
        }
        var row = new float[ValueStatistics.Width(slots)];
        foreach (var (key, list) in groups)
        {
            list.Sort();
            double mean = list.Average();
            double std = Math.Sqrt(list.Average(v => (v - mean) * (v - mean)));
            var stats = new List<double> { mean, std };
            stats.AddRange(ValueStatistics.Quantiles.Select(q => list[(int)Math.Round(q * (list.Count - 1), MidpointRounding.ToEven)]));
            for (int s = 0; s < stats.Count; s++)
                row[key * ValueStatistics.PerSegment + s] = (float)(Math.Sign(stats[s]) * Math.Log(1 + Math.Abs(stats[s])));
        }
        return row;
    }
}
