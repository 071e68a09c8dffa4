using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Symmetries.Matching;

/// <summary>How an alignment went: the summed inner product of the compared weights before and after,
/// the sweeps over the groups it took, and whether the last sweep changed nothing.</summary>
/// <param name="ObjectiveBefore">Σ ⟨A, B⟩ over the compared tensors before aligning.</param>
/// <param name="ObjectiveAfter">The same after: never below <paramref name="ObjectiveBefore"/>.</param>
/// <param name="Sweeps">Passes over every group.</param>
/// <param name="Converged">The last sweep changed nothing (otherwise the sweep limit ended it).</param>
public sealed record MatchingResult(double ObjectiveBefore, double ObjectiveAfter, int Sweeps, bool Converged);

/// <summary>
/// Weight matching (Ainsworth et al., "Git Re-Basin", ICLR 2023) for any declared network: permutes
/// network B, group by group of its generated <see cref="SymmetrySpec"/>, so that the summed inner
/// products of its weights with network A's are as large as coordinate descent gets them. Each group's
/// update is a linear assignment with the other groups held fixed; every update is one of the
/// network's symmetries, so B's function never changes. A group that moves whole blocks which other
/// groups permute inside (attention heads with their query/key and value groups, GroupNorm groups with
/// their channels) is matched as blocks: the gain of putting B's block j in A's block i is the best
/// inner-block matching of the two, so heads are paired by what they compute, not by an arbitrary
/// order of their dimensions.
/// </summary>
public static class WeightMatching
{
    /// <summary>Aligns <paramref name="other"/> to <paramref name="reference"/> in place: the same architecture, both
    /// compared over their parameters (buffers such as running statistics move with their units but are not compared).</summary>
    /// <param name="reference">Network A, unchanged.</param>
    /// <param name="other">Network B, permuted in place; it computes the same function afterwards.</param>
    /// <param name="maxSweeps">Most passes over the groups.</param>
    /// <param name="seed">Seeds the order in which each sweep visits the groups.</param>
    /// <exception cref="ArgumentException">The networks are of different architectures.</exception>
    public static MatchingResult Align(IGraphNetwork reference, IGraphNetwork other, int maxSweeps = 100, long seed = 0)
    {
        var spec = reference.Symmetries;
        if (!ReferenceEquals(spec, other.Symmetries) && spec.Architecture != other.Symmetries.Architecture)
            throw new ArgumentException($"Weight matching needs two networks of one architecture; got {spec.Architecture} and {other.Symmetries.Architecture}.", nameof(other));
        var compared = ((nn.Module)reference).named_parameters().Select(p => p.name).ToHashSet();
        return Align(spec, SymmetrySpec.StateByName((nn.Module)reference), SymmetrySpec.StateByName((nn.Module)other), compared, maxSweeps, seed);
    }

    /// <summary>
    /// The graph of network B (<paramref name="other"/>) after aligning it to network A
    /// (<paramref name="reference"/>), computed from the two graphs alone: the same architecture, compared
    /// over every value the graphs carry (a graph does not tell parameters from running statistics, so
    /// those count too). A new graph; both inputs are unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">The graphs are of different architectures, or the layout has no symmetries.</exception>
    public static ParameterGraph AlignGraph(ParameterGraph reference, ParameterGraph other, int maxSweeps = 100, long seed = 0)
    {
        var layout = reference.Topology.Layout;
        if (!ReferenceEquals(layout, other.Topology.Layout))
            throw new ArgumentException($"Weight matching needs two graphs of one architecture; got {layout.Architecture} and {other.Topology.Layout.Architecture}.", nameof(other));
        var spec = layout.Symmetries ?? throw new ArgumentException($"{layout.Architecture}: this layout was made without symmetries (generated layouts carry them).", nameof(reference));
        using var scope = NewDisposeScope();
        var names = layout.State.Select(t => t.Name).ToArray();
        var a = names.Zip(reference.StateTensors()).ToDictionary(p => p.First, p => p.Second);
        var b = names.Zip(other.StateTensors()).ToDictionary(p => p.First, p => p.Second);
        Align(spec, a, b, compared: null, maxSweeps, seed);
        var aligned = ParameterGraph.Gather(layout, names.Select(n => b[n]).ToArray());
        aligned.EdgeValues.MoveToOuterDisposeScope();
        return aligned;
    }

