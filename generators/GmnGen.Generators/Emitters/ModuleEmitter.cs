using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Emitters;

/// <summary>Emits the TorchSharp module: sub-module fields, constructor, property bodies and forward().</summary>
internal static class ModuleEmitter
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";
    private const string DisposeScope = "global::TorchSharp.torch.NewDisposeScope()";

    public static string Emit(NetworkSpec spec) =>
        TypeScaffold.Write(spec, $" : global::TorchSharp.torch.nn.Module<{Tensor}, {Tensor}>", w =>
        {
            foreach (var m in spec.Modules) w.Line($"private readonly {m.PropertyType} {m.Field};");
            w.Line();
            w.Line("/// <summary>Shape of one input sample, without the batch axis.</summary>");
            w.Line($"public static global::System.Collections.Generic.IReadOnlyList<int> InputShape {{ get; }} = new[] {{ {string.Join(", ", spec.InputShape)} }};");
            w.Line("/// <summary>Shape of one output sample, without the batch axis.</summary>");
            w.Line($"public static global::System.Collections.Generic.IReadOnlyList<int> OutputShape {{ get; }} = new[] {{ {string.Join(", ", spec.OutputShape)} }};");
            w.Line();
            w.Line("/// <summary>Creates the network with freshly initialised parameters (TorchSharp's default initialisation).</summary>");
            w.Line("/// <remarks>state_dict keys: " + string.Join(", ", spec.Modules.SelectMany(m => m.StateTensors)) + ".</remarks>");
            w.Open($"public {Identifier.Escape(spec.ClassName)}() : base(\"{spec.ClassName}\")");
            // A scope without a variable: no local name can shadow a field of the network.
            w.Line("// TorchSharp's initialisers leave temporaries behind; they die with this scope, the network keeps its state.");
            w.Open($"using ({DisposeScope})");
            foreach (var m in spec.Modules)
            {
                w.Line($"{m.Field} = {m.Constructor};");
                w.Line($"register_module(\"{m.StateName}\", {m.Field});");
            }
            w.Line("global::GmnGen.Runtime.ModuleOwnership.OwnState(this);");
            w.Close();
            w.Close();
            foreach (var m in spec.Modules)
            {
                w.Line();
                w.Line($"/// <summary>The {m.Kind} layer registered as \"{m.StateName}\".</summary>");
                w.Line($"{m.Accessibility} partial {m.PropertyType} {Identifier.Escape(m.Property)} {{ get => {m.Field}; }}");
            }
            w.Line();
            w.Line($"/// <summary>Runs the layers in declaration order on a batch of shape [batch, {string.Join(", ", spec.InputShape)}].</summary>");
            w.Line($"public override {Tensor} forward({Tensor} input) => ForwardObserved(input, null);");
            w.Line();
            w.Line("/// <summary><see cref=\"forward\"/>, handing each layer's input to <paramref name=\"observe\"/> (with the layer's");
            w.Line("/// state_dict name) before the layer runs: how probe features read hidden activations. The observer runs");
            w.Line("/// inside this pass's dispose scope: what it keeps, it moves out (MoveToOuterDisposeScope).</summary>");
            w.Open($"public {Tensor} ForwardObserved({Tensor} input, global::System.Action<string, {Tensor}>? observe)");
            w.Line($"global::GmnGen.Runtime.InputShapeCheck.Require(input, InputShape, \"{spec.ClassName}\");");
            w.Line("// Intermediates die with this scope, whatever the caller's (autograd keeps what backward needs); the result leaves it.");
            w.Open($"using ({DisposeScope})");
            w.Line("var x = input;");
            foreach (var step in spec.Steps)
            {
                if (step.Observed is not null) w.Line($"observe?.Invoke(\"{step.Observed}\", x);");
                w.Line($"{step.Statement} // [batch, {step.ShapeAfter}]");
            }
            w.Line("return x.MoveToOuterDisposeScope();");
            w.Close();
            w.Close();
        }, markGenerated: true);
}
