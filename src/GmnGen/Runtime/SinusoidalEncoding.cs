using System;
using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Runtime;

/// <summary>
/// The fixed sinusoidal positional encoding of the Transformer (Vaswani et al. 2017), as the
/// official GMN ViT and DeepSets makers add it: for channel pair (2i, 2i+1) and token t,
/// sin and cos of t / 10000^(2i / width). Used by the generated forward of [SinusoidalPositions].
/// </summary>
public static class SinusoidalEncoding
{
    // One CPU table per shape for the life of the process (like the Scalar constants): built once, never freed.
    private static readonly ConcurrentDictionary<(int Width, int Tokens), Tensor> Tables = new();

    /// <summary>[width, tokens] on <paramref name="like"/>'s device and dtype (a copy the caller's scope owns,
    /// unless they already match, then the shared table itself).</summary>
    public static Tensor Of(int width, int tokens, Tensor like)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        var table = Tables.GetOrAdd((width, tokens), key => Build(key.Width, key.Tokens));
        return table.device == like.device && table.dtype == like.dtype ? table : table.to(like.dtype, like.device);
    }

    /// <summary>The table computed in double precision on the CPU, stored as float32.</summary>
    public static float[,] Values(int width, int tokens)
    {
        var values = new float[width, tokens];
        for (int d = 0; d < width; d++)
        {
            double frequency = Math.Pow(10000.0, -(d / 2 * 2) / (double)width);
            for (int t = 0; t < tokens; t++)
                values[d, t] = (float)(d % 2 == 0 ? Math.Sin(t * frequency) : Math.Cos(t * frequency));
        }
        return values;
    }

    private static Tensor Build(int width, int tokens)
    {
        using var scope = NewDisposeScope();
        return tensor(Values(width, tokens)).DetachFromDisposeScope();
    }
}
