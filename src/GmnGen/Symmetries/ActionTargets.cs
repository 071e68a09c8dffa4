using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace GmnGen.Symmetries;

/// <summary>What permutation and scaling groups share when they act: each chosen action with the state tensor it names.</summary>
internal static class ActionTargets
{
    /// <summary>The actions that <paramref name="only"/> keeps (all when null), each with its tensor;
    /// throws naming <paramref name="owner"/> when the network lacks one.</summary>
    public static IEnumerable<(TAction Action, Tensor Tensor)> Resolve<TAction>(IReadOnlyDictionary<string, Tensor> state,
        IEnumerable<TAction> actions, Func<TAction, string> tensorName, Func<TAction, bool>? only, string owner)
    {
        foreach (var action in actions.Where(a => only is null || only(a)))
        {
            string name = tensorName(action);
            if (!state.TryGetValue(name, out var tensor))
                throw new ArgumentException($"{owner} acts on '{name}', which the network does not have.");
            yield return (action, tensor);
        }
    }
}
