using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Symmetries;

/// <summary>
/// One place a permutation acts: axis <paramref name="Axis"/> of state tensor <paramref name="Tensor"/>,
/// in blocks of <paramref name="Block"/> consecutive entries (a Linear after a flattened C×H×W map
/// sees each channel as a block of H·W columns).
/// </summary>
public sealed record TensorAxis(string Tensor, int Axis, int Block = 1);

/// <summary>
/// A symmetric group S_n of the parameters: permuting all its <see cref="Actions"/> together with the
/// same permutation leaves the network's function unchanged. In the parameter graph the group
/// permutes nodes <c>NodeStart .. NodeStart + Size - 1</c>.
/// </summary>
public sealed record PermutationGroup(string Name, int Size, int NodeStart, IReadOnlyList<TensorAxis> Actions)
{
    /// <summary>Permutes the given state tensors in place (without autograd).</summary>
    /// <param name="state">The network's parameters and buffers by state_dict name.</param>
    /// <param name="permutation">int64 [Size]: new position i takes old entry permutation[i].</param>
    /// <param name="only">Acts only where this returns true: breaking a group on purpose is how tests
    /// show that it was needed.</param>
    public void Apply(IReadOnlyDictionary<string, Tensor> state, Tensor permutation, Func<TensorAxis, bool>? only = null)
    {
        if (permutation.shape.Length != 1 || permutation.shape[0] != Size)
            throw new ArgumentException($"Group '{Name}' has size {Size}; got a permutation of shape [{string.Join(", ", permutation.shape)}].", nameof(permutation));
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        foreach (var action in Actions.Where(a => only is null || only(a)))
        {
            if (!state.TryGetValue(action.Tensor, out var tensor))
                throw new ArgumentException($"Group '{Name}' acts on '{action.Tensor}', which the network does not have.");
            var index = permutation.to(tensor.device);
            if (action.Block > 1)
                index = (index.unsqueeze(1) * action.Block + arange(action.Block, dtype: int64, device: tensor.device)).reshape(-1);
            tensor.copy_(tensor.index_select(action.Axis, index));
        }
    }
}
