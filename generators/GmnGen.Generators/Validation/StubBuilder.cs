using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

/// <summary>Decides what an invalid network's stub can declare without adding a compiler error of
/// its own (see <see cref="StubSpec"/>).</summary>
internal static class StubBuilder
{
    /// <returns>The stub, or null when no part can be added to the type (it or a containing type is
    /// not partial, or it is file-local: the compiler's own errors say so) or there is nothing to implement.</returns>
    public static StubSpec? For(NetworkModel model, EquatableArray<DiagnosticInfo> diagnostics)
    {
        if (!model.IsPartial || !model.ContainingTypesArePartial || model.IsFileLocal)
            return null;
        var duplicated = model.DuplicatedMemberNames();
        var properties = model.Members
            // Unresolved types cannot be written again; a static class cannot have instance members;
            // a duplicated name is the compiler's CS0102, and a second implementation would add CS9251.
            .Where(m => m.IsPartialDefinition && !m.HasImplementation && m.TypeIsResolved && (m.IsStatic || !model.IsStatic) && !duplicated.Contains(m.Name)
                        && (m.HasGetter || m.HasSetter)) // a definition without accessors (broken syntax) has nothing to implement
            .Select(m => new StubPropertySpec(
                m.Accessibility + (m.IsStatic ? " static" : "") + m.Modifiers,
                m.TypeName, m.Name, m.HasGetter, m.HasSetter ? (m.SetterIsInit ? "init" : "set") : null))
            .ToEquatableArray();
        // The Module part only where it cannot clash: a plain class with no base or constructor of its
        // own (a user constructor would call Module's parameterless one, which does not exist).
        bool asModule = model.TypeKeyword == "class" && !model.IsStatic && !model.IsGeneric && model.BaseTypeName is null
                        && !model.ClashingMembers.Any(c => c.Description.StartsWith("Constructor", System.StringComparison.Ordinal));
        bool withForward = asModule && !model.ClashingMembers.Any(c => c.Name == "forward");
        if (properties.Count == 0 && !asModule) return null;
        string ids = diagnostics.Count == 0 ? "compiler errors"
            : string.Join(", ", diagnostics.Select(d => d.Id).Distinct().OrderBy(id => id, System.StringComparer.Ordinal));
        return new StubSpec(model.Namespace, model.ClassName, model.TypeParameters, model.ContainingTypes, model.HintPrefix, model.TypeKeyword, asModule, withForward, properties, ids);
    }
}
