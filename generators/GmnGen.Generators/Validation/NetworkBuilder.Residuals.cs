using System.Collections.Generic;
using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

// Skip connections. [Residual(nameof(P))] adds the tensor that entered property P to the main path;
// [Shortcut(nameof(P))] starts a projection branch: its layers read the input of P, and their result
// is added to the main path at [AddShortcut] (the branch may span several properties, and the
// operations after [AddShortcut] act on the sum) or, without one, once the property's operations are
// done. In the graph both add constant-1 residual edges from the skip's nodes to the main path's
// nodes, one per channel, and tie the two channel sets into one symmetry group.
internal sealed partial class NetworkBuilder
{
    /// <summary>What entered a property that a skip starts at: its variable, shape and graph nodes.</summary>
    private sealed record SkipState(string Variable, int[] Shape, NodeRange Nodes, (int Channels, int[] Spatial)? Flattened, bool InputIsNodes);

    private readonly Dictionary<string, SkipState> skips = new();
    /// <summary>An open projection branch: the main path set aside, where the branch started, and
    /// whether an [AddShortcut] ends it (else the end of its property does).</summary>
    private sealed record OpenShortcut(SkipState Main, OpModel Op, string From, string Member, NodeRange Start, bool ExplicitEnd);

    private OpenShortcut? shortcut;
    /// <summary>The [Shortcut]s whose branch an [AddShortcut] ends (see <see cref="PlanBranches"/>).</summary>
    private HashSet<OpModel> explicitShortcutEnds = new();

    /// <summary>Keeps the input of <paramref name="member"/> when a later (or its own) skip starts there.</summary>
    private void SaveSkip(MemberModel member, List<(MemberModel Member, OpModel Layer)> layers)
    {
        bool used = layers.Any(l => l.Member.Ops.Any(o => o.Kind is OpKind.Residual or OpKind.Shortcut && o.Text("From") == member.Name));
        if (!used) return;
        // Not "__"-prefixed like the fields, so no field name can clash with these locals.
        var state = new SkipState(member.Name + "__in", shape.ToArray(), graph.Current, flattened, inputIsNodes);
        skips[member.Name] = state;
        steps.Add(new StepSpec($"var {state.Variable} = x;", Dims(shape)));
    }

    private bool AddIdentityResidual(MemberModel member, OpModel op, IEnumerable<string> earlier)
    {
        if (!FindSkip(member, op, earlier, out var skip)) return false;
        if (!SameShape(skip.Shape, shape) || flattened is not null || skip.Flattened is not null || skip.Nodes.Count != graph.Current.Count)
        {
            Report(Diagnostics.ResidualShapeMismatch, op.Location, "Residual", member.Name, Dims(skip.Shape), op.Text("From")!, Dims(shape),
                $" (project it: put [Shortcut(nameof({op.Text("From")}))] on a Linear or 1x1 convolution of the right size, declared after '{member.Name}')");
            return false;
        }
        if (!Apart(skip.Nodes, graph.Current, member, op)) return false;
        AddResidualEdges(skip.Nodes, $"residual from {op.Text("From")}");
        steps.Add(new StepSpec($"x = x.add({skip.Variable}, {ScalarOne});", ""));
        return true;
    }

    private bool AddResidual(MemberModel member, OpModel op, IEnumerable<string> earlier) => NotInBranch(member, op) && AddIdentityResidual(member, op, earlier);

    private bool BeginShortcut(MemberModel member, OpModel op, IEnumerable<string> earlier)
    {
        bool explicitEnd = explicitShortcutEnds.Contains(op);
        if (!NotInBranch(member, op) || !FindSkip(member, op, earlier, out var skip)) return false;
        var main = new SkipState(member.Name + "__main", shape.ToArray(), graph.Current, flattened, inputIsNodes);
        shortcut = new OpenShortcut(main, op, op.Text("From")!, member.Name, skip.Nodes, explicitEnd);
        steps.Add(new StepSpec($"var {main.Variable} = x;", Dims(shape)));
        (shape, flattened, inputIsNodes) = (skip.Shape.ToArray(), skip.Flattened, skip.InputIsNodes);
        graph.Current = skip.Nodes;
        steps.Add(new StepSpec($"x = {skip.Variable};", ""));
        return true;
    }

    /// <summary>A skip cannot start while a branch is open: the tensor it would read or add to is the branch's.</summary>
    private bool NotInBranch(MemberModel member, OpModel op)
    {
        if (shortcut is not { } open) return true;
        Report(Diagnostics.MalformedShortcut, op.Location, op.Kind.ToString(), member.Name,
            $"is inside the shortcut branch from '{open.From}' begun on '{open.Member}'; end that branch with [AddShortcut] before this skip");
        return false;
    }

    /// <summary>[AddShortcut]: adds the open branch's result to the main path.</summary>
    private bool AddShortcut(MemberModel member, OpModel op)
    {
        if (shortcut is null)
        {
            Report(Diagnostics.MalformedShortcut, op.Location, "AddShortcut", member.Name,
                "ends no shortcut branch; begin one with [Shortcut(nameof(...))] on the branch's first layer property, here or before");
            return false;
        }
        return EndShortcut(member);
    }

