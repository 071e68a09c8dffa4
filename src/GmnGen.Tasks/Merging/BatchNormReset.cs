using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Data;
using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Merging;

/// <summary>
/// REPAIR's "reset" (Jordan et al., 2023): an interpolated network's BatchNorm running statistics are
/// those of neither endpoint, so they are thrown away and measured again on training batches.
/// </summary>
/// <remarks>
/// Each BatchNorm layer is given PyTorch's <c>momentum = None</c> (TorchSharp 0.107 lets it be set to
/// null; the generated forward, <see cref="GmnGen.Modules.BatchNormForward"/>, then averages with factor
/// 1/k at batch k), so after K batches its running mean is the mean of the K batch means, which is the
/// exact mean over the data when the batches are of equal size, and its running variance is the mean of the
/// K unbiased batch variances (PyTorch's cumulative average, not the variance pooled over all images: the
/// two differ by the spread of the batch means). Only the BatchNorm layers are in training mode while
/// this runs; the network itself stays in evaluation mode, so dropout is off.
/// </remarks>
public static class BatchNormReset
{
    /// <summary>The BatchNorm layers (1d, 2d, 3d) of <paramref name="model"/>, by module path, in module order.</summary>
    public static IReadOnlyList<(string Name, BatchNorm Norm)> Layers(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.named_modules().Where(m => m.module is BatchNorm).Select(m => (m.name, (BatchNorm)m.module)).ToList();
    }

    /// <summary>
    /// Resets the running statistics of every BatchNorm layer of <paramref name="model"/> that tracks them and
    /// recomputes them from <paramref name="data"/> in batches of <paramref name="batchSize"/> (no gradients).
    /// The model is left in evaluation mode. Returns how many layers were reset: 0 for a network without
    /// BatchNorm, which is left untouched.
    /// </summary>
    /// <param name="model">The network, e.g. an interpolation of two trained ones.</param>
    /// <param name="data">Training images the statistics are measured on.</param>
    /// <param name="shapeInput">Reshapes an image batch to the network's input (null: as is).</param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <exception cref="InvalidOperationException">A BatchNorm layer has no num_batches_tracked counter, which the cumulative average needs.</exception>
    public static int Reset(nn.Module<Tensor, Tensor> model, ImageSet data, Func<Tensor, Tensor>? shapeInput = null, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var layers = Layers(model).Where(l => l.Norm.track_running_stats).ToList();
        if (layers.Count == 0) return 0;
        if (data.Count == 0) throw new ArgumentException("BatchNorm statistics cannot be measured on an empty set.", nameof(data));
        foreach (var (name, norm) in layers)
            if (norm.num_batches_tracked is null || norm.running_mean is null || norm.running_var is null)
                throw new InvalidOperationException($"BatchNorm layer '{name}' lacks running statistics or their batch counter; its statistics cannot be recomputed.");

        var momenta = layers.Select(l => l.Norm.momentum).ToList();
        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        var transform = shapeInput ?? (x => x);
        using var _ = no_grad();
        try
        {
            foreach (var (_, norm) in layers)
            {
                norm.running_mean!.fill_(Scalars.Zero);
                norm.running_var!.fill_(Scalars.One);
                norm.num_batches_tracked!.fill_(Scalars.Of(0L));
                norm.momentum = null;
            }
            // Evaluation mode for the network (its forward reads its own flag for dropout), training
            // mode for the BatchNorm layers alone: they normalise with batch statistics and accumulate them.
            model.eval();
            foreach (var (_, norm) in layers) norm.train();
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int size = Math.Min(batchSize, data.Count - start);
                model.forward(transform(data.Images.narrow(0, start, size).to(device)));
            }
        }
        finally
        {
            for (int i = 0; i < layers.Count; i++) layers[i].Norm.momentum = momenta[i];
            model.eval();
        }
        return layers.Count;
    }
}
