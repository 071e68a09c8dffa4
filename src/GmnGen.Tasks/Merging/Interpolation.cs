using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Merging;

/// <summary>Linear interpolation between two networks of one architecture, written into a third instance.</summary>
public static class Interpolation
{
    /// <summary>
    /// Sets every floating-point state tensor (parameters and buffers, running statistics included) of
    /// <paramref name="into"/> to θ(λ) = (1−λ)·A + λ·B, and copies integer buffers (num_batches_tracked) from A.
    /// λ = 0 gives A and λ = 1 gives B bit for bit (the other term is multiplied by an exact 0).
    /// </summary>
    /// <param name="a">Network A (λ = 0), unchanged.</param>
    /// <param name="b">Network B (λ = 1), unchanged.</param>
    /// <param name="lambda">The interpolation weight; values outside [0, 1] extrapolate.</param>
    /// <param name="into">Receives θ(λ); it may be <paramref name="a"/> or <paramref name="b"/> itself.</param>
    /// <exception cref="ArgumentException">The three do not have the same state names, shapes and dtypes; the message names the tensor.</exception>
    public static void Interpolate(nn.Module a, nn.Module b, double lambda, nn.Module into)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(into);
        if (!double.IsFinite(lambda)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be finite.");
        var first = a.state_dict();
        var second = b.state_dict();
        var target = into.state_dict();
        RequireSameState(first, second, "A", "B");
        RequireSameState(first, target, "A", "the target");

        using var _ = no_grad();
        using var weightA = (1.0 - lambda).ToScalar();
        using var weightB = lambda.ToScalar();
        foreach (var (name, tensor) in target)
        {
            using var scope = NewDisposeScope();
            var fromA = first[name];
            // Counters are not interpolated: a fractional batch count means nothing.
            if (!fromA.is_floating_point()) tensor.copy_(fromA);
            else tensor.copy_(fromA.mul(weightA).add_(second[name], weightB));   // computed in full before the copy, so in-place targets work
        }
    }

    /// <summary>Copies every state tensor (parameters and buffers) of <paramref name="from"/> into <paramref name="into"/>.</summary>
    /// <exception cref="ArgumentException">The two do not have the same state names, shapes and dtypes.</exception>
    public static void CopyState(nn.Module from, nn.Module into)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(into);
        var source = from.state_dict();
        var target = into.state_dict();
        RequireSameState(source, target, "the source", "the target");
        using var _ = no_grad();
        foreach (var (name, tensor) in target) tensor.copy_(source[name]);
    }

    private static void RequireSameState(Dictionary<string, Tensor> x, Dictionary<string, Tensor> y, string xName, string yName)
    {
        foreach (var (name, tensor) in x)
        {
            if (!y.TryGetValue(name, out var other))
                throw new ArgumentException($"Interpolation needs networks of one architecture: '{name}' is in {xName} but not in {yName} (which has {string.Join(", ", y.Keys)}).");
            if (!tensor.shape.SequenceEqual(other.shape) || tensor.dtype != other.dtype)
                throw new ArgumentException($"Interpolation needs networks of one architecture: '{name}' is {tensor.dtype} [{string.Join(", ", tensor.shape)}] in {xName} " +
                                            $"but {other.dtype} [{string.Join(", ", other.shape)}] in {yName}.");
        }
        var extra = y.Keys.FirstOrDefault(k => !x.ContainsKey(k));
        if (extra is not null)
            throw new ArgumentException($"Interpolation needs networks of one architecture: '{extra}' is in {yName} but not in {xName}.");
    }
}
