using System;
using System.Linq;
using GmnGen.Runtime;
using GmnGen.Symmetries;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>
/// [SinusoidalPositions] adds a fixed, non-learned encoding to a residual stream, which breaks the
/// permutation of the stream's channels: the group the same ViT has without it must be gone, that
/// permutation must now change the function, and every group still emitted must preserve it.
/// </summary>
public sealed class SinusoidalPositionsTests
{
    private const string Body = """
        {
            [PatchEmbed(8, Patch = 4)POSITIONS] public partial Conv2d Patches { get; }
            [LayerNorm] public partial LayerNorm Norm1 { get; }
            [SelfAttention(2), Residual(nameof(Norm1))] public partial GmnGen.Modules.SelfAttention Attention { get; }
            [LayerNorm] public partial LayerNorm Norm2 { get; }
            [Conv1d(16, Kernel = 1), GELU] public partial Conv1d Mlp1 { get; }
            [Conv1d(8, Kernel = 1), Residual(nameof(Norm2))] public partial Conv1d Mlp2 { get; }
            [LayerNorm, GlobalAvgPool] public partial LayerNorm FinalNorm { get; }
            [Linear(3)] public partial Linear Head { get; }
        }
        """;

    private static readonly Lazy<System.Reflection.Assembly> Compiled = new(() => InMemoryCompiler.Compile(
        "using GmnGen;\nusing TorchSharp.Modules;\n\n" +
        "[Network(InputShape = [1, 16, 16])]\npublic sealed partial class WithPositions\n" + Body.Replace("POSITIONS", ", SinusoidalPositions") + "\n" +
        "[Network(InputShape = [1, 16, 16])]\npublic sealed partial class WithoutPositions\n" + Body.Replace("POSITIONS", "") + "\n"));

    private static (nn.Module<Tensor, Tensor> Module, SymmetrySpec Spec) Create(string name, int seed)
    {
        var net = (IGraphNetwork)Activator.CreateInstance(Compiled.Value.GetType(name)!)!;
        var module = (nn.Module<Tensor, Tensor>)net;
        StateOrder.Randomise(module, seed);
        module.eval();
        return (module, net.Symmetries);
    }

    private static Tensor Input() => randn(new long[] { 4, 1, 16, 16 }, generator: new Generator(9));

    [Fact]
    public void The_encoding_is_the_transformers_sinusoids()
    {
        var values = SinusoidalEncoding.Values(4, 3);
        Assert.Equal(Math.Sin(2.0), values[0, 2], 6);                       // channel 0: sin(t)
        Assert.Equal(Math.Cos(2.0), values[1, 2], 6);                       // channel 1: cos(t)
        Assert.Equal(Math.Sin(2.0 / 100.0), values[2, 2], 6);               // channel 2: sin(t / 10000^(2/4))
        Assert.Equal(Math.Cos(2.0 / 100.0), values[3, 2], 6);
    }

    [Fact]
    public void The_streams_group_is_not_emitted_and_its_permutation_now_changes_the_function()
    {
        using var scope = NewDisposeScope();
        var (with, withSpec) = Create("WithPositions", seed: 1);
        var (without, withoutSpec) = Create("WithoutPositions", seed: 1);
        var lost = withoutSpec.Groups.Select(g => g.Name).Except(withSpec.Groups.Select(g => g.Name)).ToList();
        Assert.NotEmpty(lost);

        // One random permutation for each lost group, identity elsewhere: a symmetry of the plain ViT...
        var generator = new Generator(5);
        var permutations = withoutSpec.Groups
            .Select(g => lost.Contains(g.Name) ? randperm(g.Size, generator: generator, dtype: int64) : arange(g.Size, dtype: int64))
            .ToArray();
        var x = Input();
        var plainBefore = without.forward(x);
        withoutSpec.Apply(without, permutations);
        Assert.True(without.forward(x).allclose(plainBefore, rtol: 1e-4, atol: 1e-5), "without the encoding the stream permutation is a symmetry");

        // ...and not of the same ViT with the encoding (same state names, so the plain spec applies).
        var before = with.forward(x);
        withoutSpec.Apply(with, permutations);
        Assert.False(with.forward(x).allclose(before, rtol: 1e-3, atol: 1e-4), "with the encoding the stream permutation must change the function");
        with.Dispose();
        without.Dispose();
    }

    [Fact]
    public void Every_group_still_emitted_preserves_the_function()
    {
        using var scope = NewDisposeScope();
        var (with, spec) = Create("WithPositions", seed: 2);
        Assert.NotEmpty(spec.Groups);
        var x = Input();
        var before = with.forward(x);
        spec.ApplyRandom(with, new Generator(6));
        Assert.True(with.forward(x).allclose(before, rtol: 1e-4, atol: 1e-5));
        with.Dispose();
    }
}
