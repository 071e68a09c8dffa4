using System;
using System.Linq;
using GmnGen.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Merging;

/// <summary>A classifier's mean cross-entropy and accuracy on a set of images.</summary>
/// <param name="Loss">Mean cross-entropy over the images (natural log).</param>
/// <param name="Accuracy">Fraction classified correctly (argmax of the logits), in [0, 1].</param>
public sealed record ClassifierScore(double Loss, double Accuracy)
{
    /// <summary>Scores <paramref name="model"/> in evaluation mode (dropout off, BatchNorm on its running statistics), without gradients.</summary>
    /// <param name="model">Maps a (reshaped) image batch to <c>[b, classes]</c> logits.</param>
    /// <param name="data">The images and labels.</param>
    /// <param name="shapeInput">Reshapes an image batch to the network's input (null: as is).</param>
    /// <param name="batchSize">Images per forward pass.</param>
    public static ClassifierScore Of(nn.Module<Tensor, Tensor> model, ImageSet data, Func<Tensor, Tensor>? shapeInput = null, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (data.Count == 0) throw new ArgumentException("Cannot score a classifier on an empty set.", nameof(data));
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        var transform = shapeInput ?? (x => x);
        model.eval();
        using var _ = no_grad();
        double loss = 0;
        long correct = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            int size = Math.Min(batchSize, data.Count - start);
            var labels = data.Labels.narrow(0, start, size).to(device);
            var logits = model.forward(transform(data.Images.narrow(0, start, size).to(device)));
            // Summed in float64: the mean over 10,000 images should not depend on the batch size.
            loss += nn.functional.cross_entropy(logits.to_type(ScalarType.Float64), labels, reduction: nn.Reduction.Sum).item<double>();
            correct += logits.argmax(1).eq(labels).sum().item<long>();
        }
        return new ClassifierScore(loss / data.Count, (double)correct / data.Count);
    }
}
