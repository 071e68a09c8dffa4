using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Tests.Networks;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Modules;

/// <summary>Every generated forward checks its input against InputShape first and names the network
/// and both shapes, instead of failing inside a layer with a bare libtorch message.</summary>
public sealed class InputShapeCheckTests
{
    public static TheoryData<string> AllNetworks => Catalogue.Names();

    [Theory]
    [MemberData(nameof(AllNetworks))]
    public void A_batch_of_the_wrong_sample_shape_names_the_network_and_both_shapes(string name)
    {
        using var scope = NewDisposeScope();
        var network = Catalogue.Networks[name]();
        var module = (nn.Module<Tensor, Tensor>)network;
        var shape = network.InputShape;
        var wrong = new long[] { 2 }.Concat(shape.Select(d => (long)d + 1)).ToArray();

        var error = Assert.Throws<ArgumentException>(() => module.forward(zeros(wrong)));

        Assert.Contains($"{network.GetType().Name} expects input of shape [batch, {string.Join(", ", shape)}], but got [{string.Join(", ", wrong)}]", error.Message);
        module.Dispose();
    }

    [Theory]
    [MemberData(nameof(AllNetworks))]
    public void One_sample_without_its_batch_axis_is_told_to_unsqueeze(string name)
    {
        using var scope = NewDisposeScope();
        var network = Catalogue.Networks[name]();
        var module = (nn.Module<Tensor, Tensor>)network;
        var shape = network.InputShape.Select(d => (long)d).ToArray();

        var error = Assert.Throws<ArgumentException>(() => module.forward(zeros(shape)));

        Assert.Contains("unsqueeze(0)", error.Message);
        module.Dispose();
    }

    [Fact]
    public void The_declared_shape_passes()
    {
        using var scope = NewDisposeScope();
        using var network = new TinyMlp();
        var output = network.forward(zeros(3, TinyMlp.InputShape[0]));
        Assert.Equal(new long[] { 3, TinyMlp.OutputShape[0] }, output.shape);
    }
}
