using GmnGen.Batching;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary><see cref="GmnConfig.ValueNoise"/> and <see cref="GmnConfig.ValueDropout"/>: noise on and
/// zeroed edge values while training only, drawn from the metanet's own seeded generator.</summary>
public sealed class AugmentationTests
{
    private static Tensor Output(GraphMetanet metanet, GraphBatch batch, bool train)
    {
        if (train) metanet.train(); else metanet.eval();
        using var scope = NewDisposeScope();
        return metanet.forward(batch).detach().MoveToOuterDisposeScope();
    }

    public static TheoryData<string> Augmentations => ["noise", "dropout"];

    /// <summary>The small metanet with one augmentation on.</summary>
    private static GmnConfig Augmented(string augmentation) =>
        augmentation == "noise" ? Small with { ValueNoise = 0.5 } : Small with { ValueDropout = 0.3 };

    [Theory]
    [MemberData(nameof(Augmentations))]
    public void An_augmentation_moves_training_outputs_reproducibly_per_seed_and_leaves_evaluation_alone(string augmentation)
    {
        using var batch = GraphBatch.Collate([Graph("BatchNormCnn", seed: 3), Graph("TinyMlp", seed: 4)]);
        using var clean = CreateMetanet(Small, seed: 5, gain: 2.0);
        using var augmented = CreateMetanet(Augmented(augmentation), seed: 5, gain: 2.0);
        using var again = CreateMetanet(Augmented(augmentation), seed: 5, gain: 2.0);
        augmented.SeedAugmentation(11);
        again.SeedAugmentation(11);

        using var reference = Output(clean, batch, train: false);
        using var evaluated = Output(augmented, batch, train: false);
        Assert.True(evaluated.allclose(reference, rtol: 0, atol: 1e-6), $"evaluation must not see the {augmentation}");
        using var cleanTrained = Output(clean, batch, train: true);
        using var trained = Output(augmented, batch, train: true);
        Assert.True(MaxAbsDifference(trained, cleanTrained) > 1e-3, $"training outputs did not move with the {augmentation}");
        using var repeated = Output(again, batch, train: true);
        Assert.True(repeated.equal(trained).all().item<bool>(), "the same augmentation seed must draw the same values");
        using var next = Output(again, batch, train: true);
        Assert.False(next.equal(trained).all().item<bool>(), "every training pass draws anew");
    }

    [Fact]
    public void Value_dropout_outside_zero_to_one_is_refused_with_the_config_shown()
    {
        foreach (var rate in new[] { -0.1, 1.0, double.NaN })
        {
            var error = Assert.Throws<System.ArgumentException>(() => (Small with { ValueDropout = rate }).Validate());
            Assert.Contains("ValueDropout", error.Message);
        }
    }

    [Fact]
    public void Value_dropout_is_the_same_forward_as_on_the_weights_zeroed_where_its_mask_falls()
    {
        // The augmentation generator's first draw in a pass is the mask: an edge keeps its value where
        // its uniform draw is at least the rate. A clean metanet on those values, zeroed, must agree.
        using var batch = GraphBatch.Collate([Graph("BatchNormCnn", seed: 3), Graph("TinyMlp", seed: 4)]);
        using var dropped = CreateMetanet(Small with { ValueDropout = 0.3 }, seed: 5, gain: 2.0);
        using var clean = CreateMetanet(Small, seed: 5, gain: 2.0);
        dropped.SeedAugmentation(12);
        using var generator = new Generator(12);
        using var rate = 0.3.ToScalar();
        using var mask = rand(batch.EdgeValues.shape, generator: generator).ge_(rate);
        double zeroed = 1 - mask.mean().item<float>();
        Assert.InRange(zeroed, 0.2, 0.4);
        using var pruned = GraphBatch.FromTensors(batch.GraphCount, batch.NodeFeatures, batch.EdgeIndex, batch.EdgeFeatures,
            batch.EdgeValues.mul(mask), batch.NodeGraph, batch.EdgeGraph);

        using var expected = Output(clean, pruned, train: true);
        using var actual = Output(dropped, batch, train: true);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-5), $"dropout {Show(actual)} against the zeroed weights {Show(expected)}");
    }
}
