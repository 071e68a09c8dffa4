using System.Collections.Generic;
using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

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

    /// <summary>Ties two sets of equal size into one (the two sides of a residual sum).</summary>
    public void Merge(int a, int b)
    {
        int ra = Find(a), rb = Find(b);
        if (ra == rb) return;
        if (rb < ra) (ra, rb) = (rb, ra); // the earlier set names the merged one
        var root = sets[ra];
        var other = sets[rb];
        other.Parent = ra;
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

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
