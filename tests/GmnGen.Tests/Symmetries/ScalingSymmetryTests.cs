using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Symmetries;
using GmnGen.Tasks.Zoo;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>
/// The scaling and sign symmetries the generator emits are real: random ones leave every declared
/// network's function unchanged (test networks and every zoo architecture), scaling only one of a
/// symmetry's tensors changes it, they appear exactly where the activations allow, and scaling a
/// parameter graph gives the graph of the scaled network.
/// </summary>
public class ScalingSymmetryTests
{
    /// <summary>Every test network and every zoo architecture, by name.</summary>
    public static TheoryData<string> Networks()
    {
        var data = new TheoryData<string>();
        foreach (var name in Catalogue.Networks.Keys) data.Add(name);
        foreach (var architecture in ZooArchitecture.Of(ZooFamily.VaryingCnn | ZooFamily.Diverse)) data.Add(architecture.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Random_scalings_leave_the_outputs_unchanged(string name)
    {
        using var scope = NewDisposeScope();
        var (net, module, input) = Prepare(name, seed: 21);
        using var owned = module;
        var before = module.forward(input);
        net.Symmetries.ApplyRandomScaling(module, maxFactor: 2, new Generator(3));
        var after = module.forward(input);
        double scale = before.abs().max().item<float>();
        Assert.True(after.allclose(before, rtol: 1e-4, atol: 1e-4 * scale), $"{name}: max difference {after.sub(before).abs().max().item<float>()} (outputs up to {scale})");
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Scaling_only_one_tensor_of_any_symmetry_changes_the_outputs(string name)
    {
        using var scope = NewDisposeScope();
        var (net, module, input) = Prepare(name, seed: 22);
        using var owned = module;
        var before = module.forward(input);
        var state = SymmetrySpec.StateByName(module);
        foreach (var scaling in net.Symmetries.Scalings)
            foreach (var side in scaling.Actions)
            {
                var original = state.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
                var factors = full(scaling.Size, scaling.Kind == ScalingKind.Positive ? 2.0 : -1.0);
                scaling.Apply(state, factors, only: a => a == side);
                var after = module.forward(input);
                Assert.False(after.allclose(before, rtol: 1e-4, atol: 1e-4),
                    $"{name}: scaling only {side.Tensor} axis {side.Axis} of {scaling.Name} left the outputs unchanged");
                using (no_grad()) foreach (var (key, t) in state) t.copy_(original[key]);
            }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Scaling_the_graph_gives_the_graph_of_the_scaled_network(string name)
    {
        using var scope = NewDisposeScope();
        var (net, module, _) = Prepare(name, seed: 23);
        using var owned = module;
        var factors = net.Symmetries.RandomScalingFactors(2, new Generator(4));
        using var graph = net.ToParameterGraph();
        using var scaled = graph.Scaled(factors);
        net.Symmetries.ApplyScaling(module, factors);
        using var expected = net.ToParameterGraph();
        Assert.True(scaled.EdgeValues.allclose(expected.EdgeValues, rtol: 1e-6, atol: 1e-7), $"{name}: the scaled graph differs from the scaled network's");
        Assert.Same(net.Symmetries, graph.Topology.Layout.Symmetries);
    }

    [Fact]
    public void Zoo_cnns_get_exactly_the_symmetries_their_activations_and_norms_allow()
    {
        foreach (var a in ZooArchitecture.Of(ZooFamily.VaryingCnn))
        {
            var net = (IGraphNetwork)a.Create();
            var expected = new List<string>();
            for (int layer = 1; layer <= a.Depth; layer++)
            {
                string set = $"Conv{layer}.channels";
                if (a.Norm == "bn") expected.Add(set + ".norm_input");
                if (a.Activation == "ReLU") expected.Add(set + ".scale");
                if (a.Activation == "Tanh") expected.Add(set + ".sign");
            }
            Assert.Equal(expected, net.Symmetries.Scalings.Select(s => s.Name));
            Assert.All(net.Symmetries.Scalings, s => Assert.Equal(!s.Name.EndsWith(".norm_input"), s.Exact));
            ((IDisposable)net).Dispose();
        }
    }

    [Fact]
    public void No_scaling_crosses_a_residual_sum_attention_or_a_layer_norm()
    {
        foreach (var a in ZooArchitecture.Of(ZooFamily.Diverse).Where(a => a.Kind is "resnet" or "vit"))
        {
            var net = (IGraphNetwork)a.Create();
            // Only the first conv of a BasicBlock (conv, norm, ReLU, conv) is a plain chain; everything
            // on the residual stream, and everything in a ViT, is tied to a sum or a LayerNorm.
            var names = net.Symmetries.Scalings.Select(s => s.Name).ToList();
            if (a.Kind == "vit") Assert.Empty(names);
            else
            {
                Assert.Equal(2 * a.Depth, names.Count);
                Assert.All(names, n => Assert.Matches(@"^Block\d+Conv1\.channels\.(norm_input|scale)$", n));
            }
            ((IDisposable)net).Dispose();
        }
    }

    [Fact]
    public void Max_pooling_keeps_positive_scalings_and_stops_sign_flips()
    {
        var scaling = Assert.Single(GmnGen.Tests.Networks.PoolCnn.Symmetries.Scalings);
        Assert.Equal("Conv2.channels.scale", scaling.Name);
        // The head reads each of Conv2's channels as a 3×3 block of the flattened map.
        Assert.Contains(new ScaledAxis("Head.weight", 1, -1, 9), scaling.Actions);
    }

    [Fact]
    public void Sign_factors_are_plus_or_minus_one_and_positive_ones_stay_within_the_range()
    {
        var positive = new ScalingGroup("p", ScalingKind.Positive, 1000, true, []);
        var sign = new ScalingGroup("s", ScalingKind.Sign, 1000, true, []);
        using var p = positive.RandomFactors(3, new Generator(1));
        using var s = sign.RandomFactors(3, new Generator(1));
        Assert.InRange(p.min().item<float>(), 1 / 3.0 - 1e-6, 1.5);
        Assert.InRange(p.max().item<float>(), 2, 3 + 1e-6);
        Assert.Equal([-1f, 1f], s.unique().output.data<float>().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => positive.RandomFactors(0.5));
    }

    private static (IGraphNetwork Net, nn.Module<Tensor, Tensor> Module, Tensor Input) Prepare(string name, long seed)
    {
        if (Catalogue.Networks.ContainsKey(name)) return FunctionPreservationTests.Prepare(name, seed);
        var architecture = ZooArchitecture.Find(name);
        var module = architecture.Create();
        StateOrder.Randomise(module, seed);
        module.eval();
        var shape = new long[] { 4 }.Concat(architecture.InputShape.Select(d => (long)d)).ToArray();
        return ((IGraphNetwork)module, module, randn(shape, generator: new Generator((ulong)seed)));
    }
}
