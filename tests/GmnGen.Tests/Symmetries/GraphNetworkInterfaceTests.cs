using System.Linq;
using GmnGen.Tests.Networks;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>Everything README lists for a generated class is reachable through <see cref="IGraphNetwork"/>
/// alone, as code that handles networks of any architecture uses it.</summary>
public sealed class GraphNetworkInterfaceTests
{
    [Fact]
    public void Shapes_and_symmetry_actions_work_through_the_interface()
    {
        IGraphNetwork net = new ResidualMlp();
        var module = (nn.Module<Tensor, Tensor>)net;
        StateOrder.Randomise(module, seed: 3);
        module.eval();
        Assert.Equal(ResidualMlp.InputShape, net.InputShape);
        Assert.Equal(new[] { 3 }, net.OutputShape);
        using var _ = no_grad();
        var input = randn(4, net.InputShape[0], generator: new Generator(4));
        var before = module.forward(input);

        var permutations = net.ApplyRandomAutomorphism(new Generator(5));
        Assert.Equal(net.Symmetries.Groups.Count, permutations.Count);
        net.ApplyPermutations(net.Symmetries.Groups.Select(g => GmnGen.Runtime.Scalars.Arange(0, g.Size)).ToList());
        var factors = net.ApplyRandomScaling(2.0, new Generator(6));
        Assert.Equal(net.Symmetries.Scalings.Count, factors.Count);

        Assert.True(module.forward(input).allclose(before, rtol: 1e-4, atol: 1e-5), "the symmetries applied through IGraphNetwork changed the function");
        Assert.Equal(new long[] { 4, 3 }, before.shape);
    }
}
