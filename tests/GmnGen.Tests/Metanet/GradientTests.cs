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
/// Every parameter of the metanet learns: one backward pass of a loss on a batch of mixed
/// architectures reaches it with a finite gradient. Reverse edges and the global feature are on,
/// so that every parameter the config creates is expected to be used.
/// </summary>
public class GradientTests
{
    private static readonly GmnConfig Full = Small with { ReverseEdges = true, GlobalFeature = true, Outputs = 2 };

    private static IReadOnlyList<ParameterGraph> MixedGraphs() =>
        new[] { "TinyMlp", "BatchNormCnn", "RowCnn", "ZooCnn", "TinyMlp" }.Select((name, i) => Graph(name, seed: 60 + i)).ToList();

    [Fact]
    public void At_the_products_initialisation_the_zero_residual_layers_and_the_readout_get_nonzero_gradients()
    {
        // The residual layers start at zero (each block starts as the identity), so the layers
        // behind them get exactly zero gradients on the first step; the residual layers themselves
        // must not, or nothing would ever learn.
        var metanet = new GraphMetanet(Full);
        metanet.FitValueNormalization(NormalisationGraphs());
        Backward(metanet);
        var residuals = metanet.named_parameters().Where(p => p.name.Contains("Residual.weight")).ToList();
        Assert.Equal(2 * Full.Blocks, residuals.Count);
        foreach (var (name, p) in residuals)
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name} has a non-finite gradient");
            Assert.True(p.grad!.abs().max().item<float>() > 0, $"{name}: the gradient is all zero, so the blocks can never leave the identity");
        }
        foreach (var (name, p) in metanet.named_parameters().Where(p => p.name.StartsWith("readout") || p.name.StartsWith("edgeFrom") || p.name.StartsWith("nodeIn")))
            Assert.True(p.grad is not null && p.grad.abs().max().item<float>() > 0, $"{name}: no gradient at initialisation");
    }

    [Fact]
    public void With_live_residuals_every_parameter_gets_a_finite_nonzero_gradient()
    {
        // As after the first optimiser steps: the residual layers are no longer zero.
        var metanet = CreateMetanet(Full, seed: 62, gain: 1.0);
        metanet.train();
        Backward(metanet);
        var missing = new List<string>();
        foreach (var (name, p) in metanet.named_parameters())
        {
            if (p.grad is null) missing.Add($"{name} (no gradient: not used by the output)");
            else if (!p.grad.isfinite().all().item<bool>()) missing.Add($"{name} (non-finite gradient)");
            else if (p.grad.abs().max().item<float>() == 0) missing.Add($"{name} (all-zero gradient)");
        }
        Assert.True(missing.Count == 0,
            $"{missing.Count} of {metanet.parameters().Count()} parameters do not learn:\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void One_adam_step_from_the_products_initialisation_starts_the_blocks()
    {
        // After a single step the residual layers are non-zero, so the block internals get gradients.
        var metanet = new GraphMetanet(Full);
        metanet.FitValueNormalization(NormalisationGraphs());
        var optimizer = optim.Adam(metanet.parameters(), lr: 1e-3);
        Backward(metanet);
        optimizer.step();
        optimizer.zero_grad();
        Backward(metanet);
        foreach (var (name, p) in metanet.named_parameters().Where(p => p.name.Contains("edgeFromSource") || p.name.Contains("edgeFromSelf.weight") || p.name.Contains("nodeOut.weight")))
            Assert.True(p.grad is not null && p.grad.abs().max().item<float>() > 0, $"{name}: still no gradient after one step");
    }

    private static void Backward(GraphMetanet metanet)
    {
        using var batch = GraphBatch.Collate(MixedGraphs());
        var output = metanet.forward(batch);
        Assert.Equal(new long[] { 5, Full.Outputs }, output.shape);
        var target = linspace(-1, 1, output.numel()).reshape(output.shape);
        var loss = (output - target).pow(2).mean();
        loss.backward();
    }
}
