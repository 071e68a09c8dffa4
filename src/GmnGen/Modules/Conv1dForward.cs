using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Modules;

/// <summary>
/// The forward pass generated networks use for their Conv1d layers: an explicit im2col (unfold, then
/// one matmul) with the layer's own weight and bias.
/// </summary>
/// <remarks>
/// libtorch 2.10's CPU convolution (TorchSharp 0.107, this machine) returns NaN in a fraction of calls
/// for some 1-D shapes with the very same input and weights: e.g. 28 → 12 channels, kernel 5,
/// stride 2, length 28, NaN in about one call in three through <c>nn.Conv1d</c>, and rarely through
/// <c>functional.conv1d</c> or <c>conv2d</c> on an unsqueezed map. The same computation as unfold +
/// matmul never did in tens of thousands of calls, and it is the same function with the same
/// parameters and gradients, so the generated code takes it. (Figures: docs/results.md, known issues.)
/// </remarks>
public static class Conv1dForward
{
    /// <summary><c>[batch, in, length]</c> → <c>[batch, out, length']</c>, as <c>conv1d(x, weight, bias, stride, padding, dilation)</c>.</summary>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias, long stride, long padding, long dilation)
    {
        long batch = x.shape[0], outChannels = weight.shape[0], inChannels = weight.shape[1], kernel = weight.shape[2];
        if (padding > 0) x = nn.functional.pad(x, [padding, padding]);
        long span = (kernel - 1) * dilation + 1;
        var windows = x.unfold(2, span, stride);                                // [b, in, L', span]
        if (dilation > 1) windows = windows[.., .., .., TensorIndex.Slice(0, span, dilation)];
        long positions = windows.shape[2];
        var columns = windows.permute(0, 2, 1, 3).reshape(batch, positions, inChannels * kernel);
        var y = columns.matmul(weight.reshape(outChannels, inChannels * kernel).t());   // [b, L', out]
        if (bias is not null) y = y.add(bias, Scalars.One);
        return y.transpose(1, 2);
    }
}
