using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Symmetries;

/// <summary>
/// One place a permutation acts: axis <paramref name="Axis"/> of state tensor <paramref name="Tensor"/>,
/// in blocks of <paramref name="Block"/> consecutive entries (a Linear after a flattened C×H×W map
/// sees each channel as a block of H·W columns), on the entries from <paramref name="Offset"/> on
/// (a group of channels inside a GroupNorm group moves only that group's slice).
/// </summary>
public sealed record TensorAxis(string Tensor, int Axis, int Block = 1, int Offset = 0);

/// <summary>
/// A run of graph nodes a group permutes: element i of the group is nodes
/// <c>Start + i·Block .. Start + i·Block + Block - 1</c> (Block &gt; 1 when whole GroupNorm groups
/// move as one).
/// </summary>
public sealed record NodeRun(int Start, int Block = 1);

/// <summary>
/// A symmetric group S_n of the parameters: permuting all its <see cref="Actions"/> together with the
/// same permutation leaves the network's function unchanged. In the parameter graph the group
/// permutes every run of <see cref="Nodes"/> with that permutation (several runs when a residual
/// ties the channels on both sides of it, or when norm-group nodes move with their channels).
/// </summary>
public sealed record PermutationGroup(string Name, int Size, IReadOnlyList<NodeRun> Nodes, IReadOnlyList<TensorAxis> Actions)
{
    /// <summary>First node of the first run.</summary>
    public int NodeStart => Nodes[0].Start;

    /// <summary>Every graph node the group moves.</summary>
    public IEnumerable<int> NodeIndices => Nodes.SelectMany(r => Enumerable.Range(r.Start, Size * r.Block));

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
        foreach (var (action, tensor) in ActionTargets.Resolve(state, Actions, a => a.Tensor, only, $"Group '{Name}'"))
        {
            var index = permutation.to(tensor.device);
            if (action.Block > 1)
                index = index.unsqueeze(1).mul(Scalars.Of((long)action.Block)).add(Scalars.Arange(0, action.Block, tensor.device), Scalars.Of(1L)).reshape(-1);
            if (action.Offset > 0 || index.shape[0] != tensor.shape[action.Axis])
            {
                // Only a slice moves: the rest of the axis maps to itself.
                var whole = Scalars.Arange(0, tensor.shape[action.Axis], tensor.device);
                whole[TensorIndex.Slice(action.Offset, action.Offset + index.shape[0])] = index.add(Scalars.Of((long)action.Offset), Scalars.Of(1L));
                index = whole;
            }
            tensor.copy_(tensor.index_select(action.Axis, index));
        }
    }

    /// <summary>
    /// Follows the group's permutation through the graph: <paramref name="origin"/>[v] names the node
    /// of the original network that node v of the current one stands for; after this call it does
    /// so for the network permuted by <paramref name="permutation"/>.
    /// </summary>
    public void MapNodes(int[] origin, IReadOnlyList<long> permutation)
    {
        var before = (int[])origin.Clone();
        foreach (var run in Nodes)
            for (int i = 0; i < Size; i++)
                for (int j = 0; j < run.Block; j++)
                    origin[run.Start + i * run.Block + j] = before[run.Start + (int)permutation[i] * run.Block + j];
    }
}
