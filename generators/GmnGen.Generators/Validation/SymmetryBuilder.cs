using System.Collections.Generic;
using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

/// <summary>What an operation between a unit's layer and its readers does to it, for the scaling symmetries.</summary>
internal enum ChannelStep { BatchNorm, PositivelyHomogeneous, Odd, OtherActivation, Linear, MaxPool, Other }

/// <summary>
/// Collects the permutation symmetries while the layers are walked. Every run of neurons or
/// channels that carries activations is a <em>channel set</em>; each layer that reads or
/// normalises the set records the tensor axis it permutes. A residual sum merges the sets on both
/// of its sides (one permutation must move both), and a set that touches the network's inputs or
/// outputs is fixed. A GroupNorm partitions its set: then only permutations inside each norm group,
/// and of whole groups as blocks, are symmetries.
/// </summary>
internal sealed class SymmetryBuilder
{
    private sealed class ChannelSet(string name, int size, bool isFixed)
    {
        public string Name { get; } = name;
        public int Size { get; } = size;
        public int Parent { get; set; } = -1;
        public bool Fixed { get; set; } = isFixed;
        public List<NodeRunSpec> Runs { get; } = new();
        public List<AxisSpec> Actions { get; } = new();
        /// <summary>Channels per norm group, one entry per GroupNorm on the set.</summary>
        public List<int> GroupSizes { get; } = new();
        /// <summary>GroupNorm nodes (one per group) that move when whole groups move.</summary>
        public List<NodeRunSpec> GroupNodes { get; } = new();
        /// <summary>True once a residual sum tied it to another set: a scaling would have to move the whole stream.</summary>
        public bool Merged { get; set; }
        /// <summary>The Linear or convolution whose rows (and bias) make the units; null for inputs and other layers.</summary>
        public (string Weight, string? Bias)? Producer { get; set; }
        /// <summary>The operations applied to the units before any layer read them, in order.</summary>
        public List<ChannelStep> Steps { get; } = new();
        /// <summary>The BatchNorm right after the producer, by state name.</summary>
        public string? Norm { get; set; }
        /// <summary>Linear and convolution weights that read the units (input axis, columns per unit).</summary>
        public List<AxisSpec> Readers { get; } = new();
    }

    private readonly List<ChannelSet> sets = new();
    /// <summary>Groups that are not a channel set's (attention heads and the dimensions inside them).</summary>
    private readonly List<GroupSpec> extra = new();

    public void AddGroup(GroupSpec group)
    {
        if (group.Size > 1) extra.Add(group);
    }

    /// <summary>Starts a set for <paramref name="nodes"/>; a fixed one (inputs, outputs) never moves.</summary>
    public int Open(string name, NodeRange nodes, bool isFixed)
    {
        var set = new ChannelSet(name, nodes.Count, isFixed);
        set.Runs.Add(new NodeRunSpec(nodes.Start, 1));
        sets.Add(set);
        return sets.Count - 1;
    }

    public void Act(int set, string tensor, int axis, int block = 1) => sets[Find(set)].Actions.Add(new AxisSpec(tensor, axis, block));

    /// <summary>A GroupNorm splits the set into <paramref name="groups"/> contiguous groups, each with one
    /// node per parameter vector in <paramref name="groupNodes"/>.</summary>
    public void Partition(int set, int groups, IEnumerable<NodeRange> groupNodes)
    {
        var root = sets[Find(set)];
        root.GroupSizes.Add(root.Size / groups);
        root.GroupNodes.AddRange(groupNodes.Select(n => new NodeRunSpec(n.Start, 1)));
    }

    /// <summary>The units of <paramref name="set"/> are the rows of <paramref name="weight"/> (plus <paramref name="bias"/>).</summary>
    public void Produced(int set, string weight, string? bias)
    {
        if (set >= 0) sets[set].Producer = (weight, bias);
    }

    /// <summary><paramref name="weight"/> (a Linear or convolution) reads the units of <paramref name="set"/> on its input axis.</summary>
    public void Consumed(int set, string weight, int block)
    {
        if (set >= 0) sets[Find(set)].Readers.Add(new AxisSpec(weight, 1, block));
    }

    /// <summary>An operation runs on the units of <paramref name="set"/>; <paramref name="layer"/> names it when it is a BatchNorm.</summary>
    public void Passed(int set, ChannelStep step, string layer)
    {
        if (set < 0) return;
        var s = sets[Find(set)];
        // Anything after the first reader (a projection shortcut re-reading a block's input) is not the simple chain.
        if (s.Readers.Count > 0) step = ChannelStep.Other;
        if (step == ChannelStep.BatchNorm)
        {
            if (s.Steps.Count == 0) s.Norm = layer;
            else step = ChannelStep.Other;   // a BatchNorm after the activation: not handled, so no scaling
        }
        s.Steps.Add(step);
    }

    /// <summary>Ties two sets of equal size into one (the two sides of a residual sum).</summary>
    public void Merge(int a, int b)
    {
        int ra = Find(a), rb = Find(b);
        if (ra == rb) return;
        if (rb < ra) (ra, rb) = (rb, ra); // the earlier set names the merged one
        var root = sets[ra];
        var other = sets[rb];
        other.Parent = ra;
        root.Merged = other.Merged = true;
        root.Fixed |= other.Fixed;
        root.Runs.AddRange(other.Runs);
        root.Actions.AddRange(other.Actions);
        root.GroupSizes.AddRange(other.GroupSizes);
        root.GroupNodes.AddRange(other.GroupNodes);
    }

