using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Bench;

/// <summary>
/// A 1-D convolution as an explicit im2col: unfold, then one matrix product. Generated networks used
/// it for their Conv1d layers while libtorch's conv1d was blamed for NaN that the finalizer race
/// caused (docs/results.md); stage (g) of <c>gmn bench</c> keeps it to measure against libtorch.
/// </summary>
public static class Im2colConv1d
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
