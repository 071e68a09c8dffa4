using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// The product's message-passing block (node projections gathered onto edges, split linears)
/// computes the same function as the plain concatenating form of the GMN block, and the same
/// gradients with respect to its inputs and to every one of its parameters.
/// </summary>
public class OracleTests
{
    private const double Rtol = 1e-4, Atol = 1e-5;
    /// <summary>In float64 the two forms agree far more closely: this catches what float32 rounding could hide.</summary>
    private const double Rtol64 = 1e-9, Atol64 = 1e-10;
    private const int Hidden = 16;

    public static TheoryData<bool, bool, string> Options()
    {
        var data = new TheoryData<bool, bool, string>();
        foreach (var precision in new[] { "float32", "float64" })
            foreach (var (reverse, global) in new[] { (false, false), (true, false), (false, true), (true, true) })
                data.Add(reverse, global, precision);
        return data;
    }

    /// <summary>
    /// Outputs and input gradients are compared entry by entry (rtol 1e-4, atol 1e-5). A parameter's
    /// gradient is a sum over thousands of edges, so in float32 its small entries carry rounding
    /// of the order of the largest entry times the float32 epsilon: those are compared in the max
    /// norm, |got - want|∞ ≤ atol + rtol·|want|∞. In float64 everything is compared entry by entry, to rtol 1e-9, atol 1e-10.
    /// </summary>
    [Theory]
    [MemberData(nameof(Options))]
    public void The_block_matches_the_concatenating_oracle_in_outputs_and_gradients(bool reverseEdges, bool globalFeature, string precision)
    {
        var dtype = precision == "float64" ? float64 : float32;
        // A mixed batch: input nodes without incoming edges, bias nodes without incoming edges,
        // output nodes without outgoing edges, graphs of different sizes.
        using var batch = GraphBatch.Collate(new[] { "TinyMlp", "BatchNormCnn", "TinyMlp", "RowCnn" }.Select((n, i) => Graph(n, 90 + i)).ToList());
        var block = new MessagePassingBlock(Hidden, reverseEdges, globalFeature);
        // Live residuals: with the product's zero residuals the block would be the identity.
        Initialise(block, seed: 91, gain: 1.5, zeroResiduals: false);
        block.to(dtype);
        var oracle = new NaiveMessagePassingBlock(block, reverseEdges, globalFeature);

        var generator = new Generator(92);
        var nodes = randn([batch.NodeCount, Hidden], generator: generator).to(dtype);
        var edges = randn([batch.EdgeCount, Hidden], generator: generator).to(dtype);
        var global = globalFeature ? randn([batch.GraphCount, Hidden], generator: generator).to(dtype) : null;
        // A loss that weights every output entry differently, so no gradient is a plain sum.
        var nodeWeights = randn([batch.NodeCount, Hidden], generator: generator).to(dtype);
        var edgeWeights = randn([batch.EdgeCount, Hidden], generator: generator).to(dtype);
        var globalWeights = randn([batch.GraphCount, Hidden], generator: generator).to(dtype);

        var product = Evaluate(s => block.forward(s), block, batch, nodes, edges, global, nodeWeights, edgeWeights, globalWeights);
        var expected = Evaluate(oracle.Forward, block, batch, nodes, edges, global, nodeWeights, edgeWeights, globalWeights);

        Assert.Equal(expected.Keys.OrderBy(k => k), product.Keys.OrderBy(k => k));
        var mismatches = new List<string>();
        foreach (var (name, want) in expected)
        {
            var got = product[name];
            Assert.Equal(dtype, got.dtype);
            bool close = dtype == float32 && name.StartsWith("d loss / d ") && !name.Contains("input")
                ? MaxAbsDifference(got, want) <= Atol + Rtol * want.abs().max().to(float64).item<double>()
                : dtype == float32 ? got.allclose(want, rtol: Rtol, atol: Atol) : got.allclose(want, rtol: Rtol64, atol: Atol64);
            if (!close)
                mismatches.Add($"{name}: max difference {MaxAbsDifference(got, want):E2} (largest expected magnitude {want.abs().max().to(float64).item<double>():E2})");
        }
        Assert.True(mismatches.Count == 0, $"reverse edges {reverseEdges}, global {globalFeature}, {precision}: the block differs from the oracle in\n  " + string.Join("\n  ", mismatches));
    }

    [Fact]
    public void The_oracle_comparison_notices_a_wrong_parameter()
    {
        // The comparison above is not vacuous: nudging one weight the oracle does not see changes the outputs.
        using var batch = GraphBatch.Collate([Graph("TinyMlp", 95), Graph("BatchNormCnn", 96)]);
        var block = new MessagePassingBlock(Hidden, reverseEdges: true, globalFeature: true);
        Initialise(block, seed: 97, gain: 1.5, zeroResiduals: false);
        var oracle = new NaiveMessagePassingBlock(block, true, true);
        var generator = new Generator(98);
        var state = new BlockState(batch, randn([batch.NodeCount, Hidden], generator: generator),
            randn([batch.EdgeCount, Hidden], generator: generator), randn([batch.GraphCount, Hidden], generator: generator));
        using var _ = no_grad();
        var want = oracle.Forward(state);
        var weight = block.named_parameters().Single(p => p.name == "edgeFromTarget.weight").parameter;
        var saved = weight.clone();
        weight.add_(1e-2);
        var got = block.forward(state);
        weight.copy_(saved);
        Assert.False(got.Edges.allclose(want.Edges, rtol: Rtol, atol: Atol), "a changed edgeFromTarget weight went unnoticed");
    }

    /// <summary>Runs one forward and backward pass and returns the outputs and all gradients by name.</summary>
    private static Dictionary<string, Tensor> Evaluate(System.Func<BlockState, BlockState> forward, MessagePassingBlock block, GraphBatch batch,
        Tensor nodes, Tensor edges, Tensor? global, Tensor nodeWeights, Tensor edgeWeights, Tensor globalWeights)
    {
        block.zero_grad();
        var x = nodes.clone().requires_grad_(true);
        var e = edges.clone().requires_grad_(true);
        var u = global?.clone().requires_grad_(true);
        var output = forward(new BlockState(batch, x, e, u));
        var loss = (output.Nodes * nodeWeights).sum() + (output.Edges * edgeWeights).sum();
        if (output.Global is not null) loss = loss + (output.Global * globalWeights).sum();
        loss.backward();

        var result = new Dictionary<string, Tensor>
        {
            ["output nodes"] = output.Nodes.detach(),
            ["output edges"] = output.Edges.detach(),
            ["d loss / d input nodes"] = x.grad!.clone(),
            ["d loss / d input edges"] = e.grad!.clone(),
        };
        if (u is not null)
        {
            result["output global"] = output.Global!.detach();
            result["d loss / d input global"] = u.grad!.clone();
        }
        foreach (var (name, p) in block.named_parameters())
            result[$"d loss / d {name}"] = p.grad?.clone() ?? zeros_like(p);
        return result;
    }
}
