using GmnGen.Graphs;
using GmnGen.Symmetries;

namespace GmnGen;

/// <summary>
/// Implemented by every class the generator completes: a network that can describe itself as a
/// parameter graph and knows its permutation symmetries.
/// </summary>
public interface IGraphNetwork
{
    /// <summary>The architecture's static graph layout (the same object for every instance).</summary>
    ParameterGraphLayout GraphLayout { get; }
    /// <summary>The architecture's permutation symmetries (the same object for every instance).</summary>
    SymmetrySpec Symmetries { get; }
    /// <summary>The parameter graph of this instance's current weights, with one concatenation.</summary>
    ParameterGraph ToParameterGraph();
}
