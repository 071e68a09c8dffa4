using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GmnGen.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GmnGen.Generators.Parsing;

/// <summary>
/// Turns the symbols and syntax of a [Network] class into a <see cref="NetworkModel"/>: plain values
/// plus the locations of every attribute argument, so diagnostics can point at the exact argument.
/// No judgement happens here; validation is the next step.
/// </summary>
internal static class NetworkParser
{
    private const string GmnGenNamespace = "GmnGen";

    /// <returns>The model, or null for a second part of a partial class that repeats [Network]
    /// (the compiler reports the duplicate attribute; one set of outputs is enough).</returns>
    public static NetworkModel? Parse(GeneratorAttributeSyntaxContext context, System.Threading.CancellationToken token)
    {
        var type = (INamedTypeSymbol)context.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)context.TargetNode;
        if (!IsFirstAnnotatedPart(type, syntax, token)) return null;
        var attribute = context.Attributes[0];
        var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(token) as AttributeSyntax;

        var (hasShape, shape, shapeLocation) = ReadInputShape(attribute, attributeSyntax);

        var members = ImmutableArray.CreateBuilder<MemberModel>();
        foreach (var member in type.GetMembers())
        {
            token.ThrowIfCancellationRequested();
            if (member is IPropertySymbol property && ParseMember(property, token) is { } parsed)
                members.Add(parsed);
        }

        return new NetworkModel(
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            ClassName: type.Name,
            ContainingTypes: ContainingTypeDeclarations(type).ToEquatableArray(),
            IsFileLocal: type.IsFileLocal,
            IsPartial: syntax.Modifiers.Any(SyntaxKind.PartialKeyword),
            ContainingTypesArePartial: AllContainingTypesPartial(type, token),
            IsGeneric: type.IsGenericType,
            HasInputShape: hasShape,
            InputShape: shape,
            AttributeLocation: LocationInfo.From(attributeSyntax),
            InputShapeLocation: shapeLocation,
            ClassLocation: LocationInfo.From(syntax.Identifier.GetLocation()),
            Members: members.ToImmutable().ToEquatableArray());
    }

    private static bool IsFirstAnnotatedPart(INamedTypeSymbol type, TypeDeclarationSyntax syntax, System.Threading.CancellationToken token)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() != NetworkGenerator.NetworkAttributeName) continue;
            var owner = attribute.ApplicationSyntaxReference?.GetSyntax(token).Parent?.Parent;
            return owner is null || owner == syntax;
        }
        return true;
    }

    private static (bool, EquatableArray<int>, LocationInfo?) ReadInputShape(AttributeData attribute, AttributeSyntax? syntax)
    {
        foreach (var named in attribute.NamedArguments)
        {
            if (named.Key != "InputShape") continue;
            var location = LocationInfo.From(FindArgument(syntax, "InputShape", -1)) ?? LocationInfo.From(syntax);
            if (named.Value.Kind != TypedConstantKind.Array || named.Value.IsNull)
                return (false, EquatableArray<int>.Empty, location);
            var dims = named.Value.Values.Select(v => v.Value is int i ? i : 0).ToEquatableArray();
            return (dims.Count > 0, dims, location);
        }
        return (false, EquatableArray<int>.Empty, null);
    }

    private static MemberModel? ParseMember(IPropertySymbol property, System.Threading.CancellationToken token)
    {
        var ops = ImmutableArray.CreateBuilder<OpModel>();
        foreach (var attribute in property.GetAttributes())
        {
            var attributeClass = attribute.AttributeClass;
            if (attributeClass is null || attributeClass.ContainingNamespace?.ToDisplayString() != GmnGenNamespace) continue;
            if (OpKinds.FromAttributeName(attributeClass.Name) is not { } kind) continue;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(token) as AttributeSyntax;
            ops.Add(new OpModel(kind, ReadArguments(attribute, syntax), LocationInfo.From(syntax)));
        }

        bool isPartialDefinition = property.IsPartialDefinition;
        if (ops.Count == 0 && !isPartialDefinition) return null;

        var declaration = property.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(token)).OfType<PropertyDeclarationSyntax>().FirstOrDefault();
        var propertyType = property.Type as INamedTypeSymbol;
        return new MemberModel(
            Name: property.Name,
            TypeName: property.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            TypeMetadataName: propertyType is null ? null : propertyType.ContainingNamespace?.ToDisplayString() + "." + propertyType.MetadataName,
            Accessibility: AccessibilityText(property.DeclaredAccessibility),
            IsPartialDefinition: isPartialDefinition,
            HasImplementation: property.PartialImplementationPart is not null,
            HasSetter: property.SetMethod is not null,
            IsStatic: property.IsStatic,
            Ops: ops.ToImmutable().ToEquatableArray(),
            Location: LocationInfo.From(declaration?.Identifier.GetLocation() ?? property.Locations.FirstOrDefault()),
            TypeLocation: LocationInfo.From(declaration?.Type));
    }

    /// <summary>Constructor arguments are named after the property they set ("outFeatures" → "OutFeatures").</summary>
    private static EquatableArray<ArgumentModel> ReadArguments(AttributeData attribute, AttributeSyntax? syntax)
    {
        var arguments = ImmutableArray.CreateBuilder<ArgumentModel>();
        var parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        for (int i = 0; i < attribute.ConstructorArguments.Length && i < parameters.Length; i++)
        {
            var name = char.ToUpperInvariant(parameters[i].Name[0]) + parameters[i].Name.Substring(1);
            arguments.Add(new ArgumentModel(name, attribute.ConstructorArguments[i].Value,
                LocationInfo.From(FindArgument(syntax, null, i, parameters[i].Name))));
        }
        foreach (var named in attribute.NamedArguments)
            arguments.Add(new ArgumentModel(named.Key, named.Value.Value, LocationInfo.From(FindArgument(syntax, named.Key, -1))));
        return arguments.ToImmutable().ToEquatableArray();
    }

    /// <summary>The syntax of the argument that sets <paramref name="property"/>, or of the constructor
    /// parameter <paramref name="parameter"/> at <paramref name="position"/>.</summary>
    private static AttributeArgumentSyntax? FindArgument(AttributeSyntax? syntax, string? property, int position, string? parameter = null)
    {
        if (syntax?.ArgumentList is null) return null;
        var arguments = syntax.ArgumentList.Arguments;
        if (property is not null)
            return arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == property);
        return arguments.FirstOrDefault(a => a.NameColon is { } c && c.Name.Identifier.ValueText == parameter)
            ?? arguments.Where(a => a.NameEquals is null && a.NameColon is null).ElementAtOrDefault(position);
    }

    private static IEnumerable<string> ContainingTypeDeclarations(INamedTypeSymbol type)
    {
        var chain = new Stack<string>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            var keyword = outer.IsRecord ? (outer.IsValueType ? "record struct" : "record")
                : outer.TypeKind == TypeKind.Struct ? "struct"
                : outer.TypeKind == TypeKind.Interface ? "interface" : "class";
            chain.Push($"partial {keyword} {Identifier.Escape(outer.Name)}");
        }
        return chain;
    }

    private static bool AllContainingTypesPartial(INamedTypeSymbol type, System.Threading.CancellationToken token)
    {
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            bool partial = outer.DeclaringSyntaxReferences.Any(r =>
                r.GetSyntax(token) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial) return false;
        }
        return true;
    }

    private static string AccessibilityText(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Internal => "internal",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };
}
