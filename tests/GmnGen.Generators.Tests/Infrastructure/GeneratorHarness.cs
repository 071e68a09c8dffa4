using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit.Sdk;

namespace GmnGen.Generators.Tests.Infrastructure;

/// <summary>One source file given to the compiler: its path (used in diagnostics) and text.</summary>
public sealed record SourceFile(string Path, string Text);

/// <summary>
/// Compiles C# source text against the .NET shared framework, GmnGen.dll and TorchSharp.dll, runs
/// <see cref="NetworkGenerator"/> over it with step tracking on, and hands back everything the
/// tests look at: generated files, generator diagnostics and errors of the resulting compilation.
/// </summary>
public static class GeneratorHarness
{
    /// <summary>Latest preview language (partial properties, collection expressions in attributes).</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Preview);

    public static CSharpCompilationOptions CompilationOptions { get; } =
        new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

    /// <summary>The shared framework (from the trusted platform assemblies) plus GmnGen.dll and TorchSharp.dll.</summary>
    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // Only the shared framework from the TPA list: the test host's own dependencies (xunit, Roslyn,
        // the generator itself) are not what a user project compiles against.
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDirectory, StringComparison.Ordinal))
            .ToList();
        if (paths.Count == 0) // Not launched with a TPA list: fall back to the framework folder itself.
            paths = Directory.EnumerateFiles(frameworkDirectory, "*.dll").ToList();
        paths.Add(typeof(GmnGen.NetworkAttribute).Assembly.Location);
        paths.Add(typeof(TorchSharp.torch).Assembly.Location);

        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths)
        {
            if (!seen.Add(Path.GetFileNameWithoutExtension(path))) continue;
            if (!IsManagedAssembly(path)) continue;
            references.Add(MetadataReference.CreateFromFile(path));
        }
        return references.ToImmutable();
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
            return reader.HasMetadata && reader.GetMetadataReader().IsAssembly;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    /// <summary>Sources named Test0.cs, Test1.cs, ... in the order given.</summary>
    public static IReadOnlyList<SourceFile> Files(params string[] sources) =>
        sources.Select((text, i) => new SourceFile($"Test{i}.cs", text)).ToList();

    public static SyntaxTree ParseTree(SourceFile file) =>
        CSharpSyntaxTree.ParseText(file.Text, ParseOptions, file.Path, Encoding.UTF8);

    public static CSharpCompilation CreateCompilation(IEnumerable<SourceFile> files) =>
        CSharpCompilation.Create("GeneratorTestAssembly", files.Select(ParseTree), References, CompilationOptions);

    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(Files(sources));

    /// <summary>A fresh driver for the generator, tracking its steps, with the harness's parse options.</summary>
    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            additionalTexts: null,
            parseOptions: ParseOptions,
            optionsProvider: null,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources) => Run(CreateCompilation(sources));

    public static GeneratorRun Run(IEnumerable<SourceFile> files) => Run(CreateCompilation(files));

    public static GeneratorRun Run(Compilation input) => Run(CreateDriver(), input);

    /// <summary>Runs <paramref name="driver"/> (fresh or from an earlier run, for incrementality) on <paramref name="input"/>.</summary>
    public static GeneratorRun Run(GeneratorDriver driver, Compilation input)
    {
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out var output, out var driverDiagnostics);
        return new GeneratorRun(input, output, driver, driverDiagnostics);
    }
}

/// <summary>The outcome of one generator run.</summary>
public sealed class GeneratorRun
{
    public GeneratorRun(Compilation input, Compilation output, GeneratorDriver driver, ImmutableArray<Diagnostic> driverDiagnostics)
    {
        Input = input;
        Output = output;
        Driver = driver;
        DriverDiagnostics = driverDiagnostics;
        RunResult = driver.GetRunResult();
        Result = RunResult.Results.Single();
        Sources = Result.GeneratedSources
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);
    }

    public Compilation Input { get; }
    public Compilation Output { get; }

    /// <summary>The driver after this run: run it again on an edited compilation to test caching.</summary>
    public GeneratorDriver Driver { get; }

    public GeneratorDriverRunResult RunResult { get; }
    public GeneratorRunResult Result { get; }

    /// <summary>Diagnostics of the driver itself; a generator that throws shows up here as CS8785.</summary>
    public ImmutableArray<Diagnostic> DriverDiagnostics { get; }

    /// <summary>The exception the generator threw, if any.</summary>
    public Exception? Exception => Result.Exception;

    /// <summary>Generated files, hint name → text, ordered by hint name.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; }

    /// <summary>Diagnostics the generator reported (GMNxxxx).</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics => Result.Diagnostics;

    /// <summary>Errors of the compilation that includes the generated files.</summary>
    public IReadOnlyList<Diagnostic> OutputErrors =>
        Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

    /// <summary>Errors located inside generated files: code the generator should never have written.</summary>
    public IReadOnlyList<Diagnostic> ErrorsInGeneratedFiles
    {
        get
        {
            var generated = new HashSet<SyntaxTree>(Result.GeneratedSources.Select(s => s.SyntaxTree));
            return OutputErrors.Where(d => d.Location.SourceTree is { } tree && generated.Contains(tree)).ToList();
        }
    }

    /// <summary>Asserts the generator neither threw nor reported an internal error (GMN0099).</summary>
    public void AssertGeneratorDidNotFail()
    {
        var problems = new List<string>();
        if (Exception is not null) problems.Add("generator threw " + Exception);
        problems.AddRange(DriverDiagnostics.Where(d => d.Id == "CS8785").Select(DiagnosticText.Describe));
        problems.AddRange(GeneratorDiagnostics.Where(d => d.Id == Diagnostics.InternalError.Id).Select(DiagnosticText.Describe));
        if (problems.Count > 0)
            throw new XunitException("The generator failed:\n" + string.Join("\n", problems));
    }

    /// <summary>Asserts a clean run: no generator diagnostics and a compilation without errors.</summary>
    public void AssertCleanAndCompiles()
    {
        AssertGeneratorDidNotFail();
        if (GeneratorDiagnostics.Length > 0)
            throw new XunitException("Expected no generator diagnostics, but got:\n" +
                string.Join("\n", GeneratorDiagnostics.Select(DiagnosticText.Describe)));
        var errors = OutputErrors;
        if (errors.Count > 0)
            throw new XunitException($"Expected the generated code to compile, but got {errors.Count} error(s):\n" +
                string.Join("\n", errors.Take(20).Select(DiagnosticText.Describe)));
    }

    /// <summary>The outputs of a tracked step across all its runs, in order.</summary>
    public IReadOnlyList<(object Value, IncrementalStepRunReason Reason)> StepOutputs(string trackingName) =>
        Result.TrackedSteps.TryGetValue(trackingName, out var steps)
            ? steps.SelectMany(s => s.Outputs).ToList()
            : throw new XunitException($"No tracked step named '{trackingName}'; tracked: {string.Join(", ", Result.TrackedSteps.Keys)}");
}

