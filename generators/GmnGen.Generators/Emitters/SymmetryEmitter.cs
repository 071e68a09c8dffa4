using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Emitters;

/// <summary>Emits the permutation symmetry groups and the methods that apply them to a live instance.</summary>
internal static class SymmetryEmitter
{
    private const string Symmetries = "global::GmnGen.Symmetries";

    public static string Emit(NetworkSpec spec) =>
        TypeScaffold.Write(spec, "", w =>
        {
            w.Line($"/// <summary>The {spec.Groups.Count} permutation symmetry groups of {spec.ClassName}'s parameters (hidden neurons and channels) and its {spec.Scalings.Count} scaling and sign symmetries.</summary>");
            w.Line($"public static {Symmetries}.SymmetrySpec Symmetries {{ get; }} = new(\"{spec.ClassName}\", new {Symmetries}.PermutationGroup[]");
            w.Line("{");
            foreach (var g in spec.Groups)
            {
                var runs = string.Join(", ", g.Nodes.Select(r => r.Block > 1 ? $"new({r.Start}, {r.Block})" : $"new({r.Start})"));
                w.Line($"    new(\"{g.Name}\", {g.Size}, new {Symmetries}.NodeRun[] {{ {runs} }}, new {Symmetries}.TensorAxis[]");
                w.Line("    {");
                foreach (var a in g.Actions)
                    w.Line($"        new(\"{a.Tensor}\", {a.Axis}{(a.Block > 1 || a.Offset > 0 ? ", " + a.Block : "")}{(a.Offset > 0 ? ", " + a.Offset : "")}),");
                w.Line("    }),");
            }
            w.Line($"}}, new {Symmetries}.ScalingGroup[]");
            w.Line("{");
            foreach (var s in spec.Scalings)
            {
                w.Line($"    new(\"{s.Name}\", {Symmetries}.ScalingKind.{s.Kind}, {s.Size}, Exact: {(s.Exact ? "true" : "false")}, new {Symmetries}.ScaledAxis[]");
                w.Line("    {");
                foreach (var a in s.Actions)
                    w.Line($"        new(\"{a.Tensor}\", {a.Axis}, {a.Power}{(a.Block > 1 ? ", " + a.Block : "")}),");
                w.Line("    }),");
            }
            w.Line("});");
            w.Line();
            w.Line($"{Symmetries}.SymmetrySpec global::GmnGen.IGraphNetwork.Symmetries => Symmetries;");
            w.Line();
            w.Line("/// <summary>Permutes this instance's parameters and buffers in place, one permutation per group; the function is unchanged.</summary>");
            w.Line("public void ApplyPermutations(global::System.Collections.Generic.IReadOnlyList<global::TorchSharp.torch.Tensor> permutations) => Symmetries.Apply(this, permutations);");
            w.Line();
            w.Line("/// <summary>Applies a uniformly random automorphism in place and returns the permutations used.</summary>");
            w.Line("public global::System.Collections.Generic.IReadOnlyList<global::TorchSharp.torch.Tensor> ApplyRandomAutomorphism(global::TorchSharp.torch.Generator? generator = null) => Symmetries.ApplyRandom(this, generator);");
            w.Line();
            w.Line("/// <summary>Applies random scaling and sign symmetries in place (positive factors log-uniform up to <paramref name=\"maxFactor\"/> either way) and returns the factors used; the function is unchanged (up to BatchNorm's eps for the non-exact ones).</summary>");
            w.Line("public global::System.Collections.Generic.IReadOnlyList<global::TorchSharp.torch.Tensor> ApplyRandomScaling(double maxFactor = 2.0, global::TorchSharp.torch.Generator? generator = null) => Symmetries.ApplyRandomScaling(this, maxFactor, generator);");
        });
}
