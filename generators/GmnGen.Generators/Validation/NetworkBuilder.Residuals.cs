using System.Collections.Generic;
using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

// Skip connections. [Residual(nameof(P))] adds the tensor that entered property P to the main path;
// [Shortcut(nameof(P))] makes its own property a projection: that layer (and its operations) reads
// the input of P, and its result is added to the main path once the property's operations are done.
// In the graph both add constant-1 residual edges from the skip's nodes to the main path's nodes,
// one per channel, and tie the two channel sets into one symmetry group.
internal sealed partial class NetworkBuilder
{
    /// <summary>What entered a property that a skip starts at: its variable, shape and graph nodes.</summary>
    private sealed record SkipState(string Variable, int[] Shape, NodeRange Nodes, (int Channels, int[] Spatial)? Flattened, bool InputIsNodes);

    private readonly Dictionary<string, SkipState> skips = new();
    /// <summary>The main path, set aside while a projection shortcut runs.</summary>
    private (SkipState Main, OpModel Op, string From)? shortcut;

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

    private bool AddResidual(MemberModel member, OpModel op, IEnumerable<string> earlier)
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

    private bool BeginShortcut(MemberModel member, OpModel op, IEnumerable<string> earlier)
    {
        if (!FindSkip(member, op, earlier, out var skip)) return false;
        if (shortcut is not null)
        {
            Report(Diagnostics.ResidualSourceNotFound, op.LocationOf("From"), "Shortcut", member.Name, op.Text("From")!,
                "but the property already is a shortcut; give each projection its own property");
            return false;
        }
        var main = new SkipState(member.Name + "__main", shape.ToArray(), graph.Current, flattened, inputIsNodes);
        shortcut = (main, op, op.Text("From")!);
        steps.Add(new StepSpec($"var {main.Variable} = x;", Dims(shape)));
        (shape, flattened, inputIsNodes) = (skip.Shape.ToArray(), skip.Flattened, skip.InputIsNodes);
        graph.Current = skip.Nodes;
        steps.Add(new StepSpec($"x = {skip.Variable};", ""));
        return true;
    }

    /// <summary>After a projection shortcut's operations: adds its result to the main path.</summary>
    private bool EndShortcut(MemberModel member)
    {
        if (shortcut is not { } s) return true;
        shortcut = null;
        if (!SameShape(s.Main.Shape, shape) || flattened is not null || s.Main.Flattened is not null || s.Main.Nodes.Count != graph.Current.Count)
        {
            Report(Diagnostics.ResidualShapeMismatch, s.Op.Location, "Shortcut", member.Name, Dims(shape), s.From, Dims(s.Main.Shape),
                " (choose the projection's output size and stride so that it gives the main path's shape)");
            return false;
        }
        var projected = graph.Current;
        if (!Apart(projected, s.Main.Nodes, member, s.Op)) return false;
        (flattened, inputIsNodes) = (s.Main.Flattened, s.Main.InputIsNodes);
        graph.Current = s.Main.Nodes;
        AddResidualEdges(projected, $"{member.Name} shortcut");
        steps.Add(new StepSpec($"x = {s.Main.Variable}.add(x, {ScalarOne});", Dims(shape)));
        return true;
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