    /// <summary>Aligns the state <paramref name="other"/> to <paramref name="reference"/> in place (tensors by state_dict name).</summary>
    /// <param name="spec">The architecture's symmetries.</param>
    /// <param name="reference">Network A's tensors, unchanged.</param>
    /// <param name="other">Network B's tensors, permuted in place.</param>
    /// <param name="compared">Names of the tensors whose inner products count (default: every floating-point tensor).</param>
    /// <param name="maxSweeps">Most passes over the groups.</param>
    /// <param name="seed">Seeds the order in which each sweep visits the groups.</param>
    /// <param name="matchBlocks">Match groups of blocks with the groups inside them jointly (the default); false
    /// updates every group on its own, as plain coordinate descent does, for comparison.</param>
    public static MatchingResult Align(SymmetrySpec spec, IReadOnlyDictionary<string, Tensor> reference, IReadOnlyDictionary<string, Tensor> other,
        IReadOnlySet<string>? compared = null, int maxSweeps = 100, long seed = 0, bool matchBlocks = true)
    {
        if (maxSweeps < 1) throw new ArgumentOutOfRangeException(nameof(maxSweeps), "At least one sweep.");
        compared ??= reference.Where(kv => kv.Value.is_floating_point()).Select(kv => kv.Key).ToHashSet();
        foreach (var name in compared)
        {
            if (!reference.TryGetValue(name, out var a) || !other.TryGetValue(name, out var b))
                throw new ArgumentException($"Weight matching of {spec.Architecture}: '{name}' is missing from one of the two networks.");
            if (!a.shape.SequenceEqual(b.shape))
                throw new ArgumentException($"Weight matching of {spec.Architecture}: '{name}' has shape [{string.Join(", ", a.shape)}] in A and [{string.Join(", ", b.shape)}] in B.");
        }
        using var _ = no_grad();
        var matcher = new Matcher(spec, reference, other, compared, matchBlocks);
        double before = matcher.Objective();
        var random = new Random(unchecked((int)seed));
        int sweeps = 0;
        bool changed = true;
        while (changed && sweeps < maxSweeps)
        {
            changed = false;
            sweeps++;
            foreach (int g in Enumerable.Range(0, spec.Groups.Count).OrderBy(_ => random.Next()))
                changed |= matcher.Update(g);
        }
        return new MatchingResult(before, matcher.Objective(), sweeps, !changed);
    }

    /// <summary>A group nested in one block of another: its actions, each with the block size of the enclosing action.</summary>
    private sealed record Nested(int Group, int Slot, int[] BlockOfAction);

    private sealed class Matcher(SymmetrySpec spec, IReadOnlyDictionary<string, Tensor> a, IReadOnlyDictionary<string, Tensor> b, IReadOnlySet<string> compared,
        bool matchBlocks)
    {
        private readonly Dictionary<int, List<Nested>> nestedIn = matchBlocks ? FindNesting(spec) : [];

        public double Objective()
        {
            using var scope = NewDisposeScope();
            return compared.Sum(name => a[name].to(float64).mul(b[name].to(float64)).sum().item<double>());
        }

        /// <summary>One coordinate step on group <paramref name="g"/>; true when it moved B.</summary>
        public bool Update(int g) => nestedIn.TryGetValue(g, out var nested) ? UpdateBlocks(g, nested) : UpdatePlain(g);

        private bool UpdatePlain(int g)
        {
            var group = spec.Groups[g];
            return Assign(group, Gains(group, _ => 0));
        }

        /// <summary>Blocks of group <paramref name="g"/> paired by their best inner matching, then each nested group matched inside.</summary>
        private bool UpdateBlocks(int g, List<Nested> nested)
        {
            var group = spec.Groups[g];
            int n = group.Size;
            var gains = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double gain = UncoveredGain(group, nested, i, j);
                    foreach (var inner in nested.Where(s => s.Slot == i))
                    {
                        var innerGains = Gains(spec.Groups[inner.Group], action => (j - i) * inner.BlockOfAction[action]);
                        var best = LinearAssignment.Maximise(innerGains);
                        gain += Enumerable.Range(0, best.Length).Sum(k => innerGains[k, best[k]]);
                    }
                    gains[i, j] = gain;
                }
            bool changed = Assign(group, gains);
            foreach (var inner in nested) changed |= UpdatePlain(inner.Group);
            return changed;
        }

        /// <summary>Applies the best assignment when it beats keeping B as it is (ties keep it, so descent ends).</summary>
        private bool Assign(PermutationGroup group, double[,] gains)
        {
            var best = LinearAssignment.Maximise(gains);
            double current = 0, proposed = 0, scale = 0;
            for (int i = 0; i < best.Length; i++)
            {
                current += gains[i, i];
                proposed += gains[i, best[i]];
                scale += Math.Abs(gains[i, i]);
            }
            if (!(proposed > current + 1e-12 * Math.Max(scale, 1e-30))) return false;
            using var permutation = tensor(best.Select(k => (long)k).ToArray(), int64);
            group.Apply(b, permutation);
            return true;
        }