    /// <summary>At the end of a property: the branch of a [Shortcut] that no [AddShortcut] ends is this property alone.</summary>
    private bool EndPropertyShortcut(MemberModel member) => shortcut is not { ExplicitEnd: false } || EndShortcut(member);

    /// <summary>Adds the branch's result to the main path, which it makes current again.</summary>
    private bool EndShortcut(MemberModel member)
    {
        var s = shortcut!;
        shortcut = null;
        var projected = graph.Current;
        if (projected.Start == s.Start.Start)
        {
            Report(Diagnostics.MalformedShortcut, s.Op.Location, "Shortcut", s.Member,
                $"has no layer with neurons or channels in its branch (ended on '{member.Name}'); project with a Linear or 1x1 convolution, or use [Residual(nameof({s.From}))] for an identity skip");
            return false;
        }
        if (!SameShape(s.Main.Shape, shape) || flattened is not null || s.Main.Flattened is not null || s.Main.Nodes.Count != projected.Count)
        {
            Report(Diagnostics.ResidualShapeMismatch, s.Op.Location, "Shortcut", s.Member, Dims(shape), s.From, Dims(s.Main.Shape),
                " (choose the projection's output size and stride so that it gives the main path's shape)");
            return false;
        }
        if (!Apart(projected, s.Main.Nodes, member, s.Op)) return false;
        (flattened, inputIsNodes) = (s.Main.Flattened, s.Main.InputIsNodes);
        graph.Current = s.Main.Nodes;
        AddResidualEdges(projected, $"{s.Member} shortcut");
        steps.Add(new StepSpec($"x = {s.Main.Variable}.add(x, {ScalarOne});", Dims(shape)));
        return true;
    }

    /// <summary>
    /// For each layer property, whether its layer runs inside a projection branch (the network's
    /// outputs come from the main path), and which [Shortcut]s an [AddShortcut] ends. A [Shortcut]
    /// opens a branch, which an [AddShortcut] closes, or the end of its property when no [AddShortcut]
    /// follows before the next [Shortcut].
    /// </summary>
    private static (bool[] InBranch, HashSet<OpModel> EndedExplicitly) PlanBranches(List<(MemberModel Member, OpModel Layer)> layers)
    {
        var inBranch = new bool[layers.Count];
        var ended = new HashSet<OpModel>();
        bool open = false, explicitEnd = false;
        for (int i = 0; i < layers.Count; i++)
        {
            var ops = layers[i].Member.Ops;
            for (int k = 0; k < ops.Count; k++)
            {
                if (ops[k].Kind == OpKind.Shortcut)
                {
                    (open, explicitEnd) = (true, EndsExplicitly(layers, i, k));
                    if (explicitEnd) ended.Add(ops[k]);
                }
                else if (ops[k].Kind == OpKind.AddShortcut) open = false;
                else if (ReferenceEquals(ops[k], layers[i].Layer)) inBranch[i] = open;
            }
            if (open && !explicitEnd) open = false;
        }
        return (inBranch, ended);
    }

    /// <summary>Whether an [AddShortcut] follows the [Shortcut] at op <paramref name="op"/> of layer
    /// property <paramref name="layer"/> before any other [Shortcut].</summary>
    private static bool EndsExplicitly(List<(MemberModel Member, OpModel Layer)> layers, int layer, int op)
    {
        foreach (var kind in layers.Skip(layer).SelectMany((l, i) => l.Member.Ops.Skip(i == 0 ? op + 1 : 0)).Select(o => o.Kind))
        {
            if (kind == OpKind.AddShortcut) return true;
            if (kind == OpKind.Shortcut) return false;
        }
        return false;
    }

    private bool FindSkip(MemberModel member, OpModel op, IEnumerable<string> earlier, out SkipState skip)
    {
        string from = op.Text("From") ?? "";
        if (earlier.Contains(from) && skips.TryGetValue(from, out skip!)) return true;
        Report(Diagnostics.ResidualSourceNotFound, op.LocationOf("From"), op.Kind.ToString(), member.Name, from,
            $"which is not a layer property declared before '{member.Name}' (or '{member.Name}' itself)");
        skip = null!;
        return false;
    }

    /// <summary>A sum of a tensor with itself (no layer with nodes in between) would need edges from
    /// nodes to themselves; the graph must stay a DAG.</summary>
    private bool Apart(NodeRange skip, NodeRange main, MemberModel member, OpModel op)
    {
        if (skip.Start != main.Start) return true;
        Report(Diagnostics.ResidualSourceNotFound, op.LocationOf("From"), op.Kind.ToString(), member.Name, op.Text("From")!,
            "but no layer with neurons or channels runs between its start and the sum (it would add a tensor to itself)");
        return false;
    }

    /// <summary>One constant-1 edge per channel from the skip's nodes to the main path's, which become one symmetry set.</summary>
    private void AddResidualEdges(NodeRange from, string comment)
    {
        var to = graph.Current;
        graph.AddEdges(graph.Layer, "Residual", from, to, new int[0], -1, comment, diagonal: true);
        if (from.Set >= 0 && to.Set >= 0) graph.Symmetries.Merge(from.Set, to.Set);
        else graph.Symmetries.Fix(to.Set >= 0 ? to.Set : from.Set);
    }

    private static bool SameShape(int[] a, int[] b) => a.SequenceEqual(b);
}
