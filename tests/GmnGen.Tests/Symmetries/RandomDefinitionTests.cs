using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using GmnGen.Symmetries;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>
/// Symmetry metadata of definitions nobody wrote by hand: random valid MLPs and CNNs are compiled
/// with the generator, then every emitted group must preserve the function and matter when broken.
/// </summary>
public class RandomDefinitionTests
{
    private const int Count = 24;
    private static readonly Lazy<(Type Type, string Source)[]> Networks = new(CompileAll);

    public static TheoryData<int> Indices()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Count; i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Indices))]
    public void Random_automorphisms_preserve_the_function_and_broken_groups_do_not(int index)
    {
        var (type, source) = Networks.Value[index];
        var net = (IGraphNetwork)Activator.CreateInstance(type)!;
        var module = (nn.Module<Tensor, Tensor>)net;
        StateOrder.Randomise(module, seed: index);
        module.eval();
        var inputShape = net.InputShape.Select(d => (long)d);
        var input = randn(new long[] { 5 }.Concat(inputShape).ToArray(), generator: new Generator((ulong)index));
        var before = module.forward(input);

        var state = SymmetrySpec.StateByName(module);
        var original = state.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        net.Symmetries.ApplyRandom(module, new Generator((ulong)index + 100));
        var after = module.forward(input);
        Assert.True(after.allclose(before, rtol: 0, atol: 1e-5), $"automorphism changed the outputs by {(after - before).abs().max().item<float>()} for\n{source}");

        foreach (var group in net.Symmetries.Groups)
            foreach (var side in group.Actions)
            {
                using (no_grad()) foreach (var (key, t) in state) t.copy_(original[key]);
                group.Apply(state, arange(group.Size, dtype: int64).roll(1), only: a => a == side);
                var broken = module.forward(input);
                Assert.False(broken.allclose(before, rtol: 0, atol: 1e-5), $"permuting only {side} of {group.Name} kept the outputs for\n{source}");
            }
    }

    [Fact]
    public void Every_random_definition_has_one_group_per_hidden_layer_and_a_graph_edge_per_value()
    {
        foreach (var (type, source) in Networks.Value)
        {
            var net = (IGraphNetwork)Activator.CreateInstance(type)!;
            int hiddenLayers = source.Split('\n').Count(l => l.Contains("Linear(") || l.Contains("Conv1d(") || l.Contains("Conv2d(")) - 1;
            Assert.True(hiddenLayers == net.Symmetries.Groups.Count, $"expected {hiddenLayers} groups for\n{source}");
            Assert.Equal(StateOrder.ConcatenatedValues((nn.Module)net).shape[0], net.GraphLayout.EdgeCount);
        }
    }

    private static (Type, string)[] CompileAll()
    {
        var random = new Random(20261122);
        var sources = Enumerable.Range(0, Count).Select(i => RandomDefinitions.Declare($"Random{i}", random)).ToArray();
        var code = new StringBuilder("using GmnGen;\nusing TorchSharp.Modules;\nnamespace RandomNetworks;\n");
        foreach (var s in sources) code.Append(s);
        var assembly = InMemoryCompiler.Compile(code.ToString());
        return sources.Select((s, i) => (assembly.GetType($"RandomNetworks.Random{i}")!, s)).ToArray();
    }
}
