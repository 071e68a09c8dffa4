using System.Linq;
using GmnGen.Batching;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// Without autograd the blocks process edges in chunks to bound memory; the result must be the
/// one-pass result (sums are only reassociated across chunks).
/// </summary>
public class ChunkedInferenceTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Chunked_inference_equals_the_one_pass_forward(bool reverseEdges, bool globalFeature)
    {
        var metanet = CreateMetanet(Small with { ReverseEdges = reverseEdges, GlobalFeature = globalFeature }, seed: 5, zeroResiduals: false);
        // 15 zoo graphs: 74,550 edges, more than one chunk.
        var graphs = Enumerable.Range(0, 15).Select(i => Graph("ZooCnn", seed: 100 + i)).ToList();
        Assert.True(graphs.Sum(g => g.EdgeCount) > MessagePassingBlock.InferenceChunkEdges);
        using var batch = GraphBatch.Collate(graphs);

        var onePass = metanet.forward(batch).detach();   // autograd on: a single chunk
        Tensor chunked;
        using (no_grad()) chunked = metanet.forward(batch);

        // Chunks sum the edges into each node in another order: float32 rounding through 4 blocks moves
        // outputs by ~1e-5 of their size (seen: 2.2e-5), a lost or doubled chunk by their whole size.
        double scale = 1 + onePass.abs().max().item<float>();
        Assert.True(MaxAbsDifference(onePass, chunked) < 1e-4 * scale,
            $"chunked and one-pass outputs differ by {MaxAbsDifference(onePass, chunked)} (outputs up to {scale - 1})");
    }
}
