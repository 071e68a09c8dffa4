using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>A ViT with a learned class token read out by [FirstToken], as the official ViT maker
/// builds it: the token is one graph node with an edge per channel, it moves with the stream's
/// channels, and every emitted group preserves the function while breaking one does not.</summary>
public sealed class ClassTokenTests
{
    private static readonly Lazy<Type> Vit = new(() => InMemoryCompiler.Compile("""
        using GmnGen;
        using TorchSharp.Modules;

        [Network(InputShape = [1, 16, 16])]
        public sealed partial class ClsVit
        {
            [PatchEmbed(8, Patch = 4)] public partial Conv2d Patches { get; }
            [ClassToken] public partial GmnGen.Modules.ClassToken Cls { get; }
            [PositionalEmbedding(Length = 17)] public partial GmnGen.Modules.PositionalEmbedding Positions { get; }
            [LayerNorm] public partial LayerNorm Norm1 { get; }
            [SelfAttention(2), Residual(nameof(Norm1))] public partial GmnGen.Modules.SelfAttention Attention { get; }
            [LayerNorm] public partial LayerNorm Norm2 { get; }
            [Conv1d(16, Kernel = 1), GELU] public partial Conv1d Mlp1 { get; }
            [Conv1d(8, Kernel = 1), Residual(nameof(Norm2))] public partial Conv1d Mlp2 { get; }
            [LayerNorm, FirstToken] public partial LayerNorm FinalNorm { get; }
            [Linear(3)] public partial Linear Head { get; }
        }
        """).GetType("ClsVit")!);

    private static (nn.Module<Tensor, Tensor> Module, IGraphNetwork Network) Create(int seed)
    {
        var net = (IGraphNetwork)Activator.CreateInstance(Vit.Value)!;
        var module = (nn.Module<Tensor, Tensor>)net;
        StateOrder.Randomise(module, seed);
        module.eval();
        return (module, net);
    }

    private static Tensor Input() => randn(new long[] { 4, 1, 16, 16 }, generator: new Generator(3));

    [Fact]
    public void The_token_is_one_node_with_an_edge_per_channel_and_the_output_reads_token_zero()
    {
        using var scope = NewDisposeScope();
        var (module, net) = Create(seed: 1);
        var layout = net.GraphLayout;
        Assert.Single(layout.Nodes, n => n.Type == GmnGen.Graphs.NodeType.ClassToken && n.Count == 1);
        Assert.Equal(8, layout.Edges.Where(e => e.Type == GmnGen.Graphs.EdgeType.ClassToken).Sum(e => e.Count));
        Assert.Equal(new long[] { 4, 3 }, module.forward(Input()).shape);
        Assert.Contains(layout.State, s => s.Name == "Cls.weight" && s.Length == 8);
        module.Dispose();
    }

    [Fact]
    public void Random_automorphisms_preserve_the_function_and_the_token_moves_with_the_stream()
    {
        using var scope = NewDisposeScope();
        var (module, net) = Create(seed: 2);
        var stream = net.Symmetries.Groups.Single(g => g.Actions.Any(a => a.Tensor == "Cls.weight"));
        Assert.Contains(stream.Actions, a => a.Tensor == "Positions.weight");
        var x = Input();
        var before = module.forward(x);
        net.Symmetries.ApplyRandom(module, new Generator(4));
        Assert.True(module.forward(x).allclose(before, rtol: 1e-4, atol: 1e-5));
        module.Dispose();
    }

    [Fact]
    public void Permuting_the_stream_without_the_token_changes_the_function()
    {
        using var scope = NewDisposeScope();
        var (module, net) = Create(seed: 3);
        var x = Input();
        var before = module.forward(x);
        // Permute the stream's channels everywhere but in the class token: no longer a symmetry.
        var stream = net.Symmetries.Groups.Single(g => g.Actions.Any(a => a.Tensor == "Cls.weight"));
        var state = module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(module.named_buffers()).ToDictionary(p => p.Item1, p => p.Item2);
        using (no_grad())
            stream.Apply(state, randperm(stream.Size, generator: new Generator(5), dtype: int64), only: a => a.Tensor != "Cls.weight");
        Assert.False(module.forward(x).allclose(before, rtol: 1e-3, atol: 1e-4));
        module.Dispose();
    }
}
