using System;
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
/// Training on the CPU tiles (<see cref="GraphMetanet.TiledTraining"/>, gradients through <see cref="GraphMetanet.Backward"/>)
/// computes the outputs and every parameter's gradient of the libtorch composition with autograd, which stays the oracle.
/// </summary>
public class TiledTrainingTests
{
    /// <summary>A metanet with live residuals whose training edge passes run on the tiles whatever the batch size.</summary>
    private static GraphMetanet TiledFromTheFirstEdge(GmnConfig config, long seed)
    {
        var metanet = CreateMetanet(config, seed, zeroResiduals: false);
        metanet.TiledTrainingMinimumSize = 0;
        return metanet;
    }

    private static List<ParameterGraph> Graphs() => MixedGraphs(500);

    [Theory]
    [InlineData(64, false, false)]
    [InlineData(64, true, true)]
    [InlineData(128, true, false)]
    public void Tiled_training_gradients_equal_the_composition(int hidden, bool reverseEdges, bool globalFeature)
    {
        using var metanet = TiledFromTheFirstEdge(Small with { Hidden = hidden, Blocks = 3, ReverseEdges = reverseEdges, GlobalFeature = globalFeature }, seed: 41);
        using var batch = GraphBatch.Collate(Graphs());
        Assert.True(batch.EdgeCount % 32 != 0, "the batch should leave a partial tile");
        AssertTiledEqualsComposed(metanet, batch);
    }

    [Fact]
    public void A_batch_too_small_to_split_trains_on_one_thread()
    {
        using var metanet = TiledFromTheFirstEdge(Small with { Hidden = 64, Blocks = 2, GlobalFeature = true }, seed: 42);
        using var batch = GraphBatch.Collate([Graph("TinyMlp", 21), Graph("TinyMlp", 22)]);
        Assert.True(batch.EdgeCount < 1024, "one thread takes fewer than 1,024 edges");
        AssertTiledEqualsComposed(metanet, batch);
    }

