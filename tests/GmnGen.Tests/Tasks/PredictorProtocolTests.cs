using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Metanet;
using GmnGen.Tasks.Prediction;
using static GmnGen.Tests.Tasks.PredictorTesting;

namespace GmnGen.Tests.Tasks;

/// <summary>
/// The training protocol every predictor shares: predictions keep the samples' order, the kept
/// weights are those of the epoch with the lowest validation loss, a fit depends on its seed alone,
/// and misuse fails with a message that says what was expected.
/// </summary>
[Collection(nameof(PredictorCollection))]
public class PredictorProtocolTests
{
    private static readonly Lazy<(List<LabelledGraph> Train, List<LabelledGraph> Validation, List<LabelledGraph> Test)> Splits =
        new(() => (Zoo(0, 40), Zoo(40, 20), Zoo(60, 21)));

    [Theory]
    [MemberData(nameof(MethodNames), MemberType = typeof(PredictorTesting))]
    public void Predictions_follow_the_order_of_the_samples(string method)
    {
        var (train, validation, test) = Splits.Value;
        using var predictor = Create(method, Quick(epochs: 2));
        predictor.Fit(train, validation);

        var inOrder = predictor.Predict(test);
        var shuffle = Enumerable.Range(0, test.Count).OrderBy(i => (i * 7919) % test.Count).ToArray();
        var shuffled = predictor.Predict(shuffle.Select(i => test[i]).ToList());
        var single = predictor.Predict([test[5]]);

        Assert.Equal(test.Count, inOrder.Length);
        Assert.True(inOrder.Distinct().Count() > test.Count / 2, $"{method}: predictions barely vary ({string.Join(", ", inOrder)}), so order would not show");
        // Other batch mates change float32 rounding only.
        double tolerance = 1e-5 * (inOrder.Max() - inOrder.Min());
        for (int k = 0; k < shuffle.Length; k++)
            Assert.True(Math.Abs(shuffled[k] - inOrder[shuffle[k]]) <= tolerance,
                $"{method}: sample {shuffle[k]} predicted {inOrder[shuffle[k]]} in order but {shuffled[k]} at position {k} of a shuffled list");
        Assert.True(Math.Abs(single[0] - inOrder[5]) <= tolerance, $"{method}: sample 5 alone {single[0]}, in its batch {inOrder[5]}");
    }

    /// <summary>With noise for targets and a few training networks, later epochs overfit: the
    /// validation loss is lowest before the last epoch, so keeping the last weights would show.</summary>
    [Theory]
    [MemberData(nameof(MethodNames), MemberType = typeof(PredictorTesting))]
    public void The_kept_weights_are_those_of_the_epoch_with_the_lowest_validation_loss(string method)
    {
        var (train, validation, _) = Splits.Value;
        var noisyTrain = WithNoiseTargets(train.Take(12), seed: 1);
        var noisyValidation = WithNoiseTargets(validation, seed: 2);
        var options = Quick(epochs: 8) with { LearningRate = 3e-2 };
        using var predictor = Create(method, options);

        var report = predictor.Fit(noisyTrain, noisyValidation);

        var losses = report.Curve.Select(r => r.ValidationLoss).ToArray();
        Assert.Equal(options.Epochs, report.Curve.Count);
        Assert.Equal(Enumerable.Range(1, options.Epochs), report.Curve.Select(r => r.Epoch));
        int lowest = Array.IndexOf(losses, losses.Min()) + 1;
        Assert.Equal(lowest, report.BestEpoch);
        Assert.True(losses[^1] > losses[lowest - 1], $"{method}: the last epoch is (one of) the best, so this test cannot tell kept weights from last ones:\n{Curve(report)}");
        var predicted = predictor.Predict(noisyValidation);
        double mse = noisyValidation.Zip(predicted, (s, p) => (s.Target - p) * (s.Target - p)).Average();
        Assert.True(Math.Abs(mse - losses[lowest - 1]) <= 1e-9 * losses[lowest - 1],
            $"{method}: validation MSE with the kept weights is {mse:E6}, epoch {lowest} scored {losses[lowest - 1]:E6} and the last {losses[^1]:E6}:\n{Curve(report)}");
    }

