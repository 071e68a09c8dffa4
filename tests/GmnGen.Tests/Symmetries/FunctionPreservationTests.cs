using System.Linq;
using GmnGen.Symmetries;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>
/// The symmetry groups the generator emits are real: a random automorphism leaves the network's
/// function unchanged, and permuting only one side of any group changes it.
/// </summary>
public class FunctionPreservationTests
{
    private const double Tolerance = 1e-5;

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void A_random_automorphism_leaves_the_outputs_unchanged(string name)
    {
        var (net, module, input) = Prepare(name, seed: 11);
        var before = module.forward(input);
        net.Symmetries.ApplyRandom(module, new Generator(5));
        var after = module.forward(input);
        Assert.True(after.allclose(before, rtol: 0, atol: Tolerance), $"{name}: max difference {(after - before).abs().max().item<float>()}");
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void Permuting_one_side_of_any_group_changes_the_outputs(string name)
    {
        var (net, module, input) = Prepare(name, seed: 12);
        var before = module.forward(input);
        var state = SymmetrySpec.StateByName(module);
        foreach (var group in net.Symmetries.Groups)
            foreach (var side in group.Actions.Where(a => !IsKeyBias(state, a)))
            {
                var original = state.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
                var permutation = Derangement(group.Size);
                group.Apply(state, permutation, only: a => a == side);
                var after = module.forward(input);
                Assert.False(after.allclose(before, rtol: 0, atol: 1e-4),
                    $"{name}: permuting only {side.Tensor} axis {side.Axis} of group {group.Name} left the outputs unchanged");
                using (no_grad()) foreach (var (key, t) in state) t.copy_(original[key]);
            }
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void Groups_cover_every_hidden_node_and_no_input_or_output(string name)
    {
        var net = Catalogue.Networks[name]();
        var layout = net.GraphLayout;
        var hidden = layout.Nodes.Where(n => !n.Ordered && n.Type is GmnGen.Graphs.NodeType.Neuron or GmnGen.Graphs.NodeType.Channel).ToList();
        var moved = net.Symmetries.Groups.SelectMany(g => g.NodeIndices).ToHashSet();
        foreach (var block in hidden)
            Assert.True(Enumerable.Range(block.Start, block.Count).All(moved.Contains), $"{name}: hidden nodes from {block.Start} are in no group");
        foreach (var block in layout.Nodes.Where(n => n.Ordered))
            Assert.DoesNotContain(Enumerable.Range(block.Start, block.Count), moved.Contains);
    }

    /// <summary>
    /// The key bias of attention adds <c>q·b_k</c> to every score of a query alike, which softmax
    /// cancels: it has no effect on the function, so permuting it alone changes nothing. It is still
    /// permuted with its group, since the graph carries it on the query/key nodes.
    /// </summary>
    private static bool IsKeyBias(System.Collections.Generic.IReadOnlyDictionary<string, Tensor> state, GmnGen.Symmetries.TensorAxis action)
    {
        if (!action.Tensor.EndsWith(".in_proj_bias", System.StringComparison.Ordinal)) return false;
        long width = state[action.Tensor].shape[0] / 3;
        return action.Offset >= width && action.Offset < 2 * width;
    }

    internal static (IGraphNetwork Net, nn.Module<Tensor, Tensor> Module, Tensor Input) Prepare(string name, long seed)
    {
        var net = Catalogue.Networks[name]();
        var module = (nn.Module<Tensor, Tensor>)net;
        StateOrder.Randomise(module, seed);
        module.eval();
        var shape = new long[] { 4 }.Concat(net.InputShape.Select(d => (long)d)).ToArray();
        return (net, module, randn(shape, generator: new Generator((ulong)seed)));
    }

    /// <summary>A permutation with no fixed point, so every entry moves.</summary>
    private static Tensor Derangement(int n) => arange(n, dtype: int64).roll(1);
}