/// <summary>Expected diagnostic: an id and the span the marker enclosed in the file it was in.</summary>
public sealed record ExpectedDiagnostic(string Id, string Path, TextSpan Span);

/// <summary>
/// Source text with inline diagnostic markers, <c>{|GMN0001:In = 20|}</c>: the markers are removed and
/// the enclosed span is recorded as where a diagnostic with that id must be reported. Markers nest.
/// </summary>
public sealed class MarkedSource
{
    private MarkedSource(string text, IReadOnlyList<(string Id, TextSpan Span)> markers)
    {
        Text = text;
        Markers = markers;
    }

    /// <summary>The source without the markers.</summary>
    public string Text { get; }

    public IReadOnlyList<(string Id, TextSpan Span)> Markers { get; }

    public static MarkedSource Parse(string marked)
    {
        var text = new StringBuilder(marked.Length);
        var open = new Stack<(string Id, int Start)>();
        var markers = new List<(string, TextSpan)>();
        for (int i = 0; i < marked.Length; i++)
        {
            if (marked[i] == '{' && i + 1 < marked.Length && marked[i + 1] == '|')
            {
                int colon = marked.IndexOf(':', i + 2);
                if (colon < 0) throw new FormatException($"Marker at offset {i} has no ':' after its id.");
                string id = marked.Substring(i + 2, colon - i - 2);
                if (id.Length == 0 || !id.All(char.IsLetterOrDigit))
                    throw new FormatException($"Marker at offset {i} has an invalid id '{id}'.");
                open.Push((id, text.Length));
                i = colon;
            }
            else if (marked[i] == '|' && i + 1 < marked.Length && marked[i + 1] == '}')
            {
                if (open.Count == 0) throw new FormatException($"'|}}' at offset {i} closes no marker.");
                var (id, start) = open.Pop();
                markers.Add((id, TextSpan.FromBounds(start, text.Length)));
                i++;
            }
            else
            {
                text.Append(marked[i]);
            }
        }
        if (open.Count > 0) throw new FormatException($"Marker '{open.Peek().Id}' is never closed.");
        return new MarkedSource(text.ToString(), markers.OrderBy(m => m.Item2.Start).ToList());
    }
}

/// <summary>Readable renderings of diagnostics for failure messages and snapshots.</summary>
public static class DiagnosticText
{
    /// <summary><c>Test0.cs(7,22)-(7,28): error GMN0001: message</c>, with 1-based lines and columns.</summary>
    public static string Describe(Diagnostic d) =>
        $"{Where(d.Location)}: {d.Severity.ToString().ToLowerInvariant()} {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";

    public static string Where(Location location)
    {
        if (location == Location.None) return "(no location)";
        var span = location.GetLineSpan();
        return $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-" +
               $"({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1})";
    }

    public static string Where(string path, SourceText text, TextSpan span)
    {
        var lines = text.Lines.GetLinePositionSpan(span);
        return $"{path}({lines.Start.Line + 1},{lines.Start.Character + 1})-({lines.End.Line + 1},{lines.End.Character + 1})";
    }

    /// <summary>
    /// Verify-style rendering: the message, then each source line the span covers with carets under
    /// the span.
    /// </summary>
    public static string Render(Diagnostic d, IReadOnlyDictionary<string, string> sourcesByPath)
    {
        var builder = new StringBuilder();
        builder.Append(Describe(d)).Append('\n');
        var lineSpan = d.Location.GetLineSpan();
        if (!sourcesByPath.TryGetValue(lineSpan.Path, out var source)) return builder.ToString();
        var text = SourceText.From(source);
        for (int line = lineSpan.StartLinePosition.Line; line <= lineSpan.EndLinePosition.Line; line++)
        {
            string content = text.Lines[line].ToString();
            int from = line == lineSpan.StartLinePosition.Line ? lineSpan.StartLinePosition.Character : 0;
            int to = line == lineSpan.EndLinePosition.Line ? lineSpan.EndLinePosition.Character : content.Length;
            builder.Append("    ").Append(content).Append('\n');
            builder.Append("    ").Append(' ', from).Append('^', Math.Max(1, to - from)).Append('\n');
        }
        return builder.ToString();
    }
}
