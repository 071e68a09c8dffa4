using System;
using GmnGen;
using TorchSharp.Modules;
using static TorchSharp.torch;

var net = new TinyCnn();
using var graph = net.ToParameterGraph();
Console.WriteLine($"TinyCnn: {graph.NodeCount} nodes, {graph.EdgeCount} edges, {TinyCnn.Symmetries.Groups.Count} symmetry groups");
using var output = net.forward(zeros(2, 1, 28, 28));
Console.WriteLine($"output: [{string.Join(", ", output.shape)}]");

[Network(InputShape = [1, 28, 28])]
public partial class TinyCnn
{
    [Conv2d(8, Stride = 2), ReLU] public partial Conv2d Conv1 { get; }
    [Conv2d(8, Stride = 2), ReLU] public partial Conv2d Conv2 { get; }
    [GlobalAvgPool, Linear(10)]   public partial Linear Head { get; }
}
