namespace GmnGen.Generators.Model;

/// <summary>A layer property of an invalid network, to be implemented by a stub that throws.</summary>
/// <param name="Setter">"set" or "init" when the (invalid) property has one, else null.</param>
public sealed record StubPropertySpec(string Declaration, string TypeName, string Name, bool Getter, string? Setter);

/// <summary>
/// What an invalid network still gets generated, so that the build shows its GMN diagnostics and
/// nothing else: an implementation of every partial layer property (else CS9248 on each) and, when
/// nothing in the declaration forbids it, the Module base, constructor and forward() (else the
/// user's code that uses the network fails too). Every member throws, naming the diagnostics.
/// </summary>
public sealed record StubSpec(
    string? Namespace,
    string ClassName,
    string TypeParameters,
    EquatableArray<string> ContainingTypes,
    string HintPrefix,
    string TypeKeyword,
    bool AsModule,
    bool WithForward,
    EquatableArray<StubPropertySpec> Properties,
    string Diagnostics);
