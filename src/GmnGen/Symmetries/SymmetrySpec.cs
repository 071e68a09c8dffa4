using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Symmetries;

/// <summary>
/// Every symmetry the generator found in an architecture. <see cref="Groups"/>: the permutation
/// groups, applied in order (most act on disjoint axes and commute; a GroupNorm's within-group
/// permutations and the permutation of its groups as blocks move the same axis, so the order is part
/// of the meaning). <see cref="Scalings"/>: the scaling and sign symmetries of hidden units, found
/// only where they hold (a positively homogeneous or odd activation, or a BatchNorm, between the
/// layer that makes a unit and the layers that read it; none across GELU, SiLU or Sigmoid, residual
/// sums or attention).
/// </summary>
public sealed class SymmetrySpec(string architecture, IReadOnlyList<PermutationGroup> groups, IReadOnlyList<ScalingGroup>? scalings = null)
{
    /// <summary>Name of the declaring class.</summary>
    public string Architecture { get; } = architecture;

    /// <summary>The permutation groups.</summary>
    public IReadOnlyList<PermutationGroup> Groups { get; } = groups;

    /// <summary>The scaling and sign symmetries (they commute with each other and with the permutations'
    /// meaning: a permutation moves a unit together with its factor).</summary>
    public IReadOnlyList<ScalingGroup> Scalings { get; } = scalings ?? [];

    /// <summary>Log10 of the number of automorphisms, Π n!: sizes get large quickly.</summary>
    public double Log10Order => Groups.Sum(g => Enumerable.Range(2, Math.Max(0, g.Size - 1)).Sum(k => Math.Log10(k)));

    /// <summary>One uniformly random permutation per group.</summary>
    public IReadOnlyList<Tensor> RandomPermutations(Generator? generator = null) =>
        Groups.Select(g => randperm(g.Size, generator: generator, dtype: int64)).ToArray();

    /// <summary>Applies one permutation per group to the module's parameters and buffers, in place.</summary>
    public void Apply(nn.Module module, IReadOnlyList<Tensor> permutations)
    {
        if (permutations.Count != Groups.Count)
            throw new ArgumentException($"{Architecture} has {Groups.Count} symmetry groups; got {permutations.Count} permutations.", nameof(permutations));
        var state = StateByName(module);
        for (int g = 0; g < Groups.Count; g++) Groups[g].Apply(state, permutations[g]);
    }

    /// <summary>Applies a random automorphism and returns the permutations used.</summary>
    public IReadOnlyList<Tensor> ApplyRandom(nn.Module module, Generator? generator = null)
    {
        var permutations = RandomPermutations(generator);
        Apply(module, permutations);
        return permutations;
    }

    /// <summary>One factor tensor per scaling group (<see cref="ScalingGroup.RandomFactors"/>).</summary>
    public IReadOnlyList<Tensor> RandomScalingFactors(double maxFactor = 2, Generator? generator = null) =>
        Scalings.Select(s => s.RandomFactors(maxFactor, generator)).ToArray();

    /// <summary>Applies one factor tensor per scaling group to the module's parameters and buffers, in place.</summary>
    public void ApplyScaling(nn.Module module, IReadOnlyList<Tensor> factors) => ApplyScaling(StateByName(module), factors);

    /// <summary>Applies one factor tensor per scaling group to tensors by state_dict name, in place.</summary>
    public void ApplyScaling(IReadOnlyDictionary<string, Tensor> state, IReadOnlyList<Tensor> factors)
    {
        if (factors.Count != Scalings.Count)
            throw new ArgumentException($"{Architecture} has {Scalings.Count} scaling symmetries; got {factors.Count} factor tensors.", nameof(factors));
        for (int s = 0; s < Scalings.Count; s++) Scalings[s].Apply(state, factors[s]);
    }

    /// <summary>Applies random scalings (factors up to <paramref name="maxFactor"/> either way, random
    /// signs) in place and returns the factors used. Disposing them is the caller's choice.</summary>
    public IReadOnlyList<Tensor> ApplyRandomScaling(nn.Module module, double maxFactor = 2, Generator? generator = null)
    {
        var factors = RandomScalingFactors(maxFactor, generator);
        ApplyScaling(module, factors);
        return factors;
    }

    /// <summary>The module's parameters and buffers by state_dict name.</summary>
    public static IReadOnlyDictionary<string, Tensor> StateByName(nn.Module module)
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, p) in module.named_parameters()) state[name] = p;
        foreach (var (name, b) in module.named_buffers()) state[name] = b;
        return state;
    }
}
