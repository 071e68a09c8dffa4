using System;
using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Runtime;

/// <summary>
/// libtorch's convolutions must be right on every CPU the suite runs on. On AMD Zen 5 oneDNN's were not (NaN from a few
/// percent of calls, wrong values from others), so GmnGen switches oneDNN off there (<see cref="OneDnn"/>); these tests
/// fail on such a CPU when it stays on (<c>GMNGEN_ONEDNN=on</c>).
/// </summary>
public sealed class OneDnnTests
{
    [Fact]
    public void OneDnn_is_off_exactly_where_its_convolutions_are_wrong_unless_the_variable_says_otherwise()
    {
        string? choice = Environment.GetEnvironmentVariable(OneDnn.Variable)?.Trim().ToLowerInvariant();
        bool expected = choice == "on" || (choice != "off" && !OneDnn.ConvolutionsWrongOnThisCpu);

        Assert.Equal(expected, OneDnn.Enabled);
    }

    [Fact]
    public void Libtorch_convolutions_stay_finite_and_equal_unfold_and_product_over_many_random_batches()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(17);
        var conv1d = nn.Conv1d(28, 12, 5, stride: 2, bias: false);        // RowCnn's first layer
        var conv2d = nn.Conv2d(16, 16, 3, stride: 2);                     // a zoo CNN's middle layer
        var w1 = conv1d.weight!.detach().reshape(12, -1);
        var w2 = conv2d.weight!.detach().reshape(16, -1);
        using var _ = no_grad();
        for (int i = 0; i < 150; i++)
        {
            using var step = NewDisposeScope();
            long batch = 64 + 16 * (i % 8);
            var x1 = randn(batch, 28, 28, generator: generator);
            var y1 = conv1d.forward(x1);
            // The definition: each output position is the product of its window (channels × kernel) with the weights.
            var windows1 = x1.unfold(2, 5, 2).permute(0, 2, 1, 3).reshape(-1, 28 * 5);
            var expected1 = windows1.mm(w1.t()).reshape(batch, -1, 12).permute(0, 2, 1);
            AssertClose(expected1, y1, $"Conv1d, batch {batch}, call {i}");

            var x2 = randn(batch / 8, 16, 13, 13, generator: generator);
            var y2 = conv2d.forward(x2);
            var windows2 = nn.functional.unfold(x2, 3, stride: 2);                              // [b, 16·9, 36]
            var expected2 = w2.matmul(windows2).add(conv2d.bias!.detach().unsqueeze(1)).reshape(batch / 8, 16, 6, 6);
            AssertClose(expected2, y2, $"Conv2d, batch {batch / 8}, call {i}");
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.False(actual.isnan().any().item<bool>(), $"{what}: libtorch's convolution returned NaN");
        double difference = (actual - expected).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"{what}: libtorch's convolution differs from the definition by {difference}");
    }
}