        /// <summary>gains[i, j] = Σ over the group's compared actions of ⟨A's unit i, B's unit j⟩, B read
        /// <paramref name="shift"/>(action) entries further along the axis (a block moved to another slot).</summary>
        private double[,] Gains(PermutationGroup group, Func<int, int> shift)
        {
            using var scope = NewDisposeScope();
            var total = zeros(group.Size, group.Size, dtype: float64);
            for (int k = 0; k < group.Actions.Count; k++)
            {
                var action = group.Actions[k];
                if (!compared.Contains(action.Tensor)) continue;
                var rowsA = Units(a[action.Tensor], action.Axis, action.Offset, group.Size, action.Block);
                var rowsB = Units(b[action.Tensor], action.Axis, action.Offset + shift(k), group.Size, action.Block);
                total.add_(rowsA.mm(rowsB.t()), Scalars.One);
            }
            return ToArray(total);
        }

        /// <summary>What the block pairing (i, j) gains on the entries of the block group's actions that no nested group moves.</summary>
        private double UncoveredGain(PermutationGroup group, List<Nested> nested, int i, int j)
        {
            double gain = 0;
            using var scope = NewDisposeScope();
            foreach (var action in group.Actions.Where(x => compared.Contains(x.Tensor)))
            {
                var covered = new bool[action.Block];
                int blockStart = action.Offset + i * action.Block;
                foreach (var inner in nested.Where(s => s.Slot == i))
                {
                    var innerGroup = spec.Groups[inner.Group];
                    foreach (var x in innerGroup.Actions.Where(x => x.Tensor == action.Tensor && x.Axis == action.Axis))
                        for (int e = x.Offset; e < x.Offset + innerGroup.Size * x.Block; e++)
                            if (e >= blockStart && e < blockStart + action.Block) covered[e - blockStart] = true;
                }
                for (int r = 0; r < action.Block; r++)
                {
                    if (covered[r]) continue;
                    var rowA = Units(a[action.Tensor], action.Axis, blockStart + r, 1, 1);
                    var rowB = Units(b[action.Tensor], action.Axis, action.Offset + j * action.Block + r, 1, 1);
                    gain += rowA.mul(rowB).sum().item<double>();
                }
            }
            return gain;
        }

        /// <summary>[count, rest] float64: units offset .. offset + count·block − 1 of the axis, each unit's block of entries and the other axes flattened (A and B alike).</summary>
        private static Tensor Units(Tensor t, int axis, int offset, int count, int block) =>
            t.narrow(axis, offset, (long)count * block).transpose(0, axis).reshape(count, -1).to(float64);

        private static double[,] ToArray(Tensor square)
        {
            int n = (int)square.shape[0];
            var values = square.contiguous().data<double>().ToArray();
            var result = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) result[i, j] = values[i * n + j];
            return result;
        }
    }

    /// <summary>
    /// For every group whose actions move blocks, the groups that act entirely inside one of its blocks:
    /// each of their actions lies within one block of an action of the enclosing group on the same
    /// tensor and axis, and all of them in the same block (slot).
    /// </summary>
    private static Dictionary<int, List<Nested>> FindNesting(SymmetrySpec spec)
    {
        var result = new Dictionary<int, List<Nested>>();
        var groups = spec.Groups;
        for (int h = 0; h < groups.Count; h++)
        {
            var outer = groups[h];
            if (outer.Actions.All(x => x.Block == 1)) continue;
            for (int s = 0; s < groups.Count; s++)
            {
                if (s == h) continue;
                var inner = groups[s];
                int slot = -1;
                var blockOfAction = new int[inner.Actions.Count];
                bool inside = inner.Actions.Count > 0;
                for (int k = 0; k < inner.Actions.Count && inside; k++)
                {
                    var x = inner.Actions[k];
                    var container = outer.Actions.FirstOrDefault(y => y.Block > 1 && y.Tensor == x.Tensor && y.Axis == x.Axis
                        && x.Offset >= y.Offset && x.Offset < y.Offset + outer.Size * y.Block);
                    if (container is null) { inside = false; break; }
                    int i = (x.Offset - container.Offset) / container.Block;
                    int end = container.Offset + (i + 1) * container.Block;
                    if (x.Offset + inner.Size * x.Block > end || (slot >= 0 && slot != i)) { inside = false; break; }
                    slot = i;
                    blockOfAction[k] = container.Block;
                }
                if (!inside) continue;
                if (!result.TryGetValue(h, out var list)) result[h] = list = [];
                list.Add(new Nested(s, slot, blockOfAction));
            }
        }
        return result;
    }
}
