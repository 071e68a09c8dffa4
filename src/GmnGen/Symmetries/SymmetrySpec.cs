using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Symmetries;

/// <summary>
/// Every permutation symmetry group the generator found in an architecture, applied in order. Most
/// act on disjoint axes and commute; a GroupNorm's within-group permutations and the permutation of
/// its groups as blocks move the same axis, so the order is part of the meaning.
/// </summary>
public sealed class SymmetrySpec(string architecture, IReadOnlyList<PermutationGroup> groups)
{
    public string Architecture { get; } = architecture;
    public IReadOnlyList<PermutationGroup> Groups { get; } = groups;

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

    /// <summary>The module's parameters and buffers by state_dict name.</summary>
    public static IReadOnlyDictionary<string, Tensor> StateByName(nn.Module module)
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, p) in module.named_parameters()) state[name] = p;
        foreach (var (name, b) in module.named_buffers()) state[name] = b;
        return state;
    }
}
