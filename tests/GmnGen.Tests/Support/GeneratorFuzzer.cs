using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using GmnGen.Generators;
using GmnGen.Generators.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Support;

/// <summary>How a mutated definition ended.</summary>
public enum FuzzOutcome
{
    /// <summary>No error at all: the network was generated (its forward is checked afterwards).</summary>
    Valid,
    /// <summary>GMN diagnostics, and no compiler error.</summary>
    GmnDiagnostics,
    /// <summary>Compiler errors of the user's own code (syntax, CS0246, ...), every one of them also
    /// there without the generator, and none in generated code.</summary>
    UserErrors,
}

/// <summary>
/// Runs the generator on mutated definitions and enforces the contract users rely on: it never
/// throws (no CS8785, no GMN0099), no error is ever inside generated code, an invalid definition
/// adds no compiler error of its own (CS9248 only where no part can be added), and a definition
/// without errors builds a module whose forward maps a zero [batch, ..InputShape] to [batch, ..OutputShape].
/// </summary>
public sealed class GeneratorFuzzer
{
    private const string Usings = "using GmnGen;\nusing TorchSharp.Modules;\n";
    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Preview);
    private static readonly Lazy<CSharpCompilation> Empty = new(() => CSharpCompilation.Create("Fuzz",
        references: ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(new[] { typeof(NetworkAttribute).Assembly.Location, typeof(torch).Assembly.Location })
            .Distinct().Select(path => MetadataReference.CreateFromFile(path)),
        options: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)));
    /// <summary>Errors the compiler gives a declaration no part can be added to (not partial, file-local,
    /// an unresolved type, an instance member of a static class), which the generator cannot prevent.</summary>
    private static readonly HashSet<string> UserCausedCs9248 = new() { "GMN0005", "GMN0014", "GMN0025" };

    private readonly List<(int Case, string Body)> valid = new();
    private Dictionary<string, double> largestStep = new();

    public Dictionary<FuzzOutcome, int> Counts { get; } = Enum.GetValues<FuzzOutcome>().ToDictionary(o => o, _ => 0);

    /// <summary>Valid definitions whose forward was run (the others were too large to run quickly).</summary>
    public int ForwardRuns { get; private set; }

    /// <summary>The seeds: every network of the test project and random valid MLPs and CNNs.</summary>
    public static IReadOnlyList<string> Seeds(int randomCount, int seed)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot.Path, "tests/GmnGen.Tests/Networks/TestNetworks.cs"));
        var declared = Regex.Matches(text, @"^\[Network\(.*?^\}$", RegexOptions.Multiline | RegexOptions.Singleline).Select(m => m.Value);
        var random = new Random(seed);
        return declared.Concat(Enumerable.Range(0, randomCount).Select(i => RandomDefinitions.Declare("Net", random))).ToList();
    }

    /// <summary>Compiles one definition (without its usings) and checks the contract; throws with the
    /// definition and the offending diagnostics when it is broken.</summary>
    public FuzzOutcome Check(int caseNumber, string body)
    {
        var tree = CSharpSyntaxTree.ParseText(Usings + body, Parse, "Case.cs");
        var input = Empty.Value.AddSyntaxTrees(tree);
        var driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: Parse)
            .RunGeneratorsAndUpdateCompilation(input, out var output, out var driverDiagnostics);
        var result = driver.GetRunResult().Results.Single();
        var gmn = result.Diagnostics;
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

        void Fail(string why, IEnumerable<Diagnostic> shown) => throw new InvalidOperationException(
            $"fuzz case {caseNumber}: {why}\n{string.Join("\n", shown.Take(12))}\n--- definition ---\n{body}");

        if (result.Exception is not null) Fail("the generator threw " + result.Exception, Array.Empty<Diagnostic>());
        if (driverDiagnostics.Any(d => d.Id == "CS8785")) Fail("CS8785", driverDiagnostics);
        if (gmn.Any(d => d.Id == Diagnostics.InternalError.Id)) Fail("internal error", gmn);
        var inGenerated = errors.Where(e => e.Location.SourceTree?.FilePath != "Case.cs").ToList();
        if (inGenerated.Count > 0) Fail("errors inside generated code", inGenerated.Concat(gmn));

        if (errors.Count == 0 && !gmn.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            if (gmn.Length > 0) Fail("warnings without an error", gmn);
            valid.Add((caseNumber, body));
            return Count(FuzzOutcome.Valid);
        }
        if (errors.Count == 0) return Count(FuzzOutcome.GmnDiagnostics);

        // Every compiler error must be the user's own: there without the generator too.
        var own = input.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(Key).ToHashSet();
        var added = errors.Where(e => !own.Contains(Key(e))).ToList();
        if (added.Count > 0) Fail("compiler errors the generator caused", added.Concat(gmn));
        // CS9248 is what stubs prevent: it may stay only where no part can be added or the user's code already fails.
        bool otherOwnErrors = errors.Any(e => e.Id != "CS9248");
        if (errors.Any(e => e.Id == "CS9248") && !otherOwnErrors && !gmn.Any(d => UserCausedCs9248.Contains(d.Id)))
            Fail("CS9248 on properties the stub should implement", errors.Concat(gmn));
        return Count(FuzzOutcome.UserErrors);
    }

    /// <summary>Compiles every valid definition into one assembly (a namespace each) and checks each
    /// forward on zeros; skips networks too large to run in a test (more than a million values or inputs).</summary>
    public void RunValidForwards()
    {
        if (valid.Count == 0) return;
        var trees = valid.Select(v => CSharpSyntaxTree.ParseText(Usings + $"namespace FuzzCase{v.Case};\n" + v.Body, Parse, $"Case{v.Case}.cs"));
        var input = Empty.Value.AddSyntaxTrees(trees);
        CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: Parse)
            .RunGeneratorsAndUpdateCompilation(input, out var output, out _);
        using var image = new MemoryStream();
        var emit = output.Emit(image);
        if (!emit.Success)
            throw new InvalidOperationException("valid fuzz cases did not compile together:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(12)));
        // The generated forward notes each step's sample shape ("// [batch, 6, 12, 12]"): the largest one per case.
        largestStep = output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".Module.g.cs", StringComparison.Ordinal))
            .Select(t => t.GetText().ToString())
            .Select(text => (Namespace: Regex.Match(text, @"namespace (FuzzCase\d+);").Groups[1].Value,
                             Largest: Regex.Matches(text, @"// \[batch, ([\d, ]+)\]").Select(m => m.Groups[1].Value.Split(", ").Aggregate(1.0, (a, d) => a * double.Parse(d))).DefaultIfEmpty(0).Max()))
            .GroupBy(x => x.Namespace).ToDictionary(g => g.Key, g => g.Max(x => x.Largest));
        var assembly = Assembly.Load(image.ToArray());
        foreach (var type in assembly.GetTypes().Where(t => t.GetCustomAttribute<NetworkAttribute>() is not null && t.GetInterface(nameof(IGraphNetwork)) is not null))
        {
            try
            {
                RunForward(type);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{type.FullName} failed at run time:\n{valid.First(v => type.Namespace == $"FuzzCase{v.Case}").Body}", e);
            }
        }
    }

    private void RunForward(Type type)
    {
        {
            var inputShape = ((IReadOnlyList<int>)type.GetProperty("InputShape")!.GetValue(null)!).Select(d => (long)d).ToArray();
            var outputShape = ((IReadOnlyList<int>)type.GetProperty("OutputShape")!.GetValue(null)!).Select(d => (long)d).ToArray();
            var layout = (GmnGen.Graphs.ParameterGraphLayout)type.GetProperty("GraphLayout")!.GetValue(null)!;
            if (layout.ValueCount > 1_000_000 || inputShape.Aggregate(1L, (a, d) => a * d) > 1_000_000 || largestStep[type.Namespace!] > 1_000_000) return;
            using var scope = NewDisposeScope();
            using var module = (nn.Module<Tensor, Tensor>)Activator.CreateInstance(type)!;
            module.eval();
            using var result = module.forward(zeros(new long[] { 2 }.Concat(inputShape).ToArray()));
            var expected = new long[] { 2 }.Concat(outputShape).ToArray();
            if (!result.shape.SequenceEqual(expected))
                throw new InvalidOperationException($"forward gave [{string.Join(", ", result.shape)}], OutputShape says [{string.Join(", ", expected)}]");
            ForwardRuns++;
        }
    }

    private FuzzOutcome Count(FuzzOutcome outcome)
    {
        Counts[outcome]++;
        return outcome;
    }

    private static string Key(Diagnostic d) => $"{d.Id}@{d.Location.SourceSpan}";
}
