using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Storage;

/// <summary>
/// Loads a state dict (e.g. a PyTorch checkpoint read with <see cref="SafeTensors.Load"/>) into a
/// module, strictly: every parameter and buffer of the module must be there, nothing else may be,
/// and shapes and dtypes must agree; the error names the key, the expected and the actual. PyTorch's
/// module paths (<c>0.weight</c>, <c>features.3.bias</c> of an <c>nn.Sequential</c>) map onto the
/// generated layer names through a prefix map (<see cref="SequentialPrefixes"/> builds one).
/// </summary>
public static class StateDicts
{
    /// <summary>Copies <paramref name="source"/> into <paramref name="module"/>'s parameters and buffers, in place.</summary>
    /// <param name="module">The module to load into (e.g. a generated network).</param>
    /// <param name="source">State dict by key, in the source's naming.</param>
    /// <param name="prefixes">Source module path → the module's own (e.g. <c>"features.3" → "Conv2"</c>); keys
    /// whose path is not in it keep their name. Null: the names are the module's.</param>
    /// <param name="origin">Where the state dict came from (a file), for the error messages.</param>
    /// <exception cref="InvalidOperationException">A key is missing or unexpected, or a tensor has the wrong shape or dtype; nothing is copied then.</exception>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, IReadOnlyDictionary<string, string>? prefixes = null, string origin = "state dict")
    {
        var renamed = new Dictionary<string, (string Original, Tensor Tensor)>();
        foreach (var (key, tensor) in source)
        {
            string name = Rename(key, prefixes);
            if (!renamed.TryAdd(name, (key, tensor)))
                throw new InvalidOperationException($"{origin}: '{key}' and '{renamed[name].Original}' both map to '{name}'.");
        }
        var target = module.state_dict();
        var problems = new List<string>();
        foreach (var (name, tensor) in target)
        {
            if (!renamed.TryGetValue(name, out var given)) problems.Add($"missing '{name}' ({Describe(tensor)})");
            else if (!given.Tensor.shape.SequenceEqual(tensor.shape) || given.Tensor.dtype != tensor.dtype)
                problems.Add($"{Named(name, given.Original)} is {Describe(given.Tensor)}, expected {Describe(tensor)}");
        }
        problems.AddRange(renamed.Where(kv => !target.ContainsKey(kv.Key))
            .Select(kv => $"unexpected {Named(kv.Key, kv.Value.Original)} ({Describe(kv.Value.Tensor)})"));
        if (problems.Count > 0)
            throw new InvalidOperationException(
                $"{origin} does not fit {module.GetName()}: {string.Join("; ", problems)}. Its keys: {string.Join(", ", target.Keys)}" +
                (prefixes is null && renamed.Keys.Any(k => char.IsDigit(k[0])) ? " (PyTorch nn.Sequential names: map them with StateDicts.SequentialPrefixes)." : "."));
        using var _ = no_grad();
        foreach (var (name, tensor) in target) tensor.copy_(renamed[name].Tensor);
    }

    /// <summary>
    /// Pairs the source's module paths that hold tensors, in natural order (<c>features.2</c> before
    /// <c>features.10</c>; an <c>nn.Sequential</c>'s order), with <paramref name="module"/>'s own, in
    /// its order: the prefix map for <see cref="Load"/> when both run the same layers in the same
    /// order. Name the paths yourself where natural order is not the module order (named containers).
    /// </summary>
    /// <exception cref="InvalidOperationException">The two have a different number of layers with state.</exception>
    public static IReadOnlyDictionary<string, string> SequentialPrefixes(IReadOnlyDictionary<string, Tensor> source, nn.Module module, string origin = "state dict")
    {
        var theirs = source.Keys.Select(PathOf).Distinct().OrderBy(p => p, NaturalOrder.Instance).ToList();
        var ours = module.state_dict().Keys.Select(PathOf).Distinct().ToList();
        if (theirs.Count != ours.Count)
            throw new InvalidOperationException(
                $"{origin} has {theirs.Count} modules with state ({string.Join(", ", theirs)}), {module.GetName()} has {ours.Count} ({string.Join(", ", ours)}); map the names yourself.");
        return theirs.Zip(ours).ToDictionary(p => p.First, p => p.Second);
    }

    private static string PathOf(string key) => key.LastIndexOf('.') is int dot and >= 0 ? key[..dot] : "";

    private static string Rename(string key, IReadOnlyDictionary<string, string>? prefixes)
    {
        if (prefixes is null) return key;
        string path = PathOf(key);
        return prefixes.TryGetValue(path, out var mapped) ? (mapped.Length == 0 ? key[(path.Length + 1)..] : mapped + key[path.Length..]) : key;
    }

    private static string Named(string name, string original) => name == original ? $"'{name}'" : $"'{original}' (as '{name}')";

    private static string Describe(Tensor t) => $"{t.dtype} [{string.Join(", ", t.shape)}]";

    /// <summary>Dotted paths compared part by part, numbers as numbers.</summary>
    private sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();
        private static readonly Regex Parts = new(@"\d+|\D+");

        public int Compare(string? x, string? y)
        {
            var a = Parts.Matches(x ?? "").Select(m => m.Value).ToList();
            var b = Parts.Matches(y ?? "").Select(m => m.Value).ToList();
            for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
            {
                int c = long.TryParse(a[i], out long p) && long.TryParse(b[i], out long q) ? p.CompareTo(q) : string.CompareOrdinal(a[i], b[i]);
                if (c != 0) return c;
            }
            return a.Count.CompareTo(b.Count);
        }
    }
}
