using System.Globalization;
using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Emitters;

/// <summary>Emits the static parameter-graph layout and the one-concatenation graph builder.</summary>
internal static class GraphEmitter
{
    private const string Graphs = "global::GmnGen.Graphs";

    public static string Emit(NetworkSpec spec)
    {
        long edgeCount = spec.Edges.Sum(e => e.Diagonal ? e.DstCount : (long)e.SrcCount * e.DstCount * e.Kernel.Aggregate(1L, (a, k) => a * k));
        long valueCount = spec.State.Sum(s => s.Shape.Aggregate(1L, (a, d) => a * d));
        return TypeScaffold.Write(spec, " : global::GmnGen.IGraphNetwork", w =>
        {
            w.Line($"/// <summary>Parameter graph of {spec.ClassName}: {N(spec.NodeCount)} nodes, {N(edgeCount)} edges, {N(valueCount)} values.</summary>");
            w.Line($"public static {Graphs}.ParameterGraphLayout GraphLayout {{ get; }} = new(");
            w.Line($"    \"{spec.ClassName}\",");
            w.Line($"    nodeCount: {spec.NodeCount},");
            w.Line($"    nodes: new {Graphs}.NodeBlock[]");
            w.Line("    {");
            w.Line("        //  start, count, layer, type, ordered, activation");
            foreach (var n in spec.Nodes)
                w.Line($"        new({n.Start}, {n.Count}, {n.Layer}, {Graphs}.NodeType.{n.Type}, {(n.Ordered ? "true" : "false")}, {Graphs}.ActivationKind.{n.Activation}), // {n.Comment}");
            w.Line("    },");
            w.Line($"    edges: new {Graphs}.EdgeBlock[]");
            w.Line("    {");
            w.Line("        //  layer, type, srcStart, srcCount, dstStart, dstCount, kernel, valueOffset");
            foreach (var e in spec.Edges)
                w.Line($"        new({e.Layer}, {Graphs}.EdgeType.{e.Type}, {e.SrcStart}, {e.SrcCount}, {e.DstStart}, {e.DstCount}, [{string.Join(", ", e.Kernel)}], {e.ValueOffset}{(e.Diagonal ? ", Diagonal: true" : "")}), // {e.Comment}");
            w.Line("    },");
            w.Line($"    state: new {Graphs}.StateTensor[]");
            w.Line("    {");
            foreach (var s in spec.State)
                w.Line($"        new(\"{s.Name}\", [{string.Join(", ", s.Shape)}], {s.Offset}),");
            w.Line("    },");
            // Read on first use, when every static initialiser of the class has run; the compiler's flow
            // analysis cannot see that Symmetries (initialised in another generated file) is set by then.
            w.Line("    symmetries: static () => Symmetries!);");
            w.Line();
            w.Line("/// <summary>The parameter graph of this instance's current weights and buffers (detached, one concatenation).</summary>");
            w.Open($"public {Graphs}.ParameterGraph ToParameterGraph()");
            w.Line($"return {Graphs}.ParameterGraph.Gather(GraphLayout, new global::TorchSharp.torch.Tensor[]");
            w.Line("{");
            foreach (var s in spec.State) w.Line($"    {s.Accessor}!,");
            w.Line("});");
            w.Close();
            w.Line();
            w.Line($"{Graphs}.ParameterGraphLayout global::GmnGen.IGraphNetwork.GraphLayout => GraphLayout;");
            w.Line("global::System.Collections.Generic.IReadOnlyList<int> global::GmnGen.IGraphNetwork.InputShape => InputShape;");
            w.Line("global::System.Collections.Generic.IReadOnlyList<int> global::GmnGen.IGraphNetwork.OutputShape => OutputShape;");
        });
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
