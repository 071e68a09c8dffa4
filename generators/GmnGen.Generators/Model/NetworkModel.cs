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

/// <summary>An annotated property: its declared type and its layer/operation attributes.</summary>
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
    LocationInfo? TypeLocation);

/// <summary>A class marked [Network], as written.</summary>
public sealed record NetworkModel(
    string? Namespace,
    string ClassName,
    EquatableArray<string> ContainingTypes,
    bool IsFileLocal,
    bool IsPartial,
    bool ContainingTypesArePartial,
    bool IsGeneric,
    bool HasInputShape,
    EquatableArray<int> InputShape,
    LocationInfo? AttributeLocation,
    LocationInfo? InputShapeLocation,
    LocationInfo? ClassLocation,
    EquatableArray<MemberModel> Members)
{
    /// <summary>Unique, deterministic prefix of the generated files' hint names.</summary>
    public string HintPrefix =>
        ((Namespace is null ? "" : Namespace + ".") +
        string.Concat(System.Linq.Enumerable.Select(ContainingTypes, t => t.Substring(t.LastIndexOf(' ') + 1) + ".")) +
        ClassName).Replace("@", "");
}
