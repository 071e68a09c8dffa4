using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GmnGen.Generators;
using GmnGen.Generators.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace GmnGen.Tests.Runtime;

/// <summary>
/// No code of ours, generated code included, lets TorchSharp make a <c>Scalar</c> that nobody
/// disposes: neither by converting a number itself (<c>t * 0.5</c>, <c>index_add_(…, 1.0)</c>) nor
/// by calling one of TorchSharp's members that do so inside (<c>a + b</c>, <c>add_(t)</c>,
/// <c>BatchNorm.forward</c>, its optimisers; listed in ImplicitScalarMembers.txt). Such a Scalar can
/// be freed by the finalizer while libtorch reads it (docs/results.md). The counting tests
/// (<see cref="FinalizerCountTests"/>) prove the same at run time for the paths they run; this scan
/// covers every path, CUDA and benchmark code included.
/// </summary>
public sealed class ScalarHygieneTests
{
    /// <summary>A line that says this in a comment makes its implicit Scalar on purpose (gmn soak's demonstration of the race).</summary>
    private const string DeliberateMarker = "deliberate implicit Scalar";

    // The test networks add the operations no shipped network declares (LeakyReLU, GroupNorm, …).
    private static readonly string[] SourceFolders = ["src", "examples", "tests/GmnGen.Tests/Networks"];

    [Fact]
    public void No_source_or_generated_file_makes_an_implicit_scalar()
    {
        var denied = File.ReadAllLines(Path.Combine(RepoRoot.Path, "tests/GmnGen.Tests/Runtime/ImplicitScalarMembers.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var compilation = CompileWithGeneratedCode(out int generatedFiles);
        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar")!;
        Assert.NotNull(scalar);
        Assert.True(generatedFiles > 10, $"the generator produced only {generatedFiles} files");

        var findings = new List<string>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var op in Operations(model, tree))
            {
                string? problem = op switch
                {
                    IConversionOperation c when SymbolEqualityComparer.Default.Equals(c.OperatorMethod?.ContainingType, scalar) =>
                        $"converts {c.Operand.Syntax} to a Scalar; use GmnGen.Runtime.Scalars.Of(…) or a disposed ToScalar()",
                    _ when Target(op) is { } target && denied.Contains(Display(target)) =>
                        $"calls {Display(target)}, which makes a Scalar inside TorchSharp",
                    _ => null,
                };
                if (problem is null) continue;
                var line = op.Syntax.GetLocation().GetLineSpan();
                if (tree.GetText().Lines[line.StartLinePosition.Line].ToString().Contains(DeliberateMarker, StringComparison.Ordinal)) continue;
                findings.Add($"{Relative(line.Path)}:{line.StartLinePosition.Line + 1}: `{op.Syntax}` {problem}");
            }
        }
        Assert.True(findings.Count == 0, $"{findings.Count} implicit Scalars:\n" + string.Join("\n", findings.Distinct().Take(400)));
    }

    [Fact]
    public void The_scan_finds_each_kind_of_implicit_scalar()
    {
        // The scan itself, on code that has every kind: if this passes, an empty finding above means something.
        var compilation = Compile([CSharpSyntaxTree.ParseText("""
            using TorchSharp;
            using static TorchSharp.torch;
            static class Bad
            {
                static Tensor F(Tensor a, Tensor b) => (a * 0.5).add_(b).index_add_(0, b, a, 1.0) + a;
            }
            """, path: "Bad.cs")]);
        var model = compilation.GetSemanticModel(compilation.SyntaxTrees.Single());
        var scalar = compilation.GetTypeByMetadataName("TorchSharp.Scalar");
        var operations = Operations(model, compilation.SyntaxTrees.Single()).ToList();
        Assert.Equal(1, operations.OfType<IConversionOperation>().Count(c => SymbolEqualityComparer.Default.Equals(c.OperatorMethod?.ContainingType, scalar)));
        var targets = operations.Select(Target).OfType<ISymbol>().Select(Display).ToList();
        Assert.Contains("TorchSharp.torch.Tensor.operator *(TorchSharp.torch.Tensor, double)", targets);
        Assert.Contains("TorchSharp.torch.Tensor.add_(TorchSharp.torch.Tensor)", targets);
        Assert.Contains("TorchSharp.torch.Tensor.operator +(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)", targets);
    }

    private static CSharpCompilation CompileWithGeneratedCode(out int generatedFiles)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var files = SourceFolders.SelectMany(f => Directory.GetFiles(Path.Combine(RepoRoot.Path, f), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
        var compilation = Compile(files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f)).ToList());
        int before = compilation.SyntaxTrees.Count();
        CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        generatedFiles = output.SyntaxTrees.Count() - before;
        return (CSharpCompilation)output;
    }

    /// <summary>The sources of GmnGen's own assemblies are compiled together (one assembly), against
    /// the framework and every other assembly beside the tests (TorchSharp, ScottPlot, …); a package
    /// not there (the CLI's) leaves its calls unbound, which hides no TorchSharp call.</summary>
    private static CSharpCompilation Compile(IReadOnlyList<SyntaxTree> trees)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileName(p).StartsWith("GmnGen", StringComparison.Ordinal))
            .GroupBy(Path.GetFileName).Select(g => g.First())
            .Select(p => MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create("ScalarScan", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
    }

    private static IEnumerable<IOperation> Operations(SemanticModel model, SyntaxTree tree) =>
        tree.GetRoot().DescendantNodes()
            .Where(n => n is Microsoft.CodeAnalysis.CSharp.Syntax.BlockSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.ArrowExpressionClauseSyntax
                        or Microsoft.CodeAnalysis.CSharp.Syntax.EqualsValueClauseSyntax)
            .Where(n => !n.Ancestors().Any(a => a is Microsoft.CodeAnalysis.CSharp.Syntax.BlockSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.ArrowExpressionClauseSyntax
                        or Microsoft.CodeAnalysis.CSharp.Syntax.EqualsValueClauseSyntax))
            .Select(n => model.GetOperation(n))
            .OfType<IOperation>()
            .SelectMany(o => o.DescendantsAndSelf());

    /// <summary>The TorchSharp member an operation calls (method, operator, property, constructor), if any.</summary>
    private static ISymbol? Target(IOperation op)
    {
        ISymbol? target = op switch
        {
            IInvocationOperation i => i.TargetMethod,
            IBinaryOperation b => b.OperatorMethod,
            IUnaryOperation u => u.OperatorMethod,
            ICompoundAssignmentOperation c => c.OperatorMethod,
            IPropertyReferenceOperation p => p.Property,
            IObjectCreationOperation o => o.Constructor,
            _ => null,
        };
        return target?.ContainingAssembly?.Name == "TorchSharp" ? target.OriginalDefinition : null;
    }

    private static string Display(ISymbol symbol) =>
        symbol.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithParameterOptions(SymbolDisplayParameterOptions.IncludeType));

    private static string Relative(string path) =>
        path.StartsWith(RepoRoot.Path, StringComparison.Ordinal) ? path[(RepoRoot.Path.Length + 1)..] : path;
}
