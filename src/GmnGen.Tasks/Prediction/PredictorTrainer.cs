using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using GmnGen.Tasks.Evaluation;
using GmnGen.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// The one training protocol every predictor uses, so that methods differ only in what they see of
/// the weights: targets standardised with the training split's mean and std, AdamW on the MSE over
/// shuffled minibatches, the learning rate decayed linearly over the epochs, the validation split
/// scored after every epoch and the weights of the epoch with the lowest validation MSE kept.
/// Owns the regressor it trains.
/// </summary>
internal sealed class PredictorTrainer<TInput>(IRegressor<TInput> regressor, PredictorOptions options) : IDisposable
{
    private TargetScale? scale;

    /// <summary>Trains the regressor from its current (seeded) weights and leaves it in
    /// evaluation mode with the selected epoch's weights.</summary>
    public FitReport Fit(IReadOnlyList<LabelledGraph> train, IReadOnlyList<LabelledGraph> validation, IProgress<EpochRecord>? progress)
    {
        var clock = Stopwatch.StartNew();
        var targets = TargetScale.Fit(train);
        var trainInputs = train.Select(regressor.Encode).ToArray();
        var trainTargets = train.Select(s => targets.Standardise(s.Target)).ToArray();
        var validationInputs = validation.Select(regressor.Encode).ToArray();
        var validationTruth = validation.Select(s => s.Target).ToArray();
        var module = regressor.Module;
        var parameters = module.parameters().ToList();
        using var optimizer = new Adam(parameters, options.LearningRate, options.WeightDecay, decoupled: true);
        // The shuffle has its own generator: the order of batches depends on the seed alone.
        var shuffle = new Random(unchecked((int)options.Seed ^ (int)(options.Seed >> 32)));
        var order = Enumerable.Range(0, train.Count).ToArray();
        var curve = new List<EpochRecord>(options.Epochs);
        WeightSnapshot? best = null;
        int bestEpoch = 0;
        double bestLoss = double.PositiveInfinity;
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                double progressFraction = options.Epochs == 1 ? 0 : (epoch - 1.0) / (options.Epochs - 1);
                optimizer.LearningRate = options.LearningRate * (1 - (1 - options.FinalLearningRateFraction) * progressFraction);
                shuffle.Shuffle(order);
                // Both losses in target units (the optimiser sees standardised ones).
                double trainLoss = TrainEpoch(optimizer, trainInputs, trainTargets, order) * targets.Std * targets.Std;

                var predicted = Predict(validationInputs, targets);
                double validationLoss = validationTruth.Zip(predicted, (t, p) => (t - p) * (t - p)).Average();
                var record = new EpochRecord(epoch, trainLoss, validationLoss, R2OrNaN(validationTruth, predicted), clock.Elapsed);
                curve.Add(record);
                // Strictly lower: on a tie the earlier (less trained) epoch stays selected.
                if (validationLoss < bestLoss)
                {
                    bestLoss = validationLoss;
                    bestEpoch = epoch;
                    best?.Dispose();
                    best = WeightSnapshot.Take(module);
                }
                progress?.Report(record);
            }
            if (best is null)
                throw new InvalidOperationException(
                    $"Training diverged: the validation loss was not finite in any of the {options.Epochs} epochs " +
                    $"(last training loss {curve[^1].TrainLoss}); lower {nameof(PredictorOptions.LearningRate)} (now {options.LearningRate}).");
            best.Restore(module);
        }
        finally
        {
            best?.Dispose();
            module.eval();
        }
        scale = targets;
        return new FitReport(curve, bestEpoch, clock.Elapsed, parameters.Sum(p => p.numel()));
    }

    /// <summary>Predictions in target units, in the order of <paramref name="samples"/>.</summary>
    public double[] Predict(IReadOnlyList<LabelledGraph> samples)
    {
        var targets = scale ?? throw new InvalidOperationException("Predict was called before a successful Fit.");
        return Predict(samples.Select(regressor.Encode).ToArray(), targets);
    }

    /// <summary>One pass over the shuffled training set; returns the mean squared error in standardised units.</summary>
    private double TrainEpoch(Optimizer optimizer, TInput[] inputs, float[] targets, int[] order)
    {
        regressor.Module.train();
        double sum = 0;
        for (int start = 0; start < order.Length; start += options.BatchSize)
        {
            var rows = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray();
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            Tensor predicted, truth;
            if (regressor is IMixingRegressor<TInput> mixing)
            {
                // Targets are affine in the raw ones, so mixing standardised targets is mixing raw ones.
                (predicted, var partner, var lambda) = mixing.ForwardTraining(rows, rows.Select(i => inputs[i]).ToArray());
                truth = tensor(rows.Select((i, k) => partner[k] < 0 ? targets[i] : (1 - lambda[k]) * targets[i] + lambda[k] * targets[partner[k]]).ToArray(),
                    device: predicted.device);
            }
            else
            {
                predicted = regressor.Forward(rows.Select(i => inputs[i]).ToArray());
                truth = tensor(rows.Select(i => targets[i]).ToArray(), device: predicted.device);
            }
            var loss = nn.functional.mse_loss(predicted, truth);
            regressor.Backward(loss);
            optimizer.Step();
            sum += loss.item<float>() * rows.Length;
        }
        return sum / order.Length;
    }

    private double[] Predict(TInput[] inputs, TargetScale targets)
    {
        var module = regressor.Module;
        module.eval();
        using var _ = no_grad();
        var result = new double[inputs.Length];
        for (int start = 0; start < inputs.Length; start += options.BatchSize)
        {
            int count = Math.Min(options.BatchSize, inputs.Length - start);
            using var scope = NewDisposeScope();
            var predicted = regressor.Forward(inputs.AsSpan(start, count).ToArray()).to(float64).cpu().data<double>().ToArray();
            for (int i = 0; i < count; i++) result[start + i] = targets.Restore(predicted[i]);
        }
        return result;
    }

    private static double R2OrNaN(double[] truth, double[] predicted) =>
        truth.Length >= 2 && truth.Any(t => t != truth[0]) ? Metrics.R2(truth, predicted) : double.NaN;

    public void Dispose() => regressor.Dispose();
}
