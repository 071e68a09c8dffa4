using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using GmnGen.Generators.Model;
using GmnGen.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit.Sdk;

namespace GmnGen.Generators.Tests.IncrementalTests;

/// <summary>
/// The pipeline caches: edits that cannot change a network re-run nothing after parsing, edits to one
/// network re-run only that network, and the cached models hold no Roslyn objects (which would pin
/// old compilations in memory and defeat the cache).
/// </summary>
public sealed class IncrementalTests
{
    private static readonly string[] AllSteps =
        { TrackingNames.Parse, TrackingNames.Build, TrackingNames.Spec, TrackingNames.Diagnostics };

    private const string Networks = """
        using GmnGen;
        using TorchSharp.Modules;

        namespace Sample;

        [Network(InputShape = [4])]
        public sealed partial class First
        {
            [Linear(3), ReLU] public partial Linear Hidden { get; }
            [Linear(2)] public partial Linear Out { get; }
        }

        [Network(InputShape = [1, 8, 8])]
        public sealed partial class Second
        {
            // the second network
            [Conv2d(4, Kernel = 3), ReLU] public partial Conv2d Conv { get; }
            [GlobalAvgPool, Linear(2)] public partial Linear Head { get; }
        }
        """;

    private const string Unrelated = """
        namespace Sample;

        public static class Helpers
        {
            public static int Twice(int x) => 2 * x;
        }
        """;

    [Fact]
    public void Adding_an_unrelated_file_reuses_every_step_and_generates_the_same_files()
    {
        var compilation = GeneratorHarness.CreateCompilation(Networks);
        var first = GeneratorHarness.Run(compilation);
        first.AssertCleanAndCompiles();

        var added = compilation.AddSyntaxTrees(GeneratorHarness.ParseTree(new SourceFile("Unrelated.cs", Unrelated)));
        var second = GeneratorHarness.Run(first.Driver, added);

        AssertSteps(second, AllSteps, Reused);
        AssertSameSources(first, second);
    }

    [Fact]
    public void Editing_an_unrelated_file_reuses_every_step_and_generates_the_same_files()
    {
        var compilation = GeneratorHarness.CreateCompilation(GeneratorHarness.Files(Networks, Unrelated));
        var first = GeneratorHarness.Run(compilation);
        first.AssertCleanAndCompiles();

        var edited = Replace(compilation, "Test1.cs", Unrelated.Replace("2 * x", "x + x // same thing"));
        var second = GeneratorHarness.Run(first.Driver, edited);

        AssertSteps(second, AllSteps, Reused);
        AssertSameSources(first, second);
    }

    [Fact]
    public void Editing_comments_and_whitespace_inside_a_network_reparses_it_but_keeps_its_spec()
    {
        var compilation = GeneratorHarness.CreateCompilation(Networks);
        var first = GeneratorHarness.Run(compilation);
        first.AssertCleanAndCompiles();

        string moved = Networks
            .Replace("public sealed partial class First\n{", "public sealed partial class First\n{\n    // A comment that moves every member below it.\n")
            .Replace("[Linear(3), ReLU]", "[Linear(3),    ReLU]");
        Assert.NotEqual(Networks, moved);
        var second = GeneratorHarness.Run(first.Driver, Replace(compilation, "Test0.cs", moved));

        // Locations moved, so the parsed model must change (diagnostics would point at stale places otherwise)...
        Assert.Contains(second.StepOutputs(TrackingNames.Parse), o => o.Reason == IncrementalStepRunReason.Modified);
        // ...but nothing after validation depends on where the code is.
        AssertSteps(second, new[] { TrackingNames.Spec }, Reused);
        AssertSameSources(first, second);
    }

