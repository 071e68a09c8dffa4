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
    /// <summary>Modifiers both parts of a partial property must agree on (CS8800 otherwise).</summary>
    private static readonly HashSet<SyntaxKind> RepeatedModifiers = new()
    {
        SyntaxKind.NewKeyword, SyntaxKind.VirtualKeyword, SyntaxKind.OverrideKeyword, SyntaxKind.SealedKeyword,
        SyntaxKind.RequiredKeyword, SyntaxKind.UnsafeKeyword,
    };

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

        var moduleMembers = ModuleMemberNames(context.SemanticModel.Compilation);
        var members = ImmutableArray.CreateBuilder<MemberModel>();
        foreach (var member in type.GetMembers())
        {
            token.ThrowIfCancellationRequested();
            if (member is IPropertySymbol property && ParseMember(property, moduleMembers, token) is { } parsed)
                members.Add(parsed);
        }
        var layerNames = new HashSet<string>(members.Select(m => m.Name));
        var (baseName, baseLocation) = DeclaredBaseClass(type, context.SemanticModel.Compilation, token);

        return new NetworkModel(
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            ClassName: type.Name,
            ContainingTypes: ContainingTypeDeclarations(type).ToEquatableArray(),
            IsFileLocal: type.IsFileLocal,
            IsPartial: syntax.Modifiers.Any(SyntaxKind.PartialKeyword),
            ContainingTypesArePartial: AllContainingTypesPartial(type, token),
            IsGeneric: type.IsGenericType,
            TypeParameters: TypeParameterList(type),
            HasInputShape: hasShape,
            InputShape: shape,
            AttributeLocation: LocationInfo.From(attributeSyntax),
            InputShapeLocation: shapeLocation,
            ClassLocation: LocationInfo.From(syntax.Identifier.GetLocation()),
            Members: members.ToImmutable().ToEquatableArray(),
            TypeKeyword: syntax is RecordDeclarationSyntax record
                ? (record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record")
                : syntax.Keyword.ValueText,
            IsStatic: type.IsStatic,
            BaseTypeName: baseName,
            BaseTypeLocation: baseLocation,
            ClashingMembers: ClashingMembers(type, layerNames, token).ToEquatableArray(),
            HasSyntaxErrors: type.DeclaringSyntaxReferences.Any(r => r.GetSyntax(token).GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)));
    }

    /// <summary>Names of every member a network inherits from TorchSharp's Module&lt;Tensor, Tensor&gt;
    /// (a layer property of the same name would hide it).</summary>
    private static HashSet<string> ModuleMemberNames(Compilation compilation)
    {
        var names = new HashSet<string>();
        for (var t = compilation.GetTypeByMetadataName("TorchSharp.torch+nn+Module`2"); t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            foreach (var m in t.GetMembers())
                if (m.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal && m.CanBeReferencedByName)
                    names.Add(m.Name);
        return names;
    }

    /// <summary>A base class the user declared on any part (the generated part adds Module&lt;Tensor, Tensor&gt;
    /// itself, so declaring exactly that one is harmless), with the location of its name.</summary>
    private static (string?, LocationInfo?) DeclaredBaseClass(INamedTypeSymbol type, Compilation compilation, System.Threading.CancellationToken token)
    {
        var baseType = type.BaseType;
        if (baseType is null || type.TypeKind != TypeKind.Class || baseType.SpecialType == SpecialType.System_Object) return (null, null);
        var module = compilation.GetTypeByMetadataName("TorchSharp.torch+nn+Module`2");
        if (SymbolEqualityComparer.Default.Equals(baseType.OriginalDefinition, module)
            && baseType.TypeArguments.All(a => a.ToDisplayString() == "TorchSharp.torch.Tensor")) return (null, null);
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(token) is not TypeDeclarationSyntax { BaseList.Types: { Count: > 0 } types } part) continue;
            var first = types[0].Type;
            var symbol = compilation.GetSemanticModel(part.SyntaxTree).GetTypeInfo(first, token).Type;
            if (SymbolEqualityComparer.Default.Equals(symbol, baseType))
                return (baseType.ToDisplayString(), LocationInfo.From(first));
        }
        return (baseType.ToDisplayString(), null);
    }

    /// <summary>Members the user wrote that the generated part declares too: a parameterless
    /// constructor, any <c>forward</c>, members named like a generated one or like a generated
    /// layer field (<c>__Fc</c>). Annotated properties are checked with the layers.</summary>
    private static IEnumerable<ClashingMemberModel> ClashingMembers(INamedTypeSymbol type, HashSet<string> layerNames, System.Threading.CancellationToken token)
    {
        foreach (var member in type.GetMembers())
        {
            if (member.IsImplicitlyDeclared || layerNames.Contains(member.Name)) continue;
            string? description = member switch
            {
                IMethodSymbol { MethodKind: MethodKind.Constructor, IsStatic: false, Parameters.Length: 0 } => $"Constructor '{type.Name}()'",
                // Without ': this()' it would call Module's parameterless constructor, which does not exist.
                IMethodSymbol { MethodKind: MethodKind.Constructor, IsStatic: false } constructor when !ChainsToThis(constructor, token) =>
                    $"Constructor '{type.Name}({string.Join(", ", constructor.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)))})'",
                IMethodSymbol { MethodKind: MethodKind.Ordinary } method when method.Name == "forward" || Validation.NetworkBuilder.GeneratedMemberNames.Contains(method.Name) => $"Method '{method.Name}'",
                IFieldSymbol or IPropertySymbol or IEventSymbol or IMethodSymbol { MethodKind: MethodKind.Ordinary }
                    when Validation.NetworkBuilder.GeneratedMemberNames.Contains(member.Name)
                         || member.Name.StartsWith("__", System.StringComparison.Ordinal) && layerNames.Contains(member.Name.Substring(2)) => $"{KindText(member)} '{member.Name}'",
                _ => null,
            };
            if (description is null) continue;
            var location = member.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(token) switch
            {
                ConstructorDeclarationSyntax c => c.Identifier.GetLocation(),
                MethodDeclarationSyntax m => m.Identifier.GetLocation(),
                PropertyDeclarationSyntax p => p.Identifier.GetLocation(),
                EventDeclarationSyntax e => e.Identifier.GetLocation(),
                VariableDeclaratorSyntax v => v.Identifier.GetLocation(),
                var other => other?.GetLocation(),
            };
            yield return new ClashingMemberModel(description, member.Name, LocationInfo.From(location ?? member.Locations.FirstOrDefault()));
        }
    }

    private static bool ChainsToThis(IMethodSymbol constructor, System.Threading.CancellationToken token) =>
        constructor.DeclaringSyntaxReferences.Select(r => r.GetSyntax(token)).OfType<ConstructorDeclarationSyntax>()
            .Any(c => c.Initializer is { } i && i.IsKind(SyntaxKind.ThisConstructorInitializer));

    private static string KindText(ISymbol member) => member switch
    {
        IFieldSymbol => "Field",
        IPropertySymbol => "Property",
        IEventSymbol => "Event",
        _ => "Method",
    };

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

    private static MemberModel? ParseMember(IPropertySymbol property, HashSet<string> moduleMembers, System.Threading.CancellationToken token)
    {
        var ops = ImmutableArray.CreateBuilder<OpModel>();
        var unresolved = ImmutableArray.CreateBuilder<UnresolvedAttributeModel>();
        foreach (var attribute in property.GetAttributes())
        {
            var attributeClass = attribute.AttributeClass;
            if (attributeClass is null or { TypeKind: TypeKind.Error })
            {
                var written = attribute.ApplicationSyntaxReference?.GetSyntax(token) as AttributeSyntax;
                unresolved.Add(new UnresolvedAttributeModel(written?.Name.ToString() ?? attributeClass?.Name ?? "?", LocationInfo.From(written?.Name)));
                continue;
            }
            if (attributeClass is null || attributeClass.ContainingNamespace?.ToDisplayString() != GmnGenNamespace) continue;
            if (OpKinds.FromAttributeName(attributeClass.Name) is not { } kind) continue;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(token) as AttributeSyntax;
            ops.Add(new OpModel(kind, ReadArguments(attribute, syntax), LocationInfo.From(syntax)));
        }

        bool isPartialDefinition = property.IsPartialDefinition;
        if (ops.Count == 0 && unresolved.Count == 0 && !isPartialDefinition) return null;

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
            TypeLocation: LocationInfo.From(declaration?.Type),
            TypeIsResolved: property.Type.TypeKind != TypeKind.Error,
            Modifiers: string.Concat((declaration?.Modifiers ?? default).Where(m => RepeatedModifiers.Contains(m.Kind())).Select(m => " " + m.ValueText)),
            SetterIsInit: property.SetMethod?.IsInitOnly == true,
            HasGetter: property.GetMethod is not null,
            HiddenModuleMember: moduleMembers.Contains(property.Name) ? property.Name : null,
            UnresolvedAttributes: unresolved.ToImmutable().ToEquatableArray());
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
            chain.Push($"partial {keyword} {Identifier.Escape(outer.Name)}{TypeParameterList(outer)}");
        }
        return chain;
    }

    /// <summary>"&lt;T, U&gt;" or "": what a stub part of a generic type must repeat.</summary>
    private static string TypeParameterList(INamedTypeSymbol type) =>
        type.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", type.TypeParameters.Select(p => Identifier.Escape(p.Name))) + ">";

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
