using Microsoft.CodeAnalysis;

namespace GmnGen.Generators.Model;

/// <summary>A diagnostic as plain values: descriptor id, message arguments and location.</summary>
public sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Diagnostics.ById(Id), Location?.ToLocation(), Arguments.ToArrayOfObjects());
}

internal static class EquatableStringArrayExtensions
{
    public static object[] ToArrayOfObjects(this EquatableArray<string> items)
    {
        var result = new object[items.Count];
        for (int i = 0; i < items.Count; i++) result[i] = items[i];
        return result;
    }
}
