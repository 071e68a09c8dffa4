using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using GmnGen.Metanet;
using GmnGen.Runtime;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Runtime;

/// <summary>
/// TorchSharp's norm layers dispose their parameters and running statistics from their finalizer, so
/// a tensor held beyond its module (by an optimizer, or by the state array a <c>ToParameterGraph()</c>
/// gathers while its network is already unreachable) is freed by the garbage collector's thread under
/// the code using it: "Tensor invalid -- empty handle" or a crash, at moments only load decides.
/// <see cref="ModuleOwnership.OwnState{T}"/>, which every generated and runtime module calls, suppresses
/// those finalizers. Each test drops its module, collects, and reads the tensors it kept.
/// </summary>
public class ModuleFinalizerTests
{
    [Fact]
    public void TorchSharps_norm_layers_free_a_kept_weight_once_the_module_is_collected()
    {
        // The hazard itself, on TorchSharp's own modules: if a TorchSharp release stops doing this, this test
        // fails and OwnState's finalizer suppression can go.
        var kept = NormLayerWeights(owned: false);
        Collect();
        Assert.All(kept, t => Assert.True(t.Tensor.IsInvalid, $"{t.Name}: still valid after its module was finalized"));
    }

    [Fact]
    public void Owned_norm_layers_leave_a_kept_weight_valid_after_the_module_is_collected()
    {
        var kept = NormLayerWeights(owned: true);
        Collect();
        AssertIntact(kept);
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void A_generated_networks_state_outlives_the_network(string name)
    {
        var kept = StateOfDroppedModule(() => (nn.Module)Catalogue.Networks[name]());
        Collect();
        AssertIntact(kept);
    }

    [Fact]
    public void A_metanets_parameters_outlive_the_metanet()
    {
        // Its blocks' LayerNorms are TorchSharp's: an optimizer may hold their weights longer than the metanet.
        var kept = StateOfDroppedModule(() => new GraphMetanet(new GmnConfig { Hidden = 16, Blocks = 2, ReverseEdges = true, GlobalFeature = true }));
        Assert.Contains(kept, t => t.Name.Contains("norm", StringComparison.OrdinalIgnoreCase));
        Collect();
        AssertIntact(kept);
    }

    /// <summary>A kept tensor and a copy of its values taken while its module was alive.</summary>
    public sealed record Kept(string Name, Tensor Tensor, float[] Values);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<Kept> NormLayerWeights(bool owned)
    {
        var modules = new (string Name, nn.Module Module)[]
        {
            ("LayerNorm", nn.LayerNorm(8)),
            ("GroupNorm", nn.GroupNorm(2, 8)),
            ("BatchNorm1d", nn.BatchNorm1d(8)),
        };
        var kept = new List<Kept>();
        foreach (var (name, module) in modules)
        {
            if (owned) ModuleOwnership.OwnState(module);
            kept.AddRange(Keep(module).Select(k => k with { Name = $"{name}.{k.Name}" }));
        }
        return kept;
    }

    /// <summary>Every floating-point parameter and buffer of a module built here, which is unreachable once this returns.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<Kept> StateOfDroppedModule(Func<nn.Module> create) => Keep(create());

    private static List<Kept> Keep(nn.Module module) =>
        module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(module.named_buffers())
            .Where(t => t.Item2.is_floating_point())
            .Select(t => new Kept(t.Item1, t.Item2, t.Item2.detach().cpu().flatten().data<float>().ToArray()))
            .ToList();

    private static void Collect()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    private static void AssertIntact(List<Kept> kept)
    {
        Assert.NotEmpty(kept);
        foreach (var (name, tensor, values) in kept)
        {
            Assert.False(tensor.IsInvalid, $"{name}: disposed by the finalizer of its module");
            Assert.Equal(values, tensor.detach().cpu().flatten().data<float>().ToArray());
        }
    }
}
