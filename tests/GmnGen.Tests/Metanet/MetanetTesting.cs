using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Metanet;
using GmnGen.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// Shared set-up for the metanet tests: randomised example networks, metanets initialised from a
/// test-owned generator (the constructor draws from torch's global generator, which test classes
/// running in parallel share, so it is never relied on), relabelled batches and differences.
/// </summary>
internal static class MetanetTesting
{
    /// <summary>The small metanet the tests run (the default width only matters to the parameter count).</summary>
    public static readonly GmnConfig Small = new() { Hidden = 32, Blocks = 2 };

    /// <summary>
    /// A catalogue network whose every float parameter and buffer is drawn from
    /// <paramref name="seed"/> alone (the constructor's draws from the global generator are
    /// overwritten), at about TorchSharp's initial scale and off the special values 0 and 1.
    /// </summary>
    public static IGraphNetwork Network(string name, long seed)
    {
        var net = Catalogue.Networks[name]();
        var module = (nn.Module)net;
        var generator = new Generator((ulong)seed + 1_000_003);
        using (no_grad())
            foreach (var (key, t) in module.state_dict())
            {
                if (!t.is_floating_point()) continue;
                if (t.dim() >= 2)
                {
                    double bound = 1.0 / Math.Sqrt(t.numel() / t.shape[0]);
                    t.copy_((rand(t.shape, generator: generator) * 2 - 1) * bound);
                }
                else if (key.EndsWith("weight") || key.EndsWith("running_var")) t.fill_(1.0);
                else t.copy_((rand(t.shape, generator: generator) * 2 - 1) * 0.1);
            }
        StateOrder.Randomise(module, seed);
        return net;
    }

    public static ParameterGraph Graph(string name, long seed) => Network(name, seed).ToParameterGraph();

    /// <summary>Three zoo CNNs, an MLP with a LayerNorm and a BatchNorm CNN (seeds from <paramref name="seed"/> on): 15,000+ edges
    /// of every edge type, an edge count that leaves rows after the tiles of the CPU kernels.</summary>
    public static List<ParameterGraph> MixedGraphs(long seed) =>
        Enumerable.Range(0, 3).Select(i => Graph("ZooCnn", seed + i)).Append(Graph("TinyMlp", seed + 3)).Append(Graph("BatchNormCnn", seed + 4)).ToList();

    /// <summary>A few graphs of every catalogue architecture, for <see cref="GraphMetanet.FitValueNormalization"/>.</summary>
    public static IEnumerable<ParameterGraph> NormalisationGraphs() =>
        Catalogue.Networks.Keys.SelectMany(name => new[] { 101L, 102L }.Select(seed => Graph(name, seed))).ToList();

    /// <summary>
    /// A metanet whose every parameter is drawn from <paramref name="seed"/>. With
    /// <paramref name="zeroResiduals"/> the blocks start as the identity, as the product's own
    /// initialisation does; otherwise the residual layers are live, so that message passing reaches
    /// the output (an identity block would make any invariance test trivial: a mean over edges of a
    /// per-edge encoding is invariant to anything). <paramref name="gain"/> scales every linear
    /// map, making the metanet's output more sensitive to its input.
    /// </summary>
    public static GraphMetanet CreateMetanet(GmnConfig config, long seed, double gain = 1.0, bool zeroResiduals = false, bool fitValues = true)
    {
        var metanet = new GraphMetanet(config);
        Initialise(metanet, seed, gain, zeroResiduals);
        if (fitValues) metanet.FitValueNormalization(NormalisationGraphs());
        metanet.eval();
        return metanet;
    }

