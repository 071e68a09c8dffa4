using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Tasks.Prediction;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Tasks.PredictorTesting;

namespace GmnGen.Tests.Tasks;

/// <summary>
/// What the baselines read from a graph: StatNN's per-tensor statistics of the value vector (read back
/// from the edges, residual constants skipped), and DeepSets' set of parameters (constants left out).
/// </summary>
[Collection(nameof(PredictorCollection))]
public class PredictorFeatureTests
{
    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void The_value_vector_read_back_from_the_edges_is_the_networks_state(string name)
    {
        var net = Metanet.MetanetTesting.Network(name, seed: 3);
        var expected = StateOrder.ConcatenatedValues((nn.Module)net).to(float64).data<double>().ToArray();
        Assert.Equal(expected, ParameterStatistics.StateValues(net.ToParameterGraph()));
    }

    [Fact]
    public void Residual_constants_are_skipped_when_the_value_vector_is_read_back()
    {
        var state = new[] { tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f }).reshape(2, 2), tensor(new float[] { 0.5f, 0.6f }) };
        var graph = ParameterGraph.Gather(ResidualLayout(withResidual: true), state);
        Assert.False(graph.Topology.IsIdentityGather, "the hand-built layout should need a gather");
        Assert.Equal(10, graph.EdgeCount);

        var values = ParameterStatistics.StateValues(graph);

        Assert.Equal(new[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }, values.Select(v => Math.Round(v, 6)));
    }

    [Theory]
    [InlineData("BatchNormCnn")]
    [InlineData("ImageMlp")]
    public void Each_state_tensor_gets_its_mean_variance_and_five_quantiles_in_layer_order(string name)
    {
        var net = Metanet.MetanetTesting.Network(name, seed: 4);
        var state = StateOrder.Of((nn.Module)net);

        var rows = ParameterStatistics.PerTensor(net.ToParameterGraph());

        Assert.Equal(state.Count, rows.Length);
        for (int t = 0; t < state.Count; t++)
        {
            var v = state[t].Tensor.detach().to(float64).reshape(-1);
            var q = quantile(v, tensor(new[] { 0.0, 0.25, 0.5, 0.75, 1.0 }, dtype: float64)).data<double>().ToArray();
            // Population variance, written out: Tensor.var(unbiased: false) gave the unbiased one in TorchSharp 0.107.
            double[] expected = [v.mean().item<double>(), (v - v.mean()).pow(2).mean().item<double>(), .. q];
            for (int s = 0; s < expected.Length; s++)
                Assert.True(Math.Abs(rows[t][s] - expected[s]) <= 1e-9 * (1 + Math.Abs(expected[s])),
                    $"{name}, {state[t].Name}: {ParameterStatistics.Names[s]} is {rows[t][s]}, torch says {expected[s]}");
        }
    }

    [Fact]
    public void StatNN_keys_slots_by_tensor_name_and_ignores_tensors_no_training_network_had()
    {
        // TinyMlp (Fc1, Norm, Fc2) and RowCnn (Conv1, Conv2, Head) share no tensor name; BatchNormCnn
        // shares Conv1.weight with RowCnn and adds tensors nobody in training had.
        var zoo = Zoo(0, 30).Where(s => !s.Id.StartsWith("BatchNormCnn")).ToList();
        using var predictor = new StatNnPredictor(Quick(epochs: 1));
        predictor.Fit(zoo.Take(14).ToList(), zoo.Skip(14).ToList());

        Assert.Equal(zoo.Count - 14, predictor.Predict(zoo.Skip(14).ToList()).Length);
        var larger = Zoo(31, 1).Single();
        Assert.StartsWith("BatchNormCnn", larger.Id);
        Assert.True(double.IsFinite(predictor.Predict([larger]).Single()));
    }

    [Fact]
    public void DeepSets_leaves_residual_constants_out_of_the_set()
    {
        // The same parameters with and without constant residual edges: the same set of parameters.
        var generator = new Generator(5);
        LabelledGraph Sample(int i, bool withResidual) => new($"g{i}",
            ParameterGraph.Gather(ResidualLayout(withResidual), [randn(2, 2, generator: generator), randn(2, generator: generator)]), i);
        var train = Enumerable.Range(0, 12).Select(i => Sample(i, withResidual: i % 2 == 0)).ToList();
        using var predictor = new DeepSetsPredictor(Quick(epochs: 2));
        predictor.Fit(train.Take(8).ToList(), train.Skip(8).ToList());

        var state = new[] { randn(2, 2, generator: generator), randn(2, generator: generator) };
        var predictions = predictor.Predict([
            new("with", ParameterGraph.Gather(ResidualLayout(withResidual: true), state), 0),
            new("without", ParameterGraph.Gather(ResidualLayout(withResidual: false), state), 0)]);

        Assert.True(Math.Abs(predictions[0] - predictions[1]) <= 1e-6 * Math.Abs(predictions[0]),
            $"with residual edges {predictions[0]}, without {predictions[1]}");
    }

    /// <summary>
    /// A hand-built layer of 2 → 2 neurons (weight [2, 2], bias [2]) with, optionally, a block of
    /// constant residual edges between the weight and bias blocks, so edge i no longer carries value i.
    /// </summary>
    internal static ParameterGraphLayout ResidualLayout(bool withResidual)
    {
        var nodes = new List<NodeBlock>
        {
            new(0, 2, 0, NodeType.Neuron, true, ActivationKind.None),
            new(2, 2, 1, NodeType.Neuron, true, ActivationKind.None),
            new(4, 1, 1, NodeType.Bias, false, ActivationKind.None),
        };
        var edges = new List<EdgeBlock> { new(1, EdgeType.LinearWeight, 0, 2, 2, 2, [], 0) };
        if (withResidual) edges.Add(new EdgeBlock(1, EdgeType.Residual, 0, 2, 2, 2, [], -1));
        edges.Add(new EdgeBlock(1, EdgeType.LinearBias, 4, 1, 2, 2, [], 4));
        var state = new List<StateTensor> { new("fc.weight", [2, 2], 0), new("fc.bias", [2], 4) };
        return new ParameterGraphLayout(withResidual ? "Residual" : "Plain", 5, nodes, edges, state);
    }
}
