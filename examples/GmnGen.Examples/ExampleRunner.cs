using System;
using System.Diagnostics;
using System.Linq;
using GmnGen.Data;
using GmnGen.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Examples;

/// <summary>
/// For one declared network: train it briefly on Fashion-MNIST, report test accuracy, build its
/// parameter graph, list its symmetry groups, then apply a random automorphism and show that the
/// network still computes the same function.
/// </summary>
internal sealed class ExampleRunner(FashionMnist data, int steps, long seed)
{
    /// <param name="create">Makes the network.</param>
    /// <param name="inputShape">Its declared input shape (the generated static InputShape): images are reshaped to it.</param>
    public void Run<TNet>(Func<TNet> create, System.Collections.Generic.IReadOnlyList<int> inputShape) where TNet : nn.Module<Tensor, Tensor>, IGraphNetwork
    {
        Tensor Shape(Tensor images) => images.reshape([images.shape[0], .. inputShape.Select(d => (long)d)]);
        manual_seed(seed).Dispose();   // returns a new handle to the global generator
        var net = create();
        var name = net.GraphLayout.Architecture;
        AnsiConsole.Write(new Rule($"[bold]{name}[/]").LeftJustified());

        var options = new TrainingOptions { Epochs = 10, MaxSteps = steps, BatchSize = 128, LearningRate = 2e-3, Seed = seed, InputTransform = Shape };
        var report = ClassifierTrainer.Train(net, data.Train, options);
        double accuracy = ClassifierTrainer.Accuracy(net, data.Test, Shape);
        AnsiConsole.MarkupLine($"trained {report.Steps} steps in {report.Elapsed.TotalSeconds:F1} s, final loss {report.FinalLoss:F3}");
        AnsiConsole.MarkupLine($"test accuracy [green]{accuracy:P2}[/] on {data.Test.Count:N0} Fashion-MNIST test images");

        var timer = Stopwatch.StartNew();
        var graph = net.ToParameterGraph();           // first call also builds the shared topology
        var first = timer.Elapsed;
        timer.Restart();
        graph = net.ToParameterGraph();               // later calls: one concatenation of the weights
        var again = timer.Elapsed;
        long parameters = net.parameters().Sum(p => p.numel());
        AnsiConsole.MarkupLine($"parameter graph: [bold]{graph.NodeCount:N0}[/] nodes, [bold]{graph.EdgeCount:N0}[/] edges " +
                               $"({parameters:N0} parameters + {graph.EdgeCount - parameters:N0} buffer values)");
        AnsiConsole.MarkupLine($"graph built in {first.TotalMilliseconds:F2} ms (with topology), then {again.TotalMilliseconds:F3} ms");

        var table = new Table().AddColumns("symmetry group", "size", "acts on (tensor:axis)");
        foreach (var group in net.Symmetries.Groups)
            table.AddRow(group.Name, group.Size.ToString(), string.Join(", ", group.Actions.Select(a => $"{a.Tensor}:{a.Axis}" + (a.Block > 1 ? $"×{a.Block}" : ""))));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"automorphisms: 10^{net.Symmetries.Log10Order:F1}");

        using var probe = NewDisposeScope();
        var batch = Shape(data.Test.Take(512).Images);
        Tensor before;
        using (no_grad()) { net.eval(); before = net.forward(batch); }
        net.Symmetries.ApplyRandom(net, new Generator((ulong)seed + 1));
        double permutedAccuracy = ClassifierTrainer.Accuracy(net, data.Test, Shape);
        Tensor after;
        using (no_grad()) after = net.forward(batch);
        double maxChange = (after - before).abs().max().item<float>();
        AnsiConsole.MarkupLine($"after a random automorphism: test accuracy [green]{permutedAccuracy:P2}[/] (was {accuracy:P2})");
        AnsiConsole.MarkupLine($"largest change of any logit on 512 test images: {maxChange:E1}");
        AnsiConsole.WriteLine();
    }
}
