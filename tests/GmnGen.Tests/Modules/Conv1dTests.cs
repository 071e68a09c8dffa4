using System;
using System.Threading;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Modules;

/// <summary>
/// Generated Conv1d layers run libtorch's own conv1d (<c>nn.Conv1d.forward</c>) again: it equals the
/// definition in value and gradients, and gives identical results call after call on the shape that
/// once "returned NaN now and then", with a thread allocating beside it all the while.
/// </summary>
public sealed class Conv1dTests
{
    [Theory]
    [InlineData(28, 12, 5, 2, 0, 1, false, 28)]
    [InlineData(6, 4, 3, 1, 1, 1, true, 10)]
    [InlineData(5, 3, 3, 1, 0, 2, true, 11)]
    [InlineData(4, 7, 1, 1, 0, 1, true, 9)]
    [InlineData(3, 2, 4, 3, 2, 2, false, 17)]
    public void Libtorch_conv1d_equals_the_definition_in_value_and_gradients(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, bool bias, int length)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        using var conv = nn.Conv1d(inChannels, outChannels, kernel, stride, padding, dilation, bias: bias);
        using (no_grad())
        {
            conv.weight.copy_(randn(new long[] { outChannels, inChannels, kernel }, generator: generator));
            conv.bias?.copy_(randn(new long[] { outChannels }, generator: generator));
        }
        var x = randn(new long[] { 3, inChannels, length }, generator: generator).requires_grad_();
        Tensor[] inputs = bias ? [x, conv.weight, conv.bias!] : [x, conv.weight];

        var ours = conv.forward(x);
        var grads = autograd.grad([ours.mul(ours).sum()], inputs);
        var reference = Naive(x, conv.weight, conv.bias, stride, padding, dilation);
        var referenceGrads = autograd.grad([reference.mul(reference).sum()], inputs);

        Assert.Equal(reference.shape, ours.shape);
        Assert.True(ours.allclose(reference, rtol: 1e-4, atol: 1e-4), $"max difference {ours.sub(reference).abs().max().item<float>()}");
        for (int i = 0; i < grads.Count; i++)
            Assert.True(grads[i].allclose(referenceGrads[i], rtol: 1e-4, atol: 1e-3), $"gradient {i}: max difference {grads[i].sub(referenceGrads[i]).abs().max().item<float>()}");
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
            y = y is null ? term : y.add(term, GmnGen.Runtime.Scalars.One);
        }
        return bias is null ? y! : y!.add(bias.reshape(1, -1, 1), GmnGen.Runtime.Scalars.One);
    }

    [Fact]
    public void Identical_calls_give_identical_results_on_the_shape_blamed_for_NaN_while_another_thread_allocates()
    {
        using var generator = new Generator(1);
        using var conv = nn.Conv1d(28, 12, 5, 2, bias: false);
        using var x = randn(new long[] { 128, 28, 28 }, generator: generator);
        using var _ = no_grad();
        using var first = conv.forward(x);
        bool stop = false;
        var pressure = new Thread(() => { while (!Volatile.Read(ref stop)) GC.KeepAlive(new byte[256]); });
        pressure.Start();
        try
        {
            for (int i = 0; i < 300; i++)
            {
                using var scope = NewDisposeScope();
                Assert.True(conv.forward(x).equal(first).all().item<bool>(), $"call {i} differs");
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            pressure.Join();
        }
    }
}