    [Theory]
    [MemberData(nameof(MethodNames), MemberType = typeof(PredictorTesting))]
    public void The_same_seed_gives_identical_predictions_and_another_seed_different_ones(string method)
    {
        var (train, validation, test) = Splits.Value;
        double[] FitAndPredict(long seed, out FitReport report)
        {
            using var predictor = Create(method, Quick(epochs: 2, seed));
            report = predictor.Fit(train, validation);
            return predictor.Predict(test);
        }

        var first = FitAndPredict(11, out var firstReport);
        var again = FitAndPredict(11, out var againReport);
        var other = FitAndPredict(12, out _);

        Assert.Equal(first, again);
        Assert.Equal(firstReport.Curve.Select(r => (r.TrainLoss, r.ValidationLoss)), againReport.Curve.Select(r => (r.TrainLoss, r.ValidationLoss)));
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Scaling_augmentation_is_seeded_changes_the_fit_and_leaves_the_training_graphs_alone() =>
        AssertAugmentationIsSeeded(factor => Quick(epochs: 2, seed: 11) with { GmnScalingAugmentation = factor }, off: 1, on: 2,
            invalid: new PredictorOptions { GmnScalingAugmentation = 0.5 }, optionName: "GmnScalingAugmentation");

    [Fact]
    public void Weight_mixup_is_seeded_changes_the_fit_and_leaves_the_training_graphs_alone() =>
        AssertAugmentationIsSeeded(probability => Quick(epochs: 2, seed: 12) with { GmnWeightMixup = probability }, off: 0, on: 0.5,
            invalid: new PredictorOptions { GmnWeightMixup = 1.5 }, optionName: "GmnWeightMixup");

    /// <summary>An augmentation of the GMN's training graphs: the same setting fits the same, on differs
    /// from off, the stored training graphs are untouched, and a bad value is refused by name.</summary>
    private static void AssertAugmentationIsSeeded(Func<double, PredictorOptions> options, double off, double on, PredictorOptions invalid, string optionName)
    {
        var (train, validation, test) = Splits.Value;
        using var scope = TorchSharp.torch.NewDisposeScope();   // the copies below
        var before = train.Select(s => s.Graph.EdgeValues.clone()).ToList();
        double[] FitAndPredict(double setting)
        {
            using var predictor = new GmnPredictor(options(setting));
            predictor.Fit(train, validation);
            return predictor.Predict(test);
        }

        var plain = FitAndPredict(off);
        var augmented = FitAndPredict(on);
        Assert.Equal(augmented, FitAndPredict(on));
        Assert.NotEqual(plain, augmented);
        Assert.All(train.Zip(before), p => Assert.True(p.First.Graph.EdgeValues.equal(p.Second).all().item<bool>(), $"{p.First.Id}: {optionName} changed the stored graph"));
        Assert.Contains(optionName, Assert.Throws<ArgumentException>(() => new GmnPredictor(invalid)).Message);
    }

    [Fact]
    public void The_per_layer_readout_is_switched_on_from_a_training_set_size_unless_set_explicitly()
    {
        var options = new PredictorOptions();
        Assert.Equal(0, options.GmnFor(options.GmnPerLayerReadoutFrom - 1).ReadoutLayers);
        Assert.Equal(options.GmnPerLayerReadoutSlots, options.GmnFor(options.GmnPerLayerReadoutFrom).ReadoutLayers);
        Assert.Equal(4, (options with { Gmn = options.Gmn with { ReadoutLayers = 4 } }).GmnFor(100_000).ReadoutLayers);
        Assert.Equal(0, (options with { GmnPerLayerReadoutFrom = int.MaxValue }).GmnFor(100_000).ReadoutLayers);

        // The fitted metanet is the one GmnFor chose: the per-layer slots add readout inputs.
        var (train, validation, _) = Splits.Value;
        long Parameters(int from)
        {
            using var predictor = new GmnPredictor(Quick(epochs: 1, seed: 3) with { GmnPerLayerReadoutFrom = from });
            return predictor.Fit(train, validation).ParameterCount;
        }
        long below = Parameters(train.Count + 1), at = Parameters(train.Count);
        using var reference = new GmnGen.Metanet.GraphMetanet(Quick(epochs: 1).Gmn with { ReadoutLayers = 8 });
        Assert.Equal(reference.ParameterCount, at);
        Assert.True(below < at, $"{below} parameters below the switch, {at} at it");
    }

    [Fact]
    public void Misuse_fails_with_a_message_that_says_what_was_expected()
    {
        var (train, validation, _) = Splits.Value;
        using var predictor = new StatNnPredictor(Quick(epochs: 1));

        var early = Assert.Throws<InvalidOperationException>(() => predictor.Predict(validation));
        Assert.Contains("before Fit", early.Message);
        var empty = Assert.Throws<ArgumentException>(() => predictor.Fit(train, []));
        Assert.Contains("validation split is empty", empty.Message);
        var nan = Assert.Throws<ArgumentException>(() => predictor.Fit([train[0] with { Target = double.NaN }, .. train.Skip(1)], validation));
        Assert.Contains(train[0].Id, nan.Message);
    }

    [Fact]
    public void Probe_methods_name_the_sample_without_probes_and_refuse_augmentations_that_change_activations()
    {
        var (train, validation, _) = Splits.Value;
        var bare = train.Select(s => s with { Probes = null }).ToList();
        foreach (var method in new[] { "GMN+probes", "Probes" })
        {
            using var predictor = Create(method, Quick(epochs: 1));
            var missing = Assert.Throws<ArgumentException>(() => predictor.Fit(bare, validation));
            Assert.Contains(bare[0].Id, missing.Message);
            Assert.Contains("probe", missing.Message);
        }
        using var scaled = new GmnProbesPredictor(Quick(epochs: 1) with { GmnScalingAugmentation = 2 });
        Assert.Contains("--gmn-scaling-augmentation", Assert.Throws<ArgumentException>(() => scaled.Fit(train, validation)).Message);
    }

    [Fact]
    public void Invalid_options_are_rejected_naming_the_option()
    {
        var defaults = new PredictorOptions();
        defaults.Validate();
        Assert.Contains("Epochs", Assert.Throws<ArgumentException>(() => new GmnPredictor(defaults with { Epochs = 0 })).Message);
        Assert.Contains("LearningRate", Assert.Throws<ArgumentException>(() => new DeepSetsPredictor(defaults with { LearningRate = double.NaN })).Message);
        Assert.Contains("Outputs", Assert.Throws<ArgumentException>(() => new GmnPredictor(defaults with { Gmn = new GmnConfig { Outputs = 2 } })).Message);
        Assert.Contains("StatNnHidden", Assert.Throws<ArgumentException>(() => new StatNnPredictor(defaults with { StatNnHidden = 0 })).Message);
    }
}
