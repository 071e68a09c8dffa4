using System;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Modules;

/// <summary>[Dropout1d] and [Dropout2d]: whole channels dropped while training, identity in eval mode,
/// nothing added to the graph or taken from the symmetries.</summary>
public sealed class ChannelDropoutTests
{
    private static readonly Lazy<System.Reflection.Assembly> Compiled = new(() => InMemoryCompiler.Compile("""
        using GmnGen;
        using TorchSharp.Modules;

        [Network(InputShape = [3, 6, 6])]
        public sealed partial class Dropped2d
        {
            [Conv2d(8, Padding = 1), ReLU, Dropout2d(P = 0.5)] public partial Conv2d Conv { get; }
            [Conv2d(4, Padding = 1), Dropout2d(P = 0.5)] public partial Conv2d Out { get; }
        }

        [Network(InputShape = [3, 6, 6])]
        public sealed partial class Plain2d
        {
            [Conv2d(8, Padding = 1), ReLU] public partial Conv2d Conv { get; }
            [Conv2d(4, Padding = 1)] public partial Conv2d Out { get; }
        }

        [Network(InputShape = [3, 10])]
        public sealed partial class Dropped1d
        {
            [Conv1d(8, Padding = 1), Tanh, Dropout1d(P = 0.5)] public partial Conv1d Conv { get; }
            [Conv1d(4, Padding = 1), Dropout1d(P = 0.5)] public partial Conv1d Out { get; }
        }

        [Network(InputShape = [3, 6, 6])]
        public sealed partial class End2d
        {
            [Conv2d(8, Padding = 1), ReLU] public partial Conv2d Conv { get; }
            [Conv2d(4, Padding = 1), Dropout2d(P = 0.5)] public partial Conv2d Out { get; }
        }

        [Network(InputShape = [3, 10])]
        public sealed partial class End1d
        {
            [Conv1d(8, Padding = 1), Tanh] public partial Conv1d Conv { get; }
            [Conv1d(4, Padding = 1), Dropout1d(P = 0.5)] public partial Conv1d Out { get; }
        }

        [Network(InputShape = [3, 10])]
        public sealed partial class Plain1d
        {
            [Conv1d(8, Padding = 1), Tanh] public partial Conv1d Conv { get; }
            [Conv1d(4, Padding = 1)] public partial Conv1d Out { get; }
        }
        """));

    private static nn.Module<Tensor, Tensor> Create(string name) =>
        (nn.Module<Tensor, Tensor>)Activator.CreateInstance(Compiled.Value.GetType(name)!)!;

    public static TheoryData<string, string, long[]> Pairs => new()
    {
        { "Dropped2d", "Plain2d", new long[] { 16, 3, 6, 6 } },
        { "Dropped1d", "Plain1d", new long[] { 16, 3, 10 } },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void In_eval_mode_it_computes_what_the_network_without_it_computes(string dropped, string plain, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var a = Create(dropped);
        using var b = Create(plain);
        b.load_state_dict(a.state_dict());
        a.eval();
        b.eval();
        var x = randn(shape, generator: new Generator(3));
        Assert.True(a.forward(x).allclose(b.forward(x), rtol: 0, atol: 0));
    }

    public static TheoryData<string, string, long[]> OutputDropout => new()
    {
        { "End2d", "Plain2d", new long[] { 16, 3, 6, 6 } },
        { "End1d", "Plain1d", new long[] { 16, 3, 10 } },
    };

    [Theory]
    [MemberData(nameof(OutputDropout))]
    public void While_training_it_zeroes_whole_channels_and_scales_the_rest(string dropped, string plain, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var a = Create(dropped);
        using var b = Create(plain);
        b.load_state_dict(a.state_dict());
        a.train();
        b.eval();
        var x = randn(shape, generator: new Generator(4));
        // The only dropout is the last step: compare the output with the plain one channel by channel.
        var y = a.forward(x);
        var reference = b.forward(x);
        var dims = shape.Length == 4 ? new long[] { 2, 3 } : new long[] { 2 };
        var zeroed = y.abs().amax(dims).eq(0);                                    // [batch, channels]
        var kept = y.sub(reference.mul(2.0)).abs().amax(dims).lt(1e-5);          // survivors scaled by 1/(1 − P)
        Assert.True(zeroed.logical_or(kept).all().item<bool>(), "every channel is either dropped whole or kept whole");
        long dropped_ = zeroed.sum().item<long>();
        Assert.InRange(dropped_, 16, 48); // of 64 sample-channels at P = 0.5
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void It_adds_nothing_to_the_graph_and_keeps_every_symmetry(string dropped, string plain, long[] shape)
    {
        _ = shape;
        using var a = Create(dropped);
        using var b = Create(plain);
        var withIt = (IGraphNetwork)a;
        var without = (IGraphNetwork)b;
        Assert.Equal(without.GraphLayout.NodeCount, withIt.GraphLayout.NodeCount);
        Assert.Equal(without.GraphLayout.EdgeCount, withIt.GraphLayout.EdgeCount);
        Assert.Equal(without.Symmetries.Groups.Count, withIt.Symmetries.Groups.Count);
        Assert.Equal(without.Symmetries.Scalings.Count, withIt.Symmetries.Scalings.Count);
    }
}
