using System;
using System.Diagnostics;
using System.Linq;
using GmnGen.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Training;

/// <summary>Which optimiser <see cref="ClassifierTrainer.Train"/> uses.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with <see cref="TrainingOptions.Momentum"/>.</summary>
    Sgd,

    /// <summary>Adam with its default betas (0.9, 0.999).</summary>
    Adam,
}

/// <summary>Hyper-parameters of <see cref="ClassifierTrainer.Train"/>.</summary>
public sealed record TrainingOptions
{
    /// <summary>Optimiser; Adam by default.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Learning rate; 1e-3 by default (suits Adam; SGD usually wants around 0.05).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>L2 weight decay passed to the optimiser; 0 by default.</summary>
    public double WeightDecay { get; init; }

    /// <summary>SGD momentum; ignored by Adam. 0.9 by default.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Full passes over the data; 1 by default.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Samples per step; 128 by default. The last batch of an epoch may be smaller.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>
    /// Seeds the generator that shuffles the samples each epoch. It does not touch the global torch
    /// generator: seed that (<c>torch.manual_seed</c>) before building the model for reproducible weights and dropout.
    /// </summary>
    public long Seed { get; init; }

    /// <summary>Stop after this many steps even if epochs remain; null runs every epoch in full.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>
    /// Applied to each image batch (float32 <c>[b, 1, 28, 28]</c>) before the model sees it, e.g.
    /// <c>x =&gt; x.flatten(1)</c> for an MLP or <c>x =&gt; x.squeeze(1)</c> for a 1-D CNN over rows.
    /// Null leaves the batch as is.
    /// </summary>
    public Func<Tensor, Tensor>? InputTransform { get; init; }
}

/// <summary>Reported after every step.</summary>
/// <param name="Step">Steps done so far, 1-based.</param>
/// <param name="TotalSteps">Steps this run will take.</param>
/// <param name="Loss">Mean cross-entropy of this step's batch.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss);

/// <summary>Summary of a finished run.</summary>
/// <param name="Steps">Optimiser steps taken.</param>
/// <param name="FinalLoss">Mean cross-entropy of the last batch (NaN if no step ran).</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
public sealed record TrainingReport(int Steps, double FinalLoss, TimeSpan Elapsed);

/// <summary>Minibatch training and evaluation of image classifiers on an <see cref="ImageSet"/>.</summary>
public static class ClassifierTrainer
{
    /// <summary>
    /// Trains <paramref name="model"/> (logits out, one per class) with cross-entropy loss over shuffled minibatches.
    /// The model is in training mode during the run and left in evaluation mode afterwards.
    /// Batches are moved to the device of the model's first parameter, so a CUDA model works with CPU data.
    /// </summary>
    /// <param name="model">Maps a (transformed) image batch to <c>[b, classes]</c> logits.</param>
    /// <param name="data">Training samples.</param>
    /// <param name="options">Hyper-parameters.</param>
    /// <param name="progress">Told the loss after every step.</param>
    /// <returns>Steps taken, last loss and elapsed time.</returns>
    public static TrainingReport Train(
        nn.Module<Tensor, Tensor> model,
        ImageSet data,
        TrainingOptions options,
        IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Validate(data, options);

        var stopwatch = Stopwatch.StartNew();
        var parameters = model.parameters().ToList();
        var device = parameters.Count > 0 ? parameters[0].device : CPU;
        var transform = options.InputTransform ?? (x => x);

        int batchesPerEpoch = (data.Count + options.BatchSize - 1) / options.BatchSize;
        long plannedSteps = (long)batchesPerEpoch * options.Epochs;
        int totalSteps = (int)Math.Min(plannedSteps, options.MaxSteps ?? int.MaxValue);

        using var optimizer = CreateOptimizer(model, options);
        // A private generator keeps the shuffle order a function of Seed alone, whatever else uses torch's RNG.
        using var generator = new Generator((ulong)options.Seed);

        int step = 0;
        double lastLoss = double.NaN;
        model.train();
        try
        {
            for (int epoch = 0; epoch < options.Epochs && step < totalSteps; epoch++)
            {
                using var order = randperm(data.Count, generator: generator);
                for (int start = 0; start < data.Count && step < totalSteps; start += options.BatchSize)
                {
                    // Everything a step allocates (batch, activations, loss, gradients' temporaries) dies here.
                    using var scope = NewDisposeScope();
                    int size = Math.Min(options.BatchSize, data.Count - start);
                    var indices = order.narrow(0, start, size);
                    var images = data.Images.index_select(0, indices).to(device);
                    var labels = data.Labels.index_select(0, indices).to(device);

                    optimizer.ZeroGrad();
                    var logits = model.forward(transform(images));
                    var loss = nn.functional.cross_entropy(logits, labels);
                    loss.backward();
                    optimizer.Step();

                    lastLoss = loss.item<float>();
                    step++;
                    progress?.Report(new TrainingProgress(step, totalSteps, lastLoss));
                }
            }
        }
        finally
        {
            model.eval();
        }

        return new TrainingReport(step, lastLoss, stopwatch.Elapsed);
    }

    /// <summary>Fraction of <paramref name="data"/> the model classifies correctly (argmax of its logits).</summary>
    /// <param name="model">Maps a (transformed) image batch to <c>[b, classes]</c> logits; it is switched to evaluation mode.</param>
    /// <param name="data">Samples to score.</param>
    /// <param name="inputTransform">Same role as <see cref="TrainingOptions.InputTransform"/>; null for none.</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <returns>Correct predictions divided by <see cref="ImageSet.Count"/>, in [0, 1].</returns>
    public static double Accuracy(
        nn.Module<Tensor, Tensor> model,
        ImageSet data,
        Func<Tensor, Tensor>? inputTransform = null,
        int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (data.Count == 0) throw new ArgumentException("Cannot measure accuracy on an empty set.", nameof(data));

        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        var transform = inputTransform ?? (x => x);
        model.eval();
        using var noGrad = no_grad();
        long correct = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int size = Math.Min(batchSize, data.Count - start);
            var images = data.Images.narrow(0, start, size).to(device);
            var labels = data.Labels.narrow(0, start, size).to(device);
            var predicted = model.forward(transform(images)).argmax(1);
            correct += predicted.eq(labels).sum().item<long>();
        }
        return (double)correct / data.Count;
    }

    private static void Validate(ImageSet data, TrainingOptions options)
    {
        if (data.Count == 0) throw new ArgumentException("Cannot train on an empty set.", nameof(data));
        if (options.BatchSize <= 0) throw new ArgumentException($"BatchSize must be positive, not {options.BatchSize}.", nameof(options));
        if (options.Epochs < 0) throw new ArgumentException($"Epochs must not be negative, not {options.Epochs}.", nameof(options));
        if (options.MaxSteps is < 0) throw new ArgumentException($"MaxSteps must not be negative, not {options.MaxSteps}.", nameof(options));
        if (!(options.LearningRate > 0)) throw new ArgumentException($"LearningRate must be positive, not {options.LearningRate}.", nameof(options));
        if (options.WeightDecay < 0) throw new ArgumentException($"WeightDecay must not be negative, not {options.WeightDecay}.", nameof(options));
    }

    private static Optimizer CreateOptimizer(nn.Module model, TrainingOptions options) => options.Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(model.parameters(), options.LearningRate, options.Momentum, options.WeightDecay),
        OptimizerKind.Adam => new Adam(model.parameters(), options.LearningRate, options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
    };
}
