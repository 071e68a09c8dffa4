using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Bench;

/// <summary>
/// (g) Conv1d forward + backward on the shapes the declared 1-D networks use, through libtorch's
/// <c>nn.Conv1d</c> (what generated code runs) and through <see cref="Im2colConv1d"/>, side by side,
/// with the largest difference between their outputs.
/// </summary>
public static class Conv1dBench
{
    public sealed record Result(string Shape, long Batch, int Reps, double LibtorchMs, double Im2colMs, double MaxDifference)
    {
        public double Ratio => Im2colMs / LibtorchMs;
    }

    /// <summary>In → out channels, kernel, stride, length: the zoo's 1-D CNNs over image rows and the ViT's token MLP.</summary>
    private static readonly (int In, int Out, int Kernel, int Stride, int Length)[] Shapes =
        [(28, 12, 5, 2, 28), (28, 24, 3, 1, 28), (12, 12, 3, 1, 12), (16, 64, 1, 1, 16), (64, 16, 1, 1, 16)];

    public static IReadOnlyList<Result> Run(int reps, long batch = 128) => Shapes.Select(s =>
    {
        using var scope = NewDisposeScope();
        manual_seed(3).Dispose();
        var conv = nn.Conv1d(s.In, s.Out, s.Kernel, s.Stride);
        var x = randn(batch, s.In, s.Length).requires_grad_();
        double libtorch = Time(() => conv.forward(x), reps), im2col = Time(() => Im2colConv1d.Apply(x, conv.weight, conv.bias, s.Stride, 0, 1), reps);
        double difference = conv.forward(x).sub(Im2colConv1d.Apply(x, conv.weight, conv.bias, s.Stride, 0, 1)).abs().max().item<float>();
        conv.Dispose();
        return new Result($"{s.In}→{s.Out}, k{s.Kernel}, s{s.Stride}, L{s.Length}", batch, reps, libtorch, im2col, difference);
    }).ToList();

    /// <summary>Median milliseconds of forward + backward of the sum, after 3 warm-up passes.</summary>
    private static double Time(Func<Tensor> forward, int reps)
    {
        for (int i = 0; i < 3; i++) Pass(forward);
        var times = Enumerable.Range(0, reps).Select(_ => Measure.Seconds(() => Pass(forward)) * 1000).Order().ToList();
        return times[times.Count / 2];
    }

    private static void Pass(Func<Tensor> forward)
    {
        using var scope = NewDisposeScope();
        forward().sum().backward();
    }
}
