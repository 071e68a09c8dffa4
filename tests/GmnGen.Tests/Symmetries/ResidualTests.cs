using System.Linq;
using GmnGen.Graphs;
using GmnGen.Symmetries;
using GmnGen.Tests.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>
/// A residual sum ties the channels on both of its sides: one group moves the whole residual stream,
/// and moving only the part before a sum changes the function.
/// </summary>
public class ResidualTests
{
    [Fact]
    public void Residual_edges_are_one_constant_edge_per_channel_from_skip_to_sum()
    {
        // ResNet: identity block (8 channels) and projection block (12 channels).
        Assert.Equal(94, ResNet.GraphLayout.NodeCount);
        var residual = ResNet.GraphLayout.Edges.Where(e => e.Type == EdgeType.Residual).ToList();
        Assert.Equal(new[] { 8, 12 }, residual.Select(e => e.Count).ToArray());
        Assert.All(residual, e => Assert.True(e.Diagonal && e.ValueOffset == -1));
        Assert.Equal(ResNet.GraphLayout.ValueCount + 20, ResNet.GraphLayout.EdgeCount);
        var graph = new ResNet().ToParameterGraph();
        Assert.Equal(3966, graph.EdgeCount);
        // The identity block joins stem channel c (node 3 + c) to Block1Conv2's channel c (node 27 + c).
        var index = graph.EdgeIndex.data<long>().ToArray();
        int first = ResNet.GraphLayout.ValueCount;
        Assert.Equal((3L, 27L), (index[first], index[graph.EdgeCount + first]));
        Assert.Equal((10L, 34L), (index[first + 7], index[graph.EdgeCount + first + 7]));
    }

    [Fact]
    public void The_residual_stream_is_one_group_across_every_block_LayerNorm_parameters_included()
    {
        var stream = ResidualMlp.Symmetries.Groups[0];
        Assert.Equal(("Embed.neurons", 8), (stream.Name, stream.Size));
        Assert.Equal(new[] { new NodeRun(6), new NodeRun(34), new NodeRun(62) }, stream.Nodes);
        foreach (var tensor in new[] { "Norm1.weight", "Norm1.bias", "Norm2.weight", "Norm2.bias", "Down1.weight", "Down2.bias", "Out.weight" })
            Assert.Contains(stream.Actions, a => a.Tensor == tensor);
        Assert.Equal(3, ResidualMlp.Symmetries.Groups.Count); // the stream and each block's hidden neurons
    }

    [Fact]
    public void A_projection_shortcut_ties_its_channels_to_the_main_path()
    {
        var group = ResNet.Symmetries.Groups.Single(g => g.Name == "Block2Conv2.channels");
        Assert.Equal(new[] { new NodeRun(55), new NodeRun(71) }, group.Nodes);
        Assert.Contains(new TensorAxis("Block2Proj.weight", 0), group.Actions);
        // The stem's channels reach Block2 through the identity block: Block2Proj reads them.
        Assert.Contains(new TensorAxis("Block2Proj.weight", 1), ResNet.Symmetries.Groups.Single(g => g.Name == "Stem.channels").Actions);
    }

    [Fact]
    public void Permuting_the_stream_before_a_residual_sum_but_not_after_it_changes_the_function()
    {
        var (_, module, input) = FunctionPreservationTests.Prepare(nameof(ResidualMlp), seed: 31);
        var before = module.forward(input);
        var stream = ResidualMlp.Symmetries.Groups[0];
        // The tensors of the first block only: as if its output were a group of its own.
        string[] firstBlock = ["Embed.weight", "Embed.bias", "Norm1.weight", "Norm1.bias", "Up1.weight"];
        stream.Apply(SymmetrySpec.StateByName(module), arange(8, dtype: int64).roll(1), only: a => firstBlock.Contains(a.Tensor));
        var after = module.forward(input);
        Assert.False(after.allclose(before, rtol: 0, atol: 1e-4), "a residual sum did not tie its two sides");
    }
}
