using System;
using GmnGen.Generators.Emitters;
using GmnGen.Generators.Model;
using GmnGen.Generators.Parsing;
using GmnGen.Generators.Validation;
using Microsoft.CodeAnalysis;

namespace GmnGen.Generators;

/// <summary>
/// The pipeline: [Network] class → <see cref="NetworkModel"/> (parse) → <see cref="BuildResult"/>
/// (validate and lay out) → three files per valid network (module, graph, symmetries) on one branch,
/// a stub per invalid one on another, diagnostics on a third. Models hold no symbols, syntax or Compilation, so the cache works.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    public const string NetworkAttributeName = "GmnGen.NetworkAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(NetworkAttributeName,
                // Classes and record classes: [Network] is not valid on structs or interfaces (CS0592).
                predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax
                    || node is Microsoft.CodeAnalysis.CSharp.Syntax.RecordDeclarationSyntax record
                       && !record.ClassOrStructKeyword.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.StructKeyword),
                transform: static (ctx, token) => SafeParse(ctx, token))
            .WithTrackingName(TrackingNames.Parse)
            .Select(static (parsed, _) => SafeBuild(parsed))
            .WithTrackingName(TrackingNames.Build);

        var specs = results
            .Select(static (result, _) => result.Spec)
            .WithTrackingName(TrackingNames.Spec);
        context.RegisterSourceOutput(specs, static (spc, spec) =>
        {
            if (spec is null) return;
            string module, graph, symmetries;
            try
            {
                module = ModuleEmitter.Emit(spec);
                graph = GraphEmitter.Emit(spec);
                symmetries = SymmetryEmitter.Emit(spec);
            }
            catch (Exception e)
            {
                // Specs hold no locations (so they cache across edits): report on the class by name.
                spc.ReportDiagnostic(Internal(spec.ClassName, null, e).ToDiagnostic());
                return;
            }
            spc.AddSource(spec.HintPrefix + ".Module.g.cs", module);
            spc.AddSource(spec.HintPrefix + ".Graph.g.cs", graph);
            spc.AddSource(spec.HintPrefix + ".Symmetries.g.cs", symmetries);
        });

        // An invalid network gets a stub, so the build shows its GMN diagnostics and no compiler errors.
        var stubs = results
            .Select(static (result, _) => result.Stub)
            .WithTrackingName(TrackingNames.Stub);
        context.RegisterSourceOutput(stubs, static (spc, stub) =>
        {
            if (stub is null) return;
            string text;
            try
            {
                text = StubEmitter.Emit(stub);
            }
            catch (Exception e)
            {
                spc.ReportDiagnostic(Internal(stub.ClassName, null, e).ToDiagnostic());
                return;
            }
            spc.AddSource(stub.HintPrefix + ".Module.g.cs", text);
        });

        var diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var d in list) spc.ReportDiagnostic(d.ToDiagnostic());
        });
    }

    /// <summary>The parse result, or the failure to parse as a diagnostic: the generator never throws.</summary>
    private static ParsedNetwork SafeParse(GeneratorAttributeSyntaxContext context, System.Threading.CancellationToken token)
    {
        try
        {
            var model = NetworkParser.Parse(context, token);
            return model is null ? ParsedNetwork.Skipped : new ParsedNetwork(model, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ParsedNetwork(null, Internal(context.TargetSymbol.Name, LocationInfo.From(context.TargetNode), e));
        }
    }

    private static BuildResult SafeBuild(ParsedNetwork parsed)
    {
        if (parsed.Model is null)
            return new BuildResult(null, parsed.Failure is null ? EquatableArray<DiagnosticInfo>.Empty : new[] { parsed.Failure }.ToEquatableArray());
        try
        {
            return NetworkBuilder.Build(parsed.Model);
        }
        catch (Exception e)
        {
            return new BuildResult(null, new[] { Internal(parsed.Model.ClassName, parsed.Model.ClassLocation, e) }.ToEquatableArray());
        }
    }

    private static DiagnosticInfo Internal(string name, LocationInfo? location, Exception e) =>
        new(Diagnostics.InternalError.Id, location, new[] { name, e.GetType().Name + ": " + e.Message }.ToEquatableArray());

    private sealed record ParsedNetwork(NetworkModel? Model, DiagnosticInfo? Failure)
    {
        public static readonly ParsedNetwork Skipped = new(null, null);
    }
}
