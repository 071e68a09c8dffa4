using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// Inference on the CPU tiles (<see cref="GraphMetanet.TiledInference"/>) computes the function of the libtorch
/// composition, which stays the oracle: forward with autograd (training's path) and inference with the tiles off.
/// </summary>
public class TiledInferenceTests
{
    private static List<ParameterGraph> Graphs() => MixedGraphs(400);

    [Theory]
    [InlineData(64, false, false)]
    [InlineData(64, true, true)]
    [InlineData(128, true, false)]
    public void Tiled_inference_equals_the_libtorch_composition(int hidden, bool reverseEdges, bool globalFeature)
    {
        var metanet = CreateMetanet(Small with { Hidden = hidden, Blocks = 3, ReverseEdges = reverseEdges, GlobalFeature = globalFeature },
            seed: 31, zeroResiduals: false);
        using var batch = GraphBatch.Collate(Graphs());
        Assert.True(batch.EdgeCount % 8 != 0, "the batch should leave rows after the tiles of four");

        var withAutograd = metanet.forward(batch).detach();
        var (tiled, composed) = TiledThenComposed(metanet, batch);
        AssertWithinTileRounding(composed, tiled, "tiles and composition");
        AssertWithinTileRounding(withAutograd, tiled, "tiles and the autograd forward");
        if (GraphMetanet.TiledInferenceSupported(hidden))
            Assert.True(MaxAbsDifference(tiled, composed) > 0, "the tiles did not run: the output is the composition's bit for bit");
        else
            Assert.True(tiled.equal(composed).all().item<bool>(), "without tile support inference must run the composition");
    }

    [Fact]
    public void A_batch_too_small_to_split_runs_the_tiles_on_one_thread()
    {
        var metanet = CreateMetanet(Small with { Hidden = 64, Blocks = 2, GlobalFeature = true }, seed: 35, zeroResiduals: false);
        using var batch = GraphBatch.Collate([Graph("TinyMlp", 12), Graph("TinyMlp", 13), Graph("TinyMlp", 14)]);
        Assert.True(batch.EdgeCount < 1024, "one thread takes fewer than 1,024 edges");
        var (tiled, composed) = TiledThenComposed(metanet, batch);
        AssertWithinTileRounding(composed, tiled, "tiles and composition");
    }

    [Fact]
    public void Tiled_inference_is_invariant_to_relabelled_nodes_and_reordered_edges()
    {
        // Edges in random order send each tile's rows to scattered endpoints and graphs: the sums must still land.
        var metanet = CreateMetanet(Small with { Hidden = 64, Blocks = 2, ReverseEdges = true, GlobalFeature = true }, seed: 32, zeroResiduals: false);
        using var batch = GraphBatch.Collate(Graphs());
        using var relabelled = Relabel(batch, seed: 33);
        Tensor original, moved;
        using (no_grad())
        {
            original = metanet.forward(batch);
            moved = metanet.forward(relabelled);
        }
        AssertWithinTileRounding(original, moved, "the tiled outputs before and after relabelling");
    }

    [Fact]
    public void Bfloat16_inference_and_narrow_widths_run_the_composition()
    {
        Assert.False(GraphMetanet.TiledInferenceSupported(32));
        Assert.False(GraphMetanet.TiledInferenceSupported(96));
        Assert.False(GraphMetanet.TiledInferenceSupported(4096));   // its tile buffers would not fit the stack
        var metanet = CreateMetanet(Small with { Hidden = 64 }, seed: 34, zeroResiduals: false);
        using var batch = GraphBatch.Collate([Graph("ZooCnn", 11)]);
        metanet.InferencePrecision = ProductPrecision.BFloat16;
        var (on, off) = TiledThenComposed(metanet, batch);
        Assert.True(on.equal(off).all().item<bool>(), "bfloat16 products must not go through the float32 tiles");
    }

    /// <summary>Inference with <see cref="GraphMetanet.TiledInference"/> on, then off (it stays off).</summary>
    private static (Tensor Tiled, Tensor Composed) TiledThenComposed(GraphMetanet metanet, GraphBatch batch)
    {
        using var _ = no_grad();
        var tiled = metanet.forward(batch);
        metanet.TiledInference = false;
        return (tiled, metanet.forward(batch));
    }
}
