namespace GmnGen.Generators.Model;

// The parse step's output: what the user wrote, as plain values with locations. Must be immutable
// with structural equality, or incremental caching breaks.

/// <summary>An attribute argument as written: its canonical name (the property it sets), its
/// constant value (int, double, bool or string) and where it is.</summary>
public sealed record ArgumentModel(string Name, object? Value, LocationInfo? Location);

/// <summary>One layer or operation attribute on a property, in source order.</summary>
public sealed record OpModel(OpKind Kind, EquatableArray<ArgumentModel> Arguments, LocationInfo? Location)
{
    public ArgumentModel? Find(string name)
    {
        foreach (var a in Arguments) if (a.Name == name) return a;
        return null;
    }

    public int Int(string name, int fallback) => Find(name)?.Value is int v ? v : fallback;
    public double Real(string name, double fallback) => Find(name)?.Value switch { double d => d, float f => f, int i => i, _ => fallback };
    public bool Flag(string name, bool fallback) => Find(name)?.Value is bool b ? b : fallback;
    public string? Text(string name) => Find(name)?.Value as string;
    public LocationInfo? LocationOf(string name) => Find(name)?.Location ?? Location;
}

/// <summary>An attribute on a layer property whose class the compiler cannot resolve (e.g. a typo
/// such as <c>[Conv2D]</c>), as written.</summary>
public sealed record UnresolvedAttributeModel(string Name, LocationInfo? Location);

/// <summary>An annotated property: its declared type and its layer/operation attributes.</summary>
/// <param name="TypeIsResolved">False when the compiler cannot resolve the declared type (then it
/// reports CS0246 itself, and GmnGen says nothing about the type).</param>
/// <param name="Modifiers">Modifiers the generated part must repeat (" new", " virtual", ...), each with a leading space.</param>
/// <param name="SetterIsInit">The (invalid) setter is <c>init</c>: a stub must repeat it.</param>
/// <param name="HiddenModuleMember">The inherited TorchSharp Module member of the same name, if any.</param>
public sealed record MemberModel(
    string Name,
    string TypeName,
    string? TypeMetadataName,
    string Accessibility,
    bool IsPartialDefinition,
    bool HasImplementation,
    bool HasSetter,
    bool IsStatic,
    EquatableArray<OpModel> Ops,
    LocationInfo? Location,
    LocationInfo? TypeLocation,
    bool TypeIsResolved = true,
    string Modifiers = "",
    bool SetterIsInit = false,
    bool HasGetter = true,
    string? HiddenModuleMember = null,
    EquatableArray<UnresolvedAttributeModel> UnresolvedAttributes = default);

/// <summary>A member the user wrote that the generated part would declare again: a parameterless
/// constructor, a <c>forward</c> method, or a member named like a generated one.</summary>
/// <param name="Description">How to name it in a message ("Constructor 'Net()'", "Field '__Fc'").</param>
public sealed record ClashingMemberModel(string Description, string Name, LocationInfo? Location);

/// <summary>A class marked [Network], as written.</summary>
/// <param name="TypeParameters">The class's own type parameter list ("&lt;T&gt;"), or "".</param>
/// <param name="TypeKeyword">"class", "record", "struct", "record struct" or "interface".</param>
/// <param name="HasSyntaxErrors">A part of the class does not parse: the compiler's errors say what is
/// wrong, and GmnGen neither judges nor completes a declaration recovered from broken syntax.</param>
/// <param name="BaseTypeName">The base class the user declared, or null (the generated part derives
/// from TorchSharp's Module).</param>
public sealed record NetworkModel(
    string? Namespace,
    string ClassName,
    EquatableArray<string> ContainingTypes,
    bool IsFileLocal,
    bool IsPartial,
    bool ContainingTypesArePartial,
    bool IsGeneric,
    string TypeParameters,
    bool HasInputShape,
    EquatableArray<int> InputShape,
    LocationInfo? AttributeLocation,
    LocationInfo? InputShapeLocation,
    LocationInfo? ClassLocation,
    EquatableArray<MemberModel> Members,
    string TypeKeyword = "class",
    bool IsStatic = false,
    string? BaseTypeName = null,
    LocationInfo? BaseTypeLocation = null,
    EquatableArray<ClashingMemberModel> ClashingMembers = default,
    bool HasSyntaxErrors = false)
{
    /// <summary>Names declared by more than one member (the compiler's CS0102): validation skips them
    /// and the stub implements none of them.</summary>
    public System.Collections.Generic.HashSet<string> DuplicatedMemberNames() =>
        new(System.Linq.Enumerable.Select(System.Linq.Enumerable.Where(System.Linq.Enumerable.GroupBy(Members, m => m.Name), g => System.Linq.Enumerable.Count(g) > 1), g => g.Key));

    /// <summary>Unique, deterministic prefix of the generated files' hint names: generic types get
    /// their arity ("Outer-1.Net"), since "&lt;" is not allowed there and Outer and Outer&lt;T&gt; may both exist.</summary>
    public string HintPrefix =>
        ((Namespace is null ? "" : Namespace + ".") +
        string.Concat(System.Linq.Enumerable.Select(ContainingTypes, t => HintName(t) + ".")) +
        HintName(ClassName + TypeParameters)).Replace("@", "");

    /// <summary>"partial class Outer&lt;T, U&gt;" or "Outer&lt;T, U&gt;" → "Outer-2"; "partial record R" → "R".</summary>
    private static string HintName(string declaration)
    {
        int open = declaration.IndexOf('<');
        string head = open < 0 ? declaration : declaration.Substring(0, open);
        string name = head.Substring(head.LastIndexOf(' ') + 1);
        return open < 0 ? name : name + "-" + (System.Linq.Enumerable.Count(declaration, c => c == ',') + 1);
    }
}
