using System;
using GmnGen.Data;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Zoo;

/// <summary>
/// The fixed probe inputs of the probe methods ("GMN+probes", "Probes"): Fashion-MNIST training images,
/// the same ones for every network and every run. Training images, because a zoo network's target is its
/// accuracy on the test images: probing with those would hand the predictors part of the answer.
/// </summary>
public static class ZooProbes
{
    /// <summary>Probe inputs by default: enough for a spread per channel, few enough to read a 1,000-run zoo in seconds.</summary>
    public const int DefaultCount = 64;

    /// <summary>Seed of the draw: fixed, so the probes are part of the method, not of a run.</summary>
    public const ulong Seed = 0x9E0BE5;

    /// <summary>float32 <c>[count, 1, 28, 28]</c>: <paramref name="count"/> training images drawn without replacement
    /// (normalised as the zoo trained on them); the caller disposes it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 2 or above the training set's size.</exception>
    public static Tensor Images(FashionMnist data, int count = DefaultCount)
    {
        if (count < 2 || count > data.Train.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Probe inputs: between 2 and {data.Train.Count} training images.");
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(Seed);
        var picked = randperm(data.Train.Count, generator: generator).narrow(0, 0, count);
        return data.Train.Images.index_select(0, picked).contiguous().MoveToOuterDisposeScope();
    }
}
