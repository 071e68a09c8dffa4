using System;
using GmnGen.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Modules;

public sealed class Conv1dForwardTests
{
    [Theory]
    [InlineData(28, 12, 5, 2, 0, 1, false, 28)]
    [InlineData(6, 4, 3, 1, 1, 1, true, 10)]
    [InlineData(5, 3, 3, 1, 0, 2, true, 11)]
    [InlineData(4, 7, 1, 1, 0, 1, true, 9)]
    [InlineData(3, 2, 4, 3, 2, 2, false, 17)]
    public void Equals_the_definition_in_value_and_gradients(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, bool bias, int length)
    {
        var generator = new Generator(11);
        var x = randn(new long[] { 3, inChannels, length }, generator: generator).requires_grad_();
        var weight = randn(new long[] { outChannels, inChannels, kernel }, generator: generator).requires_grad_();
        var b = bias ? randn(new long[] { outChannels }, generator: generator).requires_grad_() : null;

        var ours = Conv1dForward.Apply(x, weight, b, stride, padding, dilation);
        var grads = autograd.grad([ours.pow(2).sum()], bias ? [x, weight, b!] : [x, weight]);
        var reference = Naive(x, weight, b, stride, padding, dilation);
        var referenceGrads = autograd.grad([reference.pow(2).sum()], bias ? [x, weight, b!] : [x, weight]);

        Assert.Equal(reference.shape, ours.shape);
        Assert.True(ours.allclose(reference, rtol: 1e-4, atol: 1e-4), $"max difference {(ours - reference).abs().max().item<float>()}");
        for (int i = 0; i < grads.Count; i++)
            Assert.True(grads[i].allclose(referenceGrads[i], rtol: 1e-4, atol: 1e-3), $"gradient {i}: max difference {(grads[i] - referenceGrads[i]).abs().max().item<float>()}");
    }

    /// <summary>The definition, one kernel tap at a time: y[:, o, t] = Σ_j W[o, :, j] · x[:, :, t·stride + j·dilation] (+ bias).</summary>
    private static Tensor Naive(Tensor x, Tensor weight, Tensor? bias, int stride, int padding, int dilation)
    {
        var padded = nn.functional.pad(x, [padding, padding]);
        long kernel = weight.shape[2];
        long positions = (padded.shape[2] - (kernel - 1) * dilation - 1) / stride + 1;
        Tensor? y = null;
        for (long j = 0; j < kernel; j++)
        {
            var tap = padded[.., .., TensorIndex.Slice(j * dilation, j * dilation + (positions - 1) * stride + 1, stride)];
            var term = einsum("bct,oc->bot", tap, weight[.., .., j]);
            y = y is null ? term : y + term;
        }
        return bias is null ? y! : y! + bias.reshape(1, -1, 1);
    }

    [Fact]
    public void Stays_finite_on_the_shape_where_libtorch_conv1d_returns_NaN_now_and_then()
    {
        var generator = new Generator(1);
        using var x = randn(new long[] { 128, 28, 28 }, generator: generator);
        using var weight = randn(new long[] { 12, 28, 5 }, generator: generator) * 0.1;
        using var _ = no_grad();
        using var first = Conv1dForward.Apply(x, weight, null, 2, 0, 1);
        for (int i = 0; i < 300; i++)
        {
            using var scope = NewDisposeScope();
            Assert.True(Conv1dForward.Apply(x, weight, null, 2, 0, 1).equal(first).all().item<bool>(), $"call {i} differs");
        }
    }
}