    /// <summary>Pins a set: it touches nodes that never move.</summary>
    public void Fix(int set)
    {
        if (set >= 0) sets[Find(set)].Fixed = true;
    }

    private int Find(int set)
    {
        while (sets[set].Parent >= 0) set = sets[set].Parent;
        return set;
    }

    /// <summary>The groups, in the order their sets were opened.</summary>
    public EquatableArray<GroupSpec> Groups()
    {
        var groups = new List<GroupSpec>();
        foreach (var set in sets.Where(s => s.Parent < 0 && !s.Fixed && s.Size > 1))
        {
            // Several GroupNorms with different group counts: permutations inside blocks of the
            // common divisor keep every partition; moving whole groups would not, so it is left out.
            int within = set.GroupSizes.Aggregate(set.Size, Gcd);
            bool moveGroups = within < set.Size && set.GroupSizes.All(s => s == within);
            if (within == set.Size)
            {
                groups.Add(new GroupSpec(set.Name, set.Size, set.Runs.ToEquatableArray(), set.Actions.ToEquatableArray()));
                continue;
            }
            if (within > 1)
                for (int g = 0; g < set.Size / within; g++)
                {
                    int first = g * within;
                    groups.Add(new GroupSpec($"{set.Name}.group{g}", within,
                        set.Runs.Select(r => new NodeRunSpec(r.Start + first * r.Block, r.Block)).ToEquatableArray(),
                        set.Actions.Select(a => a with { Offset = a.Offset + first * a.Block }).ToEquatableArray()));
                }
            if (moveGroups)
                groups.Add(new GroupSpec($"{set.Name}.groups", set.Size / within,
                    set.Runs.Select(r => new NodeRunSpec(r.Start, r.Block * within)).Concat(set.GroupNodes).ToEquatableArray(),
                    set.Actions.Select(a => a with { Block = a.Block * within }).ToEquatableArray()));
        }
        groups.AddRange(extra);
        return groups.ToEquatableArray();
    }

    /// <summary>
    /// The scaling and sign symmetries: for each set made by one Linear or convolution and read only by
    /// Linears and convolutions, with at most a BatchNorm, one activation and linear operations
    /// (dropout, flatten, average pooling; max pooling for positive factors) in between. A BatchNorm
    /// right after the producer gives a positive scaling of the producer's rows (the norm's running
    /// statistics follow; exact up to its eps). Through ReLU or LeakyReLU (or no activation), the
    /// pre-activation (the norm's affine parameters, else the producer's rows and bias) scales by c and
    /// the readers' columns by 1/c; through Tanh (or no activation), by ±1. Every tensor axis the set's
    /// permutations move must be one of these, or the set gets no scaling at all.
    /// </summary>
    public EquatableArray<ScalingSpec> Scalings()
    {
        var scalings = new List<ScalingSpec>();
        foreach (var set in sets.Where(s => s.Parent < 0 && !s.Fixed && !s.Merged && s.GroupSizes.Count == 0 && s.Producer is not null && s.Readers.Count > 0))
        {
            var (weight, bias) = set.Producer!.Value;
            var steps = set.Steps.Skip(set.Norm is null ? 0 : 1).ToList();
            var activation = steps.Count > 0 && steps[0] is ChannelStep.PositivelyHomogeneous or ChannelStep.Odd or ChannelStep.OtherActivation ? steps[0] : (ChannelStep?)null;
            var after = steps.Skip(activation is null ? 0 : 1).ToList();
            if (after.Any(s => s is not (ChannelStep.Linear or ChannelStep.MaxPool))) continue;

            var rows = new List<ScaledAxisSpec> { new(weight, 0, 1, 1) };
            if (bias is not null) rows.Add(new ScaledAxisSpec(bias, 0, 1, 1));
            var norm = set.Norm is null ? new string[0] : new[] { "weight", "bias", "running_mean", "running_var" }.Select(t => set.Norm + "." + t).ToArray();
            var covered = rows.Select(r => (r.Tensor, r.Axis, r.Block)).Concat(norm.Select(t => (t, 0, 1))).Concat(set.Readers.Select(r => (r.Tensor, r.Axis, r.Block)));
            if (!new HashSet<(string, int, int)>(covered).SetEquals(set.Actions.Select(a => (a.Tensor, a.Axis, a.Block)))) continue;

            var readers = set.Readers.Select(r => new ScaledAxisSpec(r.Tensor, 1, -1, r.Block)).ToList();
            var preActivation = set.Norm is null ? rows : new List<ScaledAxisSpec> { new(norm[0], 0, 1, 1), new(norm[1], 0, 1, 1) };
            if (set.Norm is not null)
                scalings.Add(new ScalingSpec(set.Name + ".norm_input", "Positive", set.Size, false,
                    rows.Concat(new[] { new ScaledAxisSpec(norm[2], 0, 1, 1), new ScaledAxisSpec(norm[3], 0, 2, 1) }).ToEquatableArray()));
            if (activation is null or ChannelStep.PositivelyHomogeneous)
                scalings.Add(new ScalingSpec(set.Name + ".scale", "Positive", set.Size, true, preActivation.Concat(readers).ToEquatableArray()));
            if (activation is null or ChannelStep.Odd && !after.Contains(ChannelStep.MaxPool))
                scalings.Add(new ScalingSpec(set.Name + ".sign", "Sign", set.Size, true, preActivation.Concat(readers).ToEquatableArray()));
        }
        return scalings.ToEquatableArray();
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
