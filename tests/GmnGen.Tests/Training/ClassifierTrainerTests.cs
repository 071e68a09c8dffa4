using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Data;
using GmnGen.Tests.Data;
using GmnGen.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Training;

public sealed class ClassifierTrainerTests
{
    // 200 Adam steps of 128 over 5,000 images (about 5 epochs): well under a second of compute on 2 cores.
    private static readonly TrainingOptions Options = new()
    {
        Optimizer = OptimizerKind.Adam,
        LearningRate = 2e-3,
        Epochs = 10,
        MaxSteps = 200,
        BatchSize = 128,
        Seed = 1234,
    };

    [Fact]
    public void A_small_mlp_learns_fashion_mnist_and_the_same_seed_repeats_every_loss()
    {
        using var train = SharedFashionMnist.Data.Train.Take(5000);
        using var test = SharedFashionMnist.Data.Test.Take(2000);
        using var first = Mlp();
        // The second model starts from the first one's weights, copied rather than re-seeded, so the
        // comparison does not depend on the global torch generator other tests may be using meanwhile.
        using var second = Mlp();
        CopyParameters(from: first, to: second);

        var firstLosses = new RecordingProgress();
        var report = ClassifierTrainer.Train(first, train, Options, firstLosses);
        var secondLosses = new RecordingProgress();
        var repeat = ClassifierTrainer.Train(second, train, Options, secondLosses);
        double accuracy = ClassifierTrainer.Accuracy(first, test);

        Assert.Equal(200, report.Steps);
        Assert.Equal(Enumerable.Range(1, 200), firstLosses.Reports.Select(r => r.Step));
        Assert.All(firstLosses.Reports, r => Assert.Equal(200, r.TotalSteps));
        Assert.Equal(firstLosses.Reports[^1].Loss, report.FinalLoss);
        Assert.True(report.FinalLoss < firstLosses.Reports[0].Loss, $"loss should fall: {firstLosses.Reports[0].Loss} -> {report.FinalLoss}");
        Assert.False(first.training, "Train should leave the model in eval mode");
        Assert.True(accuracy > 0.70, $"test accuracy {accuracy:P1} should exceed 70%");

        Assert.Equal(report.FinalLoss, repeat.FinalLoss);
        Assert.Equal(firstLosses.Reports.Select(r => r.Loss), secondLosses.Reports.Select(r => r.Loss));
    }

    [Fact]
    public void Different_seeds_shuffle_differently_and_sgd_with_an_input_transform_runs()
    {
        using var train = SharedFashionMnist.Data.Train.Take(1000);
        using var a = Mlp();
        using var b = Mlp();
        CopyParameters(from: a, to: b);
        // Flattening in the transform instead of the model exercises InputTransform.
        var sgd = Options with { Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, MaxSteps = 5, InputTransform = x => x.flatten(1) };

        var ra = ClassifierTrainer.Train(a, train, sgd);
        var rb = ClassifierTrainer.Train(b, train, sgd with { Seed = sgd.Seed + 1 });

        Assert.Equal(5, ra.Steps);
        Assert.True(double.IsFinite(ra.FinalLoss));
        Assert.NotEqual(ra.FinalLoss, rb.FinalLoss);
    }

    [Fact]
    public void MaxSteps_and_epochs_bound_the_run()
    {
        using var train = SharedFashionMnist.Data.Train.Take(300);
        using var model = Mlp();

        // 300 samples in batches of 128 is 3 steps an epoch (the last one partial); 2 epochs make 6.
        var report = ClassifierTrainer.Train(model, train, Options with { Epochs = 2, MaxSteps = null });

        Assert.Equal(6, report.Steps);
    }

    private static nn.Module<Tensor, Tensor> Mlp() => nn.Sequential(
        ("flatten", nn.Flatten()),
        ("hidden", nn.Linear(784, 32)),
        ("relu", nn.ReLU()),
        ("out", nn.Linear(32, 10)));

    private static void CopyParameters(nn.Module from, nn.Module to)
    {
        using var noGrad = no_grad();
        foreach (var (source, target) in from.parameters().Zip(to.parameters()))
        {
            target.copy_(source);
        }
    }

    /// <summary>Records synchronously; <see cref="Progress{T}"/> would post to the thread pool.</summary>
    private sealed class RecordingProgress : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = new();

        public void Report(TrainingProgress value) => Reports.Add(value);
    }
}
