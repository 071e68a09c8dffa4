using System.Collections.Generic;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// An architecture's topology tensors are built once and shared by every graph of every instance
/// for the life of the process, so no caller's dispose scope may own them, whichever call happens
/// to build them first. Each test uses its own hand-made layout: a disposed topology of a
/// catalogue network would break every later test in the process.
/// </summary>
public class TopologyLifetimeTests
{
    /// <summary>A private two-input, one-output linear layer: Fc.weight [1, 2] and Fc.bias [1].</summary>
    private static ParameterGraphLayout PrivateLayout(string name) => new(name, 4,
        [
            new NodeBlock(0, 2, 0, NodeType.Neuron, true, ActivationKind.None),
            new NodeBlock(2, 1, 1, NodeType.Neuron, true, ActivationKind.None),
            new NodeBlock(3, 1, 1, NodeType.Bias, false, ActivationKind.None),
        ],
        [
            new EdgeBlock(1, EdgeType.LinearWeight, 0, 2, 2, 1, [], 0),
            new EdgeBlock(1, EdgeType.LinearBias, 3, 1, 2, 1, [], 2),
        ],
        [new StateTensor("Fc.weight", [1, 2], 0), new StateTensor("Fc.bias", [1], 2)]);

    private static ParameterGraph GraphOf(ParameterGraphLayout layout, float scale) =>
        ParameterGraph.Gather(layout, [tensor(new[] { 0.5f, -0.25f }).reshape(1, 2) * scale, tensor(new[] { 0.1f }) * scale]);

    [Fact]
    public void The_first_graph_of_an_architecture_built_inside_a_dispose_scope_leaves_the_topology_usable_after_it()
    {
        var layout = PrivateLayout("ScopedFirstUse");
        using (NewDisposeScope()) _ = GraphOf(layout, 1);
        var graph = GraphOf(layout, 2);
        Assert.Equal(new long[] { 2, 3 }, graph.EdgeIndex.shape);
        Assert.Equal(new long[] { 0, 1, 3, 2, 2, 2 }, graph.EdgeIndex.data<long>().ToArray());
    }

    [Fact]
    public void Fitting_value_normalisation_on_lazily_built_graphs_leaves_the_architecture_usable()
    {
        // FitValueNormalization takes any IEnumerable; enumerating it inside the fit builds the
        // topology inside the fit's dispose scope.
        var layout = PrivateLayout("LazilyFitted");
        IEnumerable<ParameterGraph> Lazily()
        {
            for (int i = 1; i <= 3; i++) yield return GraphOf(layout, i);
        }
        var metanet = new GraphMetanet(Small);
        metanet.FitValueNormalization(Lazily());
        var graph = GraphOf(layout, 1);
        using var batch = GraphBatch.Collate([graph]);
        using var _ = no_grad();
        Assert.Equal(new long[] { 1, 1 }, metanet.forward(batch).shape);
    }
}