    [Fact]
    public void Moving_an_invalid_network_moves_its_diagnostic()
    {
        const string invalid = """
            using GmnGen;
            using TorchSharp.Modules;

            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3, In = 5)] public partial Linear Fc { get; }
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(invalid);
        var first = GeneratorHarness.Run(compilation);
        var before = Assert.Single(first.GeneratorDiagnostics);

        var second = GeneratorHarness.Run(first.Driver, Replace(compilation, "Test0.cs", invalid.Replace("public partial class Net", "// moved down\npublic partial class Net")));

        var after = Assert.Single(second.GeneratorDiagnostics);
        Assert.Equal(before.Id, after.Id);
        Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 1, after.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Equal("In = 5", second.Input.SyntaxTrees.Single().GetText().ToString(after.Location.SourceSpan));
    }

    [Fact]
    public void Changing_a_layer_size_in_one_network_re_runs_only_that_networks_spec()
    {
        var compilation = GeneratorHarness.CreateCompilation(Networks);
        var first = GeneratorHarness.Run(compilation);
        first.AssertCleanAndCompiles();

        var second = GeneratorHarness.Run(first.Driver, Replace(compilation, "Test0.cs", Networks.Replace("[Linear(3), ReLU]", "[Linear(5), ReLU]")));
        second.AssertCleanAndCompiles();

        var specs = second.StepOutputs(TrackingNames.Spec)
            .Select(o => (Spec: o.Value as NetworkSpec, o.Reason))
            .ToList();
        Assert.True(specs.Count == 2 && specs.All(s => s.Spec is not null),
            "Expected one spec per network, got: " + string.Join(", ", specs.Select(s => $"{s.Spec?.ClassName ?? "null"} ({s.Reason})")));
        var changed = specs.Single(s => s.Spec!.ClassName == "First");
        var untouched = specs.Single(s => s.Spec!.ClassName == "Second");
        Assert.Equal(IncrementalStepRunReason.Modified, changed.Reason);
        Assert.True(Reused(untouched.Reason), $"Second's spec should be reused, but was {untouched.Reason}.");

        foreach (var hint in first.Sources.Keys.Where(h => h.StartsWith("Sample.Second.", StringComparison.Ordinal)))
            Assert.Equal(first.Sources[hint], second.Sources[hint]);
        Assert.NotEqual(first.Sources["Sample.First.Module.g.cs"], second.Sources["Sample.First.Module.g.cs"]);
    }

    [Fact]
    public void Pipeline_models_hold_no_symbols_syntax_semantic_models_or_compilations()
    {
        // Valid and invalid networks, so every kind of model (specs, diagnostics with locations) is produced.
        var run = GeneratorHarness.Run(Networks, """
            using GmnGen;
            using TorchSharp.Modules;

            [Network(InputShape = [4])]
            public partial class Broken
            {
                [Linear(3, In = 5, Name = "fc"), Dropout(P = 0.2)] public partial Linear Fc { get; }
                [LayerNorm(Eps = 1e-3)] public partial LayerNorm Norm { get; }
            }
            """);

        var walker = new ModelWalker();
        foreach (var step in AllSteps)
            foreach (var (value, _) in run.StepOutputs(step))
                walker.Walk(value, step);

        Assert.True(walker.Problems.Count == 0,
            "Pipeline models must hold plain values only, but found:\n" + string.Join("\n", walker.Problems.Distinct().Take(30)));
        // The walk must have reached the leaves, or it proves nothing.
        foreach (var type in new[] { typeof(NetworkModel), typeof(MemberModel), typeof(ArgumentModel), typeof(LocationInfo), typeof(NetworkSpec), typeof(DiagnosticInfo) })
            Assert.True(walker.Visited.Contains(type), $"The walk never reached a {type.Name}; visited: {string.Join(", ", walker.Visited.Select(t => t.Name))}");
    }

    [Fact]
    public void Model_walker_finds_a_compilation_hidden_inside_an_equatable_array()
    {
        var compilation = GeneratorHarness.CreateCompilation("class C { }");
        var hidden = new[] { new ArgumentModel("Value", compilation, null) }.ToEquatableArray();

        var walker = new ModelWalker();
        walker.Walk(new OpModel(OpKind.Linear, hidden, null), "root");

        Assert.Contains(walker.Problems, p => p.Contains("Compilation", StringComparison.Ordinal));
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static bool Reused(IncrementalStepRunReason reason) =>
        reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged;

    private static void AssertSteps(GeneratorRun run, IEnumerable<string> steps, Func<IncrementalStepRunReason, bool> expected)
    {
        var problems = new List<string>();
        foreach (var step in steps)
        {
            var outputs = run.StepOutputs(step);
            if (outputs.Count == 0) problems.Add($"{step}: no outputs (the step did not run)");
            problems.AddRange(outputs.Where(o => !expected(o.Reason)).Select(o => $"{step}: {o.Reason} ({Describe(o.Value)})"));
        }
        if (problems.Count > 0)
            throw new XunitException("Steps that should have been reused (Cached or Unchanged) re-ran:\n" + string.Join("\n", problems));
    }

    private static string Describe(object? value) => value switch
    {
        NetworkSpec s => "spec of " + s.ClassName,
        BuildResult b => "build of " + (b.Spec?.ClassName ?? "an invalid network"),
        null => "null",
        _ => value.GetType().Name,
    };

    private static void AssertSameSources(GeneratorRun first, GeneratorRun second)
    {
        Assert.Equal(first.Sources.Keys, second.Sources.Keys);
        foreach (var hint in first.Sources.Keys)
            Assert.True(first.Sources[hint] == second.Sources[hint], $"Generated file {hint} changed.");
    }

    private static Compilation Replace(Compilation compilation, string path, string text)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, GeneratorHarness.ParseTree(new SourceFile(path, text)));
    }
}

/// <summary>
/// Walks an object graph through every instance field (so through properties' backing fields, records,
/// EquatableArray and ImmutableArray) and reports Roslyn objects that must not live in cached models.
/// </summary>
internal sealed class ModelWalker
{
    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Compilation),
        typeof(Location), typeof(SyntaxToken), typeof(SyntaxTrivia), typeof(SyntaxNodeOrToken), typeof(SyntaxReference),
        typeof(AttributeData), typeof(TypedConstant),
    };

    private readonly HashSet<object> seen = new(ReferenceEqualityComparer.Instance);

    public List<string> Problems { get; } = new();
    public HashSet<Type> Visited { get; } = new();

    public void Walk(object? value, string path)
    {
        if (value is null) return;
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is string || value is decimal) return;
        if (IsForbidden(type)) { Problems.Add($"{path}: {type.FullName}"); return; }
        if (!type.IsValueType && !seen.Add(value)) return;
        Visited.Add(type);

        if (value is Array array)
        {
            int i = 0;
            foreach (var item in array) Walk(item, $"{path}[{i++}]");
            return;
        }
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                string name = $"{path}.{Clean(field.Name)}";
                if (IsForbidden(field.FieldType)) Problems.Add($"{name}: declared as {field.FieldType.FullName}");
                else Walk(field.GetValue(value), name);
            }
        }
    }

    private static bool IsForbidden(Type type)
    {
        var element = type.IsArray ? type.GetElementType()! : type;
        return Forbidden.Any(f => f.IsAssignableFrom(element));
    }

    private static string Clean(string fieldName) =>
        fieldName.StartsWith('<') && fieldName.Contains(">k__BackingField", StringComparison.Ordinal)
            ? fieldName[1..fieldName.IndexOf('>')]
            : fieldName;
}
