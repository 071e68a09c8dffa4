using System;
using GmnGen.Data;
using GmnGen.Tasks.Zoo;
using GmnGen.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Merging;

/// <summary>Trains the two endpoint networks of a merge: one zoo architecture, one training subset, two seeds.</summary>
public static class EndpointTrainer
{
    /// <summary><paramref name="count"/> images of <paramref name="data"/> drawn without replacement by a generator seeded
    /// with <paramref name="seed"/> (all of them, reordered, when <paramref name="count"/> is the set's size). The caller disposes it.</summary>
    public static ImageSet Subset(ImageSet data, int count, long seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (count < 1 || count > data.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"A subset of 1 to {data.Count} images.");
        using var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        var indices = randperm(data.Count, generator: generator).narrow(0, 0, count);
        return new ImageSet(data.Images.index_select(0, indices), data.Labels.index_select(0, indices));
    }

    /// <summary>
    /// A new instance of <paramref name="architecture"/> trained on <paramref name="train"/> with <paramref name="options"/>;
    /// <paramref name="seed"/> seeds torch's global generator before the network is built (initial weights, dropout masks)
    /// and the shuffling, as a zoo run does. Left in evaluation mode; the caller disposes it.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Train(ZooArchitecture architecture, ImageSet train, long seed, TrainingOptions options,
        IProgress<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(options);
        random.manual_seed(seed).Dispose();   // returns a new handle to the global generator
        var model = architecture.Create();
        try
        {
            ClassifierTrainer.Train(model, train, options with { Seed = seed, InputTransform = architecture.ShapeInput }, progress);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