    /// <summary>Draws every parameter of a metanet or block from <paramref name="seed"/>: linear maps
    /// uniform in ±gain/√fan-in (TorchSharp's scale times the gain), embeddings N(0, 1), norms near
    /// the identity, scalar encoders as <see cref="ScalarEncoder"/> draws them.</summary>
    public static void Initialise(nn.Module metanet, long seed, double gain, bool zeroResiduals)
    {
        var generator = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var (name, module) in metanet.named_modules())
        {
            switch (module)
            {
                case Linear linear:
                {
                    var weight = linear.weight!;
                    double bound = 1.0 / Math.Sqrt(weight.shape[1]);
                    bool zero = zeroResiduals && name.EndsWith("Residual");
                    weight.copy_(zero ? zeros_like(weight) : (rand(weight.shape, generator: generator) * 2 - 1) * bound * gain);
                    linear.bias?.copy_(zero ? zeros_like(linear.bias) : (rand(linear.bias.shape, generator: generator) * 2 - 1) * bound * gain);
                    break;
                }
                case Embedding embedding:
                    embedding.weight!.copy_(randn(embedding.weight!.shape, generator: generator));
                    break;
                case LayerNorm norm:
                    norm.weight!.copy_(1 + 0.1 * randn(norm.weight!.shape, generator: generator));
                    norm.bias!.copy_(0.1 * randn(norm.bias!.shape, generator: generator));
                    break;
            }
        }
        foreach (var (name, p) in metanet.named_parameters())
        {
            if (name.EndsWith("frequency")) p.copy_(randn(p.shape, generator: generator) * 2.0);
            else if (name.EndsWith("phase")) p.copy_(rand(p.shape, generator: generator) * (2 * Math.PI));
            else if (name == "globalInit") p.copy_(randn(p.shape, generator: generator) * 0.5);
        }
    }

    public static Tensor Run(GraphMetanet metanet, params ParameterGraph[] graphs)
    {
        using var _ = no_grad();
        using var batch = GraphBatch.Collate(graphs, metanet.Device);
        return metanet.forward(batch);
    }

    /// <summary>
    /// The same graphs with their nodes relabelled by a random permutation (node rows permuted,
    /// edge endpoints mapped through the inverse permutation) and their edges in a random order.
    /// </summary>
    public static GraphBatch Relabel(GraphBatch batch, long seed)
    {
        // No dispose scope here: the new batch's tensors would be moved into it and disposed with it.
        var generator = new Generator((ulong)seed);
        var device = batch.Device;
        // New node i is old node nodeOrder[i]; old node j becomes newLabel[j].
        var nodeOrder = randperm(batch.NodeCount, generator: generator, dtype: int64).to(device);
        var newLabel = empty_like(nodeOrder).index_put_(arange(batch.NodeCount, dtype: int64, device: device), nodeOrder);
        var edgeOrder = randperm(batch.EdgeCount, generator: generator, dtype: int64).to(device);
        return GraphBatch.FromTensors(batch.GraphCount,
            batch.NodeFeatures.index_select(0, nodeOrder),
            newLabel.index_select(0, batch.EdgeIndex.reshape(-1)).reshape(2, -1).index_select(1, edgeOrder),
            batch.EdgeFeatures.index_select(0, edgeOrder),
            batch.EdgeValues.index_select(0, edgeOrder),
            batch.NodeGraph.index_select(0, nodeOrder),
            batch.EdgeGraph.index_select(0, edgeOrder));
    }

    /// <summary>The CPU tiles sum products and each node's edges in another order than libtorch: float32 rounding through
    /// the blocks moves outputs and gradients by ~1e-6 of their size (seen: 1.5e-7 to 4.6e-7), a wrong weight, bias,
    /// endpoint or gradient term by its whole size. Bound: 1e-4 of the largest expected value (at least 1e-3).</summary>
    public static void AssertWithinTileRounding(Tensor expected, Tensor actual, string what)
    {
        double scale = 1e-3 + expected.abs().max().item<float>();
        float difference = MaxAbsDifference(expected, actual);
        Assert.True(difference < 1e-4 * scale, $"{what}: differ by {difference:E2} (values up to {scale:E2})");
    }

    public static float MaxAbsDifference(Tensor a, Tensor b) => (float)(a - b).abs().max().to(float64).item<double>();

    public static string Show(Tensor t) =>
        "[" + string.Join(", ", t.detach().cpu().to(float32).reshape(-1).data<float>().ToArray().Select(v => v.ToString("G6"))) + "]";

    /// <summary>A permutation with no fixed point, so every entry moves.</summary>
    public static Tensor Derangement(int n) => arange(n, dtype: int64).roll(1);
}
