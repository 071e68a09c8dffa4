using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Modules;

/// <summary>
/// The forward pass generated networks use for their BatchNorm layers: TorchSharp's
/// <c>BatchNorm.forward</c> step for step (same function, same running statistics and counter),
/// except that the counter's increment is an owned <see cref="Scalar"/>.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's own forward counts batches with <c>num_batches_tracked.add_(1)</c>, two
/// implicit Scalars per layer per training step that are left to the finalizer, which can free one
/// while libtorch reads it (docs/results.md, "Native objects and the finalizer").
/// </remarks>
public static class BatchNormForward
{
    /// <summary>Normalises <paramref name="input"/> with <paramref name="norm"/>'s parameters and
    /// statistics, updating them in training mode exactly as <c>norm.forward(input)</c> would.</summary>
    public static Tensor Apply(BatchNorm norm, Tensor input)
    {
        double averageFactor = norm.momentum ?? 0.0;
        if (norm.training && norm.track_running_stats && norm.num_batches_tracked is { } batches)
        {
            batches.add_(Scalars.Of(1L), Scalars.Of(1L));
            if (norm.momentum is null) averageFactor = 1.0 / batches.item<long>();
        }
        bool useBatchStatistics = norm.training || (norm.running_mean is null && norm.running_var is null);
        bool useRunning = !norm.training || norm.track_running_stats;
        return nn.functional.batch_norm(input, useRunning ? norm.running_mean : null, useRunning ? norm.running_var : null,
            norm.weight, norm.bias, useBatchStatistics, averageFactor, norm.eps);
    }
}
