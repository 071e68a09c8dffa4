using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace GmnGen.Generators;

/// <summary>
/// The catalogue of GMNxxxx diagnostics. Each has a page docs/diagnostics/GMNxxxx.md and a line in
/// AnalyzerReleases.Shipped.md; a test keeps the three in sync.
/// </summary>
public static class Diagnostics
{
    private const string Category = "GmnGen";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
            helpLinkUri: $"docs/diagnostics/{id}.md");

    /// <summary>For hints beside a compiler error that already fails the build.</summary>
    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
            helpLinkUri: $"docs/diagnostics/{id}.md");

    public static readonly DiagnosticDescriptor LayerSizeMismatch = Error("GMN0001",
        "Layer size does not match its input",
        "Layer '{0}' expects {1} {2}, but gets {3}");

    public static readonly DiagnosticDescriptor FlattenSizeMismatch = Error("GMN0002",
        "Flattened map does not match the Linear layer",
        "Layer '{0}' expects {1} input features, but Flatten of the [{2}] map gives {3}; pool to [{4}] with GlobalAvgPool first, or set In = {3}");

    public static readonly DiagnosticDescriptor KernelTooLarge = Error("GMN0003",
        "Kernel larger than its input",
        "{0} '{1}' has kernel {2} (dilation {3}), which spans {4}, but its input is only {5} wide ({6} with padding {7})");

    public static readonly DiagnosticDescriptor InvalidSize = Error("GMN0004",
        "Size or rate out of range",
        "{0} of '{1}' must be {2}, but is {3}");

    public static readonly DiagnosticDescriptor NotPartial = Error("GMN0005",
        "Declaration must be partial",
        "{0} '{1}' must be declared partial{2}");

    public static readonly DiagnosticDescriptor UnsupportedLayer = Error("GMN0006",
        "Unsupported layer type",
        "Property '{0}' has type '{1}', which GmnGen cannot build as a layer; supported: Linear, Conv1d, Conv2d, BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d (from TorchSharp.Modules), DeepSets, PositionalEmbedding, ClassToken, SelfAttention (from GmnGen.Modules)");

    public static readonly DiagnosticDescriptor LayerTypeMismatch = Error("GMN0007",
        "Property type does not match its layer",
        "Property '{0}' is declared as '{1}' but its layer attribute is [{2}]; declare it as {3}");

    public static readonly DiagnosticDescriptor DuplicateName = Error("GMN0008",
        "Duplicate layer name",
        "Layer name '{0}' of '{1}' is already used by '{2}'; state_dict keys must be unique");

    public static readonly DiagnosticDescriptor MissingInputShape = Error("GMN0009",
        "Missing input shape",
        "Network '{0}' needs an input shape, e.g. [Network(InputShape = [1, 28, 28])]");

    public static readonly DiagnosticDescriptor WrongInputRank = Error("GMN0010",
        "Layer cannot take this input",
        "{0} '{1}' expects {2}, but its input is [{3}]{4}");

    public static readonly DiagnosticDescriptor LayerCount = Error("GMN0011",
        "Property must declare exactly one layer",
        "Property '{0}' must carry exactly one layer attribute (Linear, Conv1d, Conv2d, BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d, DeepSets, PatchEmbed, PositionalEmbedding, ClassToken or SelfAttention), but has {1}");

    public static readonly DiagnosticDescriptor InvalidInputShape = Error("GMN0012",
        "Input shape has the wrong number of dimensions",
        "Input shape of '{0}' has {1} dimensions; expected 1 ([features]), 2 ([channels, length]) or 3 ([channels, height, width]){2}");

    public static readonly DiagnosticDescriptor NoLayers = Error("GMN0013",
        "Network has no Linear or convolution layer",
        "Network '{0}' has no Linear or convolution layer to produce its outputs: annotate partial properties with [Linear], [Conv2d], ...");

    public static readonly DiagnosticDescriptor GenericNetwork = Error("GMN0014",
        "Network class cannot be completed",
        "Network '{0}' is {1}; the generator can complete only a plain class: not generic, static, file-local or a record, and without a base class of its own (the generated part derives from Module<Tensor, Tensor>)");

    public static readonly DiagnosticDescriptor InvalidName = Error("GMN0015",
        "Invalid layer name",
        "Layer name '{0}' of '{1}' is not a valid module name: use letters, digits and '_', not starting with a digit");

    public static readonly DiagnosticDescriptor InvalidProperty = Error("GMN0016",
        "Layer property must be a get-only instance property",
        "Property '{0}' must be a non-static property with only a getter");

    public static readonly DiagnosticDescriptor TooLarge = Error("GMN0017",
        "Layer too large",
        "'{1}' ({0}) would have {2} {3}, more than GmnGen supports (2,147,483,647)");

    public static readonly DiagnosticDescriptor ReservedName = Error("GMN0018",
        "Member clashes with a generated or inherited member",
        "{0} clashes with {1}; {2}");

    public static readonly DiagnosticDescriptor AlreadyImplemented = Error("GMN0019",
        "Layer property already implemented",
        "Property '{0}' already has an implementation part; remove it, since the generator implements layer properties");

    public static readonly DiagnosticDescriptor GroupsDoNotDivide = Error("GMN0020",
        "Norm groups do not divide the channels",
        "GroupNorm '{0}' has {1} groups, which do not divide its {2} channels; use a divisor of {2}: {3}");

    public static readonly DiagnosticDescriptor ResidualShapeMismatch = Error("GMN0021",
        "Residual shapes differ",
        "{0} on '{1}' adds [{2}] (from the input of '{3}') to [{4}]; the shapes must match{5}");

    public static readonly DiagnosticDescriptor ResidualSourceNotFound = Error("GMN0022",
        "Residual source is not an earlier layer",
        "{0} on '{1}' starts at '{2}', {3}");

    public static readonly DiagnosticDescriptor PatchDoesNotFit = Error("GMN0023",
        "Patch size does not divide the image",
        "PatchEmbed '{0}' has patch {1}, which does not divide its [{2}] image; pixels past the last whole patch would be dropped. Use a divisor of {3}: {4}");

    public static readonly DiagnosticDescriptor HeadsDoNotDivide = Error("GMN0024",
        "Heads do not divide the width",
        "SelfAttention '{0}' has {1} heads, which do not divide its width {2}; use a divisor of {2}: {3}");

    public static readonly DiagnosticDescriptor UnresolvedName = Warning("GMN0025",
        "Name on a layer property does not resolve",
        "{0} '{1}' on '{2}' does not resolve; {3}");

    public static readonly DiagnosticDescriptor MalformedShortcut = Error("GMN0026",
        "Projection shortcut is not well formed",
        "{0} on '{1}' {2}");

    public static readonly DiagnosticDescriptor InternalError = Error("GMN0099",
        "Internal generator error",
        "GmnGen could not process '{0}' ({1}); please report this with the declaration");

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = typeof(Diagnostics)
        .GetFields()
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .OrderBy(d => d.Id)
        .ToArray();

    public static DiagnosticDescriptor ById(string id) => All.First(d => d.Id == id);
}
