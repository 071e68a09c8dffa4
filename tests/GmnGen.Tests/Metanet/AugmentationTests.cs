using GmnGen.Batching;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary><see cref="GmnConfig.ValueNoise"/>: noise on the edge values while training only, drawn
/// from the metanet's own seeded generator.</summary>
public sealed class AugmentationTests
{
    private static Tensor Output(GraphMetanet metanet, GraphBatch batch, bool train)
    {
        if (train) metanet.train(); else metanet.eval();
        using var scope = NewDisposeScope();
        return metanet.forward(batch).detach().MoveToOuterDisposeScope();
    }

    [Fact]
    public void Value_noise_moves_training_outputs_reproducibly_per_seed_and_leaves_evaluation_alone()
    {
        using var batch = GraphBatch.Collate([Graph("BatchNormCnn", seed: 3), Graph("TinyMlp", seed: 4)]);
        using var clean = CreateMetanet(Small, seed: 5, gain: 2.0);
        using var noisy = CreateMetanet(Small with { ValueNoise = 0.5 }, seed: 5, gain: 2.0);
        using var again = CreateMetanet(Small with { ValueNoise = 0.5 }, seed: 5, gain: 2.0);
        noisy.SeedAugmentation(11);
        again.SeedAugmentation(11);

        using var reference = Output(clean, batch, train: false);
        using var evaluated = Output(noisy, batch, train: false);
        Assert.True(evaluated.allclose(reference, rtol: 0, atol: 1e-6), "evaluation must not see the noise");
        using var trained = Output(noisy, batch, train: true);
        Assert.True(MaxAbsDifference(trained, reference) > 1e-3, "training outputs did not move with the noise");
        using var repeated = Output(again, batch, train: true);
        Assert.True(repeated.equal(trained).all().item<bool>(), "the same augmentation seed must draw the same noise");
        using var next = Output(again, batch, train: true);
        Assert.False(next.equal(trained).all().item<bool>(), "every training pass draws new noise");
    }
}
