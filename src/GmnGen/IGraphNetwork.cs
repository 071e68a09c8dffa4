using System.Collections.Generic;
using GmnGen.Graphs;
using GmnGen.Symmetries;
using TorchSharp;

namespace GmnGen;

/// <summary>
/// Implemented by every class the generator completes: a network that can describe itself as a
/// parameter graph and knows its permutation symmetries. The generated class also has
/// <c>GraphLayout</c>, <c>Symmetries</c>, <c>InputShape</c> and <c>OutputShape</c> as static members.
/// </summary>
public interface IGraphNetwork
{
    /// <summary>The architecture's static graph layout (the same object for every instance).</summary>
    ParameterGraphLayout GraphLayout { get; }
    /// <summary>The architecture's permutation, scaling and sign symmetries (the same object for every instance).</summary>
    SymmetrySpec Symmetries { get; }
    /// <summary>The shape of one sample, without the batch axis (the declaration's <c>InputShape</c>).</summary>
    IReadOnlyList<int> InputShape { get; }
    /// <summary>The shape of one sample's output, without the batch axis, as the generator inferred it.</summary>
    IReadOnlyList<int> OutputShape { get; }
    /// <summary>The generated forward pass, handing each layer's input to <paramref name="observe"/> (the
    /// layer's state_dict name, the input tensor) before the layer runs; <c>forward(input)</c> is this
    /// with no observer. The observer runs inside the pass's dispose scope: the tensor, and whatever the
    /// observer makes, die with the pass unless moved out (<c>MoveToOuterDisposeScope</c>).</summary>
    torch.Tensor ForwardObserved(torch.Tensor input, System.Action<string, torch.Tensor>? observe);
    /// <summary>The parameter graph of this instance's current weights, with one concatenation.</summary>
    ParameterGraph ToParameterGraph();
    /// <summary>Permutes the weights in place, one int64 permutation per group of <see cref="Symmetries"/>
    /// (in its order); the network computes the same function afterwards.</summary>
    void ApplyPermutations(IReadOnlyList<torch.Tensor> permutations);
    /// <summary>Applies a uniformly random permutation to every group, in place; returns the permutations used.</summary>
    IReadOnlyList<torch.Tensor> ApplyRandomAutomorphism(torch.Generator? generator = null);
    /// <summary>Applies random scalings in place (factors up to <paramref name="maxFactor"/> either way, random
    /// signs where a sign symmetry holds) to every scaling group; returns the factors used.</summary>
    IReadOnlyList<torch.Tensor> ApplyRandomScaling(double maxFactor = 2.0, torch.Generator? generator = null);
}
