using System;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Metanet;
using GmnGen.Tests.Networks;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// Collating graphs into one disjoint graph changes nothing about any of them: offsets, graph
/// membership, counts and degrees are right, and every graph's output is what it is alone.
/// </summary>
public class BatchingTests
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void Collating_graphs_of_different_architectures_gives_each_graph_the_output_it_has_alone()
    {
        // Reverse edges and the global feature on: the per-graph state must not leak between graphs.
        var metanet = CreateMetanet(Small with { ReverseEdges = true, GlobalFeature = true, Outputs = 3 }, seed: 70, gain: 2.0);
        var graphs = Catalogue.Networks.Keys.Select((name, i) => Graph(name, seed: 71 + i)).Append(Graph("TinyMlp", seed: 80)).ToList();
        var together = Run(metanet, graphs.ToArray());
        Assert.Equal(new long[] { graphs.Count, 3 }, together.shape);
        for (int g = 0; g < graphs.Count; g++)
        {
            var alone = Run(metanet, graphs[g]);
            Assert.True(together[g].allclose(alone[0], rtol: 0, atol: Tolerance),
                $"graph {g} ({graphs[g].Topology.Layout.Architecture}): {Show(alone[0])} alone, {Show(together[g])} in the batch (max difference {MaxAbsDifference(together[g], alone[0]):E2})");
        }
    }

    [Fact]
    public void Endpoint_pairs_are_the_distinct_source_destination_pairs_and_every_edge_points_at_its_own()
    {
        // TinyMlp has no two edges between the same nodes: 16 pairs. RowCnn's kernels share theirs.
        var graphs = new[] { Graph("TinyMlp", 1), Graph("RowCnn", 2), Graph("TinyMlp", 3) };
        using var batch = GraphBatch.Collate(graphs);
        var pairs = batch.EndpointPairs;
        Assert.True(pairs.index_select(1, batch.EdgeEndpointPair).equal(batch.EdgeIndex).all().item<bool>(), "an edge's pair has other endpoints than the edge");
        var keys = pairs[0].mul(batch.NodeCount.ToScalar()).add(pairs[1]);
        Assert.Equal(keys.shape[0], keys.unique().output.shape[0]);
        long expected = graphs.Sum(g => g.EdgeIndex[0].mul(g.NodeCount.ToScalar()).add(g.EdgeIndex[1]).unique().output.shape[0]);
        Assert.Equal(expected, pairs.shape[1]);
        Assert.Equal(16, graphs[0].Topology.EndpointPairs.Pairs.shape[1]);
        Assert.True(graphs[1].Topology.EndpointPairs.Pairs.shape[1] < graphs[1].EdgeCount, "RowCnn's kernel edges should share pairs");

        // A batch built from raw tensors finds the same pairs.
        using var raw = GraphBatch.FromTensors(batch.GraphCount, batch.NodeFeatures, batch.EdgeIndex, batch.EdgeFeatures, batch.EdgeValues, batch.NodeGraph, batch.EdgeGraph);
        Assert.True(raw.EndpointPairs.equal(pairs).all().item<bool>());
        Assert.True(raw.EdgeEndpointPair.equal(batch.EdgeEndpointPair).all().item<bool>());
    }

    [Fact]
    public void Predict_collates_onto_the_metanets_device_and_equals_forward_on_the_collated_batch()
    {
        var metanet = CreateMetanet(Small, seed: 72);
        var graphs = new[] { Graph("TinyMlp", 1), Graph("RowCnn", 2) };
        using var _ = no_grad();
        using var batch = GraphBatch.Collate(graphs);
        Assert.True(metanet.Predict(graphs).equal(metanet.forward(batch)).all().item<bool>());
    }

    [Fact]
    public void Two_tiny_mlps_are_collated_with_shifted_indices_graph_ids_counts_and_degrees()
    {
        // TinyMlp: inputs 0,1; hidden 2,3,4; LayerNorm weight 5 and bias 6; output 7; output bias 8.
        // Edges: 6 Fc1 weights (0,1 → 2,3,4), 3 norm weights (5 →), 3 norm biases (6 →), 3 Fc2
        // weights (2,3,4 → 7), 1 Fc2 bias (8 → 7).
        var first = Graph("TinyMlp", seed: 1);
        var second = Graph("TinyMlp", seed: 2);
        using var batch = GraphBatch.Collate([first, second]);

        Assert.Equal(2, batch.GraphCount);
        Assert.Equal(18, batch.NodeCount);
        Assert.Equal(32, batch.EdgeCount);
        long[] src = [0, 1, 0, 1, 0, 1, 5, 5, 5, 6, 6, 6, 2, 3, 4, 8];
        long[] dst = [2, 2, 3, 3, 4, 4, 2, 3, 4, 2, 3, 4, 7, 7, 7, 7];
        Assert.Equal(src.Concat(src.Select(v => v + 9)), batch.EdgeIndex[0].data<long>().ToArray());
        Assert.Equal(dst.Concat(dst.Select(v => v + 9)), batch.EdgeIndex[1].data<long>().ToArray());
        Assert.Equal(Enumerable.Repeat(0L, 9).Concat(Enumerable.Repeat(1L, 9)), batch.NodeGraph.data<long>().ToArray());
        Assert.Equal(Enumerable.Repeat(0L, 16).Concat(Enumerable.Repeat(1L, 16)), batch.EdgeGraph.data<long>().ToArray());
        Assert.Equal(new float[] { 9, 9 }, batch.NodeCounts.data<float>().ToArray());
        Assert.Equal(new float[] { 16, 16 }, batch.EdgeCounts.data<float>().ToArray());

        // Degrees are clamped to at least 1 (they divide the mean aggregation).
        float[] inDegree = [1, 1, 4, 4, 4, 1, 1, 4, 1];
        float[] outDegree = [3, 3, 1, 1, 1, 3, 3, 1, 1];
        Assert.Equal(inDegree.Concat(inDegree), batch.InDegree.data<float>().ToArray());
        Assert.Equal(outDegree.Concat(outDegree), batch.OutDegree.data<float>().ToArray());

        // Features and values are the two graphs' own, one after the other.
        Assert.True(batch.NodeFeatures.equal(cat([first.NodeFeatures, second.NodeFeatures], 0)).all().item<bool>());
        Assert.True(batch.EdgeFeatures.equal(cat([first.EdgeFeatures, second.EdgeFeatures], 0)).all().item<bool>());
        Assert.Equal(first.EdgeValues.data<float>().ToArray().Concat(second.EdgeValues.data<float>().ToArray()), batch.EdgeValues.data<float>().ToArray());
    }

    [Fact]
    public void Each_architectures_static_edge_features_are_kept_once_and_every_edge_points_at_its_row()
    {
        // Two architectures, interleaved, three networks of one of them.
        var graphs = new[] { Graph("ZooCnn", 1), Graph("TinyMlp", 2), Graph("ZooCnn", 3), Graph("ZooCnn", 4) };
        using var batch = GraphBatch.Collate(graphs);
        long zoo = graphs[0].EdgeCount, mlp = graphs[1].EdgeCount;
        Assert.Equal(new[] { zoo + mlp, 5L }, batch.StaticEdgeFeatures.shape);
        Assert.True(batch.StaticEdgeFeatures.equal(cat([graphs[0].EdgeFeatures, graphs[1].EdgeFeatures], 0)).all().item<bool>());
        var zooRows = arange(zoo, dtype: int64);
        var expectedRows = cat([zooRows, arange(zoo, zoo + mlp, dtype: int64), zooRows, zooRows], 0);
        Assert.True(batch.EdgeStaticRow.equal(expectedRows).all().item<bool>(), "edges do not point at their architecture's rows");
        Assert.True(batch.EdgeFeatures.equal(cat(graphs.Select(g => g.EdgeFeatures).ToArray(), 0)).all().item<bool>());
    }

    [Fact]
    public void A_repeated_composition_shares_its_static_part_and_outlives_both_its_batches_and_the_cache()
    {
        var graphs = new[] { Graph("ZooCnn", 11), Graph("TinyMlp", 12) };
        var again = new[] { Graph("ZooCnn", 13), Graph("TinyMlp", 14) };   // same architectures, other weights
        var first = GraphBatch.Collate(graphs);
        using var second = GraphBatch.Collate(again);
        Assert.Equal(first.EdgeIndex.storage<long>().data_ptr(), second.EdgeIndex.storage<long>().data_ptr());   // one static part, shared
        Assert.NotEqual(first.EdgeValues.storage<float>().data_ptr(), second.EdgeValues.storage<float>().data_ptr());
        Assert.True(second.EdgeValues.equal(cat(again.Select(g => g.EdgeValues).ToArray(), 0)).all().item<bool>(), "values are not the second batch's own");
        var expectedIndex = first.EdgeIndex.clone();

        first.Dispose();
        GraphBatch.ClearTopologyCache();
        Assert.True(second.EdgeIndex.equal(expectedIndex).all().item<bool>(), "the shared static part did not survive the other batch and the cache");
        using var third = GraphBatch.Collate(graphs);   // built anew after the cache was cleared
        Assert.NotEqual(second.EdgeIndex.storage<long>().data_ptr(), third.EdgeIndex.storage<long>().data_ptr());
        Assert.True(third.EdgeIndex.equal(expectedIndex).all().item<bool>());
    }

    [Fact]
    public void Offsets_accumulate_over_graphs_of_different_sizes()
    {
        var graphs = new[] { Graph("RowCnn", 1), Graph("TinyMlp", 2), Graph("BatchNormCnn", 3) };
        using var batch = GraphBatch.Collate(graphs);
        long nodeOffset = 0, edgeOffset = 0;
        for (int g = 0; g < graphs.Length; g++)
        {
            long n = graphs[g].NodeCount, e = graphs[g].EdgeCount;
            var index = batch.EdgeIndex[.., (int)edgeOffset..(int)(edgeOffset + e)];
            Assert.True(index.equal(graphs[g].EdgeIndex + nodeOffset).all().item<bool>(), $"graph {g}: edge index not shifted by {nodeOffset}");
            Assert.True(batch.NodeGraph[(int)nodeOffset..(int)(nodeOffset + n)].eq(g).all().item<bool>(), $"graph {g}: wrong node graph ids");
            Assert.True(batch.EdgeGraph[(int)edgeOffset..(int)(edgeOffset + e)].eq(g).all().item<bool>(), $"graph {g}: wrong edge graph ids");
            nodeOffset += n;
            edgeOffset += e;
        }
        Assert.Equal(graphs.Select(g => (float)g.NodeCount), batch.NodeCounts.data<float>().ToArray());
        Assert.Equal(graphs.Select(g => (float)g.EdgeCount), batch.EdgeCounts.data<float>().ToArray());
    }

    [Fact]
    public void A_batch_built_from_raw_tensors_derives_the_same_counts_and_degrees_as_collation()
    {
        using var collated = GraphBatch.Collate([Graph("TinyMlp", 1), Graph("BatchNormCnn", 2)]);
        using var rebuilt = GraphBatch.FromTensors(collated.GraphCount, collated.NodeFeatures, collated.EdgeIndex,
            collated.EdgeFeatures, collated.EdgeValues, collated.NodeGraph, collated.EdgeGraph);
        foreach (var (what, a, b) in new[] { ("NodeCounts", collated.NodeCounts, rebuilt.NodeCounts), ("EdgeCounts", collated.EdgeCounts, rebuilt.EdgeCounts),
                                             ("InDegree", collated.InDegree, rebuilt.InDegree), ("OutDegree", collated.OutDegree, rebuilt.OutDegree) })
            Assert.True(a.equal(b).all().item<bool>(), $"{what}: collated {Show(a)}, from tensors {Show(b)}");
    }

    [Fact]
    public void Disposing_a_batch_leaves_the_shared_topology_and_the_graphs_usable()
    {
        // The batch owns copies: the architecture's topology tensors are shared by every instance.
        var graph = Graph("TinyMlp", 1);
        GraphBatch.Collate([graph]).Dispose();
        using var again = GraphBatch.Collate([graph]);
        Assert.Equal(16, again.EdgeCount);
        Assert.Equal(16, graph.EdgeValues.shape[0]);
    }

    [Fact]
    public void Collating_no_graphs_is_refused()
    {
        Assert.Throws<ArgumentException>(() => GraphBatch.Collate(Array.Empty<ParameterGraph>()));
    }
}