    [Fact]
    public void Loss_backward_after_a_tiled_forward_makes_the_next_forward_throw()
    {
        using var metanet = TiledFromTheFirstEdge(Small with { Hidden = 64, Blocks = 2 }, seed: 43);
        using var batch = GraphBatch.Collate([Graph("ZooCnn", 23)]);
        metanet.train();
        using (var output = metanet.forward(batch))
        using (var loss = output.square().sum())
            loss.backward();
        if (!GraphMetanet.TiledInferenceSupported(64))
        {
            using var _ = metanet.forward(batch);   // the composition ran: loss.backward() took every gradient
            return;
        }
        var error = Assert.Throws<InvalidOperationException>(() => metanet.forward(batch));
        Assert.Contains("metanet.Backward(loss)", error.Message);
        // The error dropped the stale passes: training can go on, the right way.
        metanet.zero_grad();
        using var again = metanet.forward(batch);
        using var lossAgain = again.square().sum();
        metanet.Backward(lossAgain);
        Assert.All(metanet.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void A_forward_never_backpropagated_or_in_eval_mode_leaves_loss_backward_working()
    {
        using var metanet = TiledFromTheFirstEdge(Small with { Hidden = 64, Blocks = 2 }, seed: 44);
        using var batch = GraphBatch.Collate([Graph("ZooCnn", 24)]);
        metanet.train();
        using (metanet.forward(batch)) { }   // autograd on, output dropped: nothing to backpropagate
        metanet.eval();
        metanet.zero_grad();
        using var output = metanet.forward(batch);   // eval mode runs the composition, so loss.backward() reaches everything
        using var loss = output.square().sum();
        loss.backward();
        Assert.All(metanet.parameters(), p => Assert.NotNull(p.grad));
        using var next = metanet.forward(batch);
    }

    [Fact]
    public void A_loss_over_two_forwards_takes_the_gradients_of_both()
    {
        using var metanet = TiledFromTheFirstEdge(Small with { Hidden = 64, Blocks = 2, ReverseEdges = true }, seed: 46);
        using var first = GraphBatch.Collate([Graph("ZooCnn", 25), Graph("TinyMlp", 26)]);
        using var second = GraphBatch.Collate([Graph("ZooCnn", 27), Graph("BatchNormCnn", 28)]);
        metanet.train();
        Tensor[] Gradients()
        {
            metanet.zero_grad();
            using var a = metanet.forward(first);
            using var b = metanet.forward(second);
            using var loss = a.square().sum().add(b.mul(a.mean()).sum());   // the two forwards meet in one loss
            metanet.Backward(loss);
            return metanet.parameters().Select(p => p.grad!.clone()).ToArray();
        }
        var tiled = Gradients();
        metanet.TiledTraining = false;
        var composed = Gradients();
        var names = metanet.named_parameters().Select(p => p.name).ToArray();
        for (int i = 0; i < names.Length; i++) AssertWithinTileRounding(composed[i], tiled[i], $"the gradient of {names[i]}");
    }

    [Fact]
    public void Training_forwards_never_backpropagated_are_capped()
    {
        using var metanet = TiledFromTheFirstEdge(Small with { Hidden = 64, Blocks = 1 }, seed: 47);
        using var batch = GraphBatch.Collate([Graph("TinyMlp", 29)]);
        metanet.train();
        for (int i = 0; i < 16; i++) metanet.forward(batch).Dispose();
        if (GraphMetanet.TiledInferenceSupported(64))
            Assert.Contains("torch.no_grad()", Assert.Throws<InvalidOperationException>(() => metanet.forward(batch)).Message);
        metanet.zero_grad();
        using var output = metanet.forward(batch);
        using var loss = output.square().sum();
        metanet.Backward(loss);
        Assert.All(metanet.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void Batches_below_the_minimum_size_train_on_the_composition()
    {
        using var metanet = CreateMetanet(Small with { Hidden = 64, Blocks = 2 }, seed: 45, zeroResiduals: false);
        using var batch = GraphBatch.Collate(Graphs());
        Assert.True(batch.EdgeCount * 64 < metanet.TiledTrainingMinimumSize, "the batch should be below the default minimum");
        metanet.train();
        var (on, onGradients) = OutputAndGradients(metanet, batch);
        metanet.TiledTraining = false;
        var (off, offGradients) = OutputAndGradients(metanet, batch);
        Assert.True(on.equal(off).all().item<bool>(), "below the minimum size the outputs must be the composition's");
        Assert.All(onGradients.Zip(offGradients), pair => Assert.True(pair.First.equal(pair.Second).all().item<bool>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => metanet.TiledTrainingMinimumSize = -1);
    }

    /// <summary>Outputs and every parameter's gradient with <see cref="GraphMetanet.TiledTraining"/> on, then off: equal
    /// within float32 rounding; where the tiles run, the edge pass's weight gradients must also differ bitwise (they ran).</summary>
    private static void AssertTiledEqualsComposed(GraphMetanet metanet, GraphBatch batch)
    {
        metanet.train();
        var (tiledOut, tiled) = OutputAndGradients(metanet, batch);
        metanet.TiledTraining = false;
        var (composedOut, composed) = OutputAndGradients(metanet, batch);
        AssertWithinTileRounding(composedOut, tiledOut, "outputs");
        var names = metanet.named_parameters().Select(p => p.name).ToArray();
        for (int i = 0; i < names.Length; i++) AssertWithinTileRounding(composed[i], tiled[i], $"the gradient of {names[i]}");
        var edgeWeight = Array.FindIndex(names, n => n.EndsWith("edgeFromSelf.weight", StringComparison.Ordinal));
        if (GraphMetanet.TiledInferenceSupported(metanet.Config.Hidden))
            Assert.True(MaxAbsDifference(tiled[edgeWeight], composed[edgeWeight]) > 0, "the tiles did not run: the gradient is the composition's bit for bit");
        else
            Assert.True(tiled[edgeWeight].equal(composed[edgeWeight]).all().item<bool>(), "without tile support training must run the composition");
    }

    private static (Tensor Output, Tensor[] Gradients) OutputAndGradients(GraphMetanet metanet, GraphBatch batch)
    {
        metanet.zero_grad();
        var output = metanet.forward(batch);
        // A loss that weighs each output by itself, so every path of every block carries a gradient.
        using var loss = output.square().sum();
        metanet.Backward(loss);
        var gradients = metanet.parameters().Select(p => p.grad?.clone() ?? throw new InvalidOperationException("a parameter got no gradient")).ToArray();
        return (output.detach(), gradients);
    }
}
