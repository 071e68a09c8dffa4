using System.Linq;
using GmnGen.Batching;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// The opt-in bfloat16 edge products stay close to float32 (their error is the rounding of the
/// products' inputs to 8 significant bits): in inference, and in training, outputs and gradients;
/// each setting reaches only its own mode.
/// </summary>
public class ProductPrecisionTests
{
    [Theory]
    [InlineData(32, 2, false)]
    [InlineData(64, 4, true)]
    public void Bfloat16_inference_stays_within_its_rounding_of_float32(int hidden, int blocks, bool reverseEdges)
    {
        var metanet = CreateMetanet(Small with { Hidden = hidden, Blocks = blocks, ReverseEdges = reverseEdges }, seed: 21, zeroResiduals: false);
        // 15 zoo graphs and two other architectures: several inference chunks, mixed edge types.
        var graphs = Enumerable.Range(0, 15).Select(i => Graph("ZooCnn", seed: 200 + i))
            .Append(Graph("TinyMlp", seed: 3)).Append(Graph("BatchNormCnn", seed: 4)).ToList();
        using var batch = GraphBatch.Collate(graphs);
        Tensor full, half;
        using (no_grad())
        {
            full = metanet.forward(batch);
            metanet.InferencePrecision = ProductPrecision.BFloat16;
            half = metanet.forward(batch);
        }
        double scale = full.abs().max().item<float>(), difference = MaxAbsDifference(full, half);
        // bfloat16 keeps 8 significant bits (relative rounding 2^-9 ≈ 0.2 %); through the blocks the
        // outputs moved by 0.08 % (h = 64, 4 blocks) and 0.3 % (h = 32, 2 blocks) of their largest value. A product in the wrong precision,
        // a lost bias or a transposed weight moves them by their whole size.
        Assert.True(difference < 0.02 * scale, $"bfloat16 moved the outputs by {difference:E2}, {100 * difference / scale:F2} % of their largest value {scale:F3}");
        Assert.True(difference > 0, "bfloat16 changed nothing: the setting does not reach the products");
    }

    [Fact]
    public void Training_computes_in_float32_whatever_the_inference_precision()
    {
        var metanet = CreateMetanet(Small, seed: 22, zeroResiduals: false);
        using var batch = GraphBatch.Collate([Graph("ZooCnn", 5), Graph("TinyMlp", 6)]);
        var float32 = metanet.forward(batch).detach();
        metanet.InferencePrecision = ProductPrecision.BFloat16;
        var withGrad = metanet.forward(batch);
        Assert.True(withGrad.requires_grad);
        Assert.True(withGrad.detach().equal(float32).all().item<bool>(), "the bfloat16 setting changed a forward pass with autograd on");
    }

    [Fact]
    public void Bfloat16_training_keeps_float32_weights_and_gradients_within_rounding_of_float32()
    {
        var metanet = CreateMetanet(Small with { Hidden = 32, Blocks = 3, ReverseEdges = true }, seed: 23, zeroResiduals: false);
        metanet.train();
        var graphs = Enumerable.Range(0, 6).Select(i => Graph("ZooCnn", seed: 300 + i)).Append(Graph("BatchNormCnn", seed: 7)).ToList();
        using var batch = GraphBatch.Collate(graphs);
        using var targets = rand(graphs.Count, 1, generator: new Generator(5));

        (Tensor Output, Tensor[] Gradients) Step(ProductPrecision precision)
        {
            metanet.TrainingPrecision = precision;
            metanet.zero_grad();
            var output = metanet.forward(batch);
            nn.functional.mse_loss(output, targets).backward();
            return (output.detach(), metanet.parameters().Select(p => p.grad!.clone()).ToArray());
        }
        var (full, fullGradients) = Step(ProductPrecision.Float32);
        var (half, halfGradients) = Step(ProductPrecision.BFloat16);

        Assert.All(metanet.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(halfGradients, g => Assert.Equal(ScalarType.Float32, g.dtype));
        double scale = full.abs().max().item<float>(), difference = MaxAbsDifference(full, half);
        Assert.True(difference > 0, "bfloat16 training changed nothing: the setting does not reach the products");
        Assert.True(difference < 0.02 * scale, $"bfloat16 moved the training outputs by {100 * difference / scale:F2} % of their largest value");
        // The whole gradient, as one vector: bfloat16 inputs move it by a fraction of a per cent of
        // its norm; a product left out of autograd, or a gradient lost in a cast, by its whole size.
        using var fullVector = cat(fullGradients.Select(g => g.flatten()).ToArray());
        using var halfVector = cat(halfGradients.Select(g => g.flatten()).ToArray());
        double relative = (halfVector - fullVector).norm().item<float>() / fullVector.norm().item<float>();
        Assert.True(relative < 0.03, $"bfloat16 training moved the gradient by {100 * relative:F2} % of its norm");
        Assert.True(relative > 0);
    }

    [Fact]
    public void Each_precision_setting_reaches_only_its_own_mode()
    {
        var metanet = CreateMetanet(Small, seed: 24, zeroResiduals: false);
        using var batch = GraphBatch.Collate([Graph("ZooCnn", 8), Graph("TinyMlp", 9)]);
        Tensor inference;
        using (no_grad()) inference = metanet.forward(batch);
        var training = metanet.forward(batch).detach();

        metanet.TrainingPrecision = ProductPrecision.BFloat16;
        using (no_grad()) Assert.True(metanet.forward(batch).equal(inference).all().item<bool>(), "TrainingPrecision changed a forward pass without autograd");
        Assert.False(metanet.forward(batch).detach().equal(training).all().item<bool>(), "TrainingPrecision did not reach a forward pass with autograd");
    }
}
