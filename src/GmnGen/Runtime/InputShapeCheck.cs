using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace GmnGen.Runtime;

/// <summary>The check every generated <c>forward</c> starts with: a batch whose sample shape is not the
/// declared <c>InputShape</c> fails with a message naming the network and both shapes, instead of a
/// libtorch error from deep inside a layer ("mat1 and mat2 shapes cannot be multiplied").</summary>
public static class InputShapeCheck
{
    /// <summary>Throws unless <paramref name="input"/> is <c>[batch, ..inputShape]</c>.</summary>
    /// <exception cref="ArgumentException">The input has another rank or sample shape.</exception>
    public static void Require(torch.Tensor input, IReadOnlyList<int> inputShape, string network)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.shape;
        bool matches = shape.Length == inputShape.Count + 1;
        for (int i = 0; matches && i < inputShape.Count; i++) matches = shape[i + 1] == inputShape[i];
        if (matches) return;
        string expected = "[batch, " + string.Join(", ", inputShape) + "]";
        string hint = shape.Length == inputShape.Count && shape.SequenceEqual(inputShape.Select(d => (long)d))
            ? " (one sample without its batch axis: unsqueeze(0) makes a batch of one)"
            : "";
        throw new ArgumentException(
            $"{network} expects input of shape {expected}, but got [{string.Join(", ", shape)}]{hint}.", nameof(input));
    }
}
