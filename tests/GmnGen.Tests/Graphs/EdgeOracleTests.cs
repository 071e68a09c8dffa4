using System.Collections.Generic;
using GmnGen.Graphs;
using GmnGen.Tests.Networks;
using static TorchSharp.torch;

namespace GmnGen.Tests.Graphs;

/// <summary>
/// Checks individual edges against a plain per-edge reading of the weights: the edge for
/// W[o, i, kh, kw] of a layer runs from input node i to output node o with positions (kh, kw).
/// </summary>
public class EdgeOracleTests
{
    [Fact]
    public void Conv_edges_carry_the_kernel_entry_between_the_right_channels()
    {
        var net = new ZooCnn();
        var graph = net.ToParameterGraph();
        var w = net.Conv2.weight!;                    // [16, 16, 3, 3]
        var conv2 = ZooCnn.GraphLayout.Edges[2];       // after Conv1.weight and Conv1.bias
        Assert.Equal(EdgeType.ConvWeight, conv2.Type);
        var rows = ReadEdges(graph);
        foreach (var (o, i, kh, kw) in new[] { (0, 0, 0, 0), (3, 7, 1, 2), (15, 15, 2, 2), (9, 2, 2, 0) })
        {
            int e = conv2.ValueOffset + ((o * 16 + i) * 3 + kh) * 3 + kw;
            Assert.Equal((conv2.SrcStart + i, conv2.DstStart + o), (rows[e].Src, rows[e].Dst));
            Assert.Equal((kh, kw, -1), (rows[e].Pos0, rows[e].Pos1, rows[e].Pos2));
            Assert.Equal(w[o, i, kh, kw].item<float>(), graph.EdgeValues[e].item<float>());
        }
    }

    [Fact]
    public void Bias_and_norm_edges_leave_one_shared_node_per_parameter_tensor()
    {
        var layout = TinyMlp.GraphLayout;
        // Nodes: 2 inputs, 3 hidden, LayerNorm weight, LayerNorm bias, 1 output, output bias.
        var graph = new TinyMlp().ToParameterGraph();
        var rows = ReadEdges(graph);
        // Edges 6..8 are Norm.weight: from one node to each hidden neuron.
        Assert.Equal(new[] { (5, 2), (5, 3), (5, 4) }, new[] { (rows[6].Src, rows[6].Dst), (rows[7].Src, rows[7].Dst), (rows[8].Src, rows[8].Dst) });
        Assert.Equal(NodeType.LayerNormWeight, (NodeType)graph.NodeFeatures[5, 2].item<long>());
        Assert.Equal(NodeType.Bias, (NodeType)graph.NodeFeatures[8, 2].item<long>());
        Assert.Equal(9, layout.NodeCount);
    }

    [Fact]
    public void Inputs_and_outputs_are_ordered_and_hidden_nodes_are_not()
    {
        var graph = new ZooCnn().ToParameterGraph();
        var order = graph.NodeFeatures[.., 1];
        Assert.Equal(0, order[0].item<long>());                          // the input channel
        Assert.Equal(-1, order[1].item<long>());                         // a Conv1 channel
        var head = ZooCnn.GraphLayout.Nodes[^2];                          // Head neurons, then Head bias
        Assert.Equal(9, order[head.Start + 9].item<long>());
        Assert.Equal((long)ActivationKind.ReLU, graph.NodeFeatures[1, 3].item<long>());
    }

    private static List<(int Src, int Dst, int Pos0, int Pos1, int Pos2)> ReadEdges(ParameterGraph graph)
    {
        var index = graph.EdgeIndex.data<long>().ToArray();
        var features = graph.EdgeFeatures.data<long>().ToArray();
        int n = graph.EdgeCount;
        var rows = new List<(int, int, int, int, int)>(n);
        for (int e = 0; e < n; e++)
            rows.Add(((int)index[e], (int)index[n + e], (int)features[e * 5 + 2], (int)features[e * 5 + 3], (int)features[e * 5 + 4]));
        return rows;
    }
}
