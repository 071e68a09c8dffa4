using GmnGen.Generators.Model;

namespace GmnGen.Generators.Emitters;

/// <summary>Emits the stub of an invalid network (see <see cref="StubSpec"/>): members that throw
/// and name the diagnostics, so the build lists those diagnostics and no compiler error.</summary>
internal static class StubEmitter
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";

    public static string Emit(StubSpec stub)
    {
        string message = $"\"{stub.ClassName} has errors ({stub.Diagnostics}) in its [Network] declaration; it is generated once they are fixed.\"";
        string fail = $"throw new global::System.InvalidOperationException({message})";
        return TypeScaffold.Write(stub.Namespace, stub.ContainingTypes, stub.ClassName + stub.TypeParameters, stub.TypeKeyword,
            $"GmnGen found errors ({stub.Diagnostics}) in the [Network] declaration of {stub.ClassName}: these members only throw until they are fixed.",
            stub.AsModule ? $" : global::TorchSharp.torch.nn.Module<{Tensor}, {Tensor}>" : "", w =>
            {
                if (stub.AsModule)
                {
                    w.Line($"public {Identifier.Escape(stub.ClassName)}() : base(\"{stub.ClassName}\") => {fail};");
                }
                if (stub.WithForward) w.Line($"public override {Tensor} forward({Tensor} input) => {fail};");
                foreach (var p in stub.Properties)
                    w.Line($"{p.Declaration} partial {p.TypeName} {Identifier.Escape(p.Name)} {{{(p.Getter ? $" get => {fail};" : "")}{(p.Setter is null ? "" : $" {p.Setter} => {fail};")} }}");
            }, markGenerated: true);
    }
}
