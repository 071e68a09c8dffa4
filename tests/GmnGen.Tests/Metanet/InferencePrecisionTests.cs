using System.Linq;
using GmnGen.Batching;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// The opt-in bfloat16 edge products of inference stay close to float32 (their error is the
/// rounding of the products' inputs to 8 significant bits), and never touch training.
/// </summary>
public class InferencePrecisionTests
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
            metanet.InferencePrecision = InferencePrecision.BFloat16;
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
        metanet.InferencePrecision = InferencePrecision.BFloat16;
        var withGrad = metanet.forward(batch);
        Assert.True(withGrad.requires_grad);
        Assert.True(withGrad.detach().equal(float32).all().item<bool>(), "the bfloat16 setting changed a forward pass with autograd on");
    }
}
