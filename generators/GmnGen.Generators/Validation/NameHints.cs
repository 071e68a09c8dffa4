using System;
using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

/// <summary>The second halves of the messages about names: what a user-written member clashes with and
/// how to fix it (GMN0018), and where an unresolved attribute or layer type lives (GMN0025).</summary>
internal static class NameHints
{
    public static string ClashTarget(ClashingMemberModel clash, string className) => clash.Description switch
    {
        var d when d == $"Constructor '{className}()'" => "the parameterless constructor GmnGen generates for every network (it creates and registers the layers)",
        var d when d.StartsWith("Constructor", StringComparison.Ordinal) => "the generated parameterless constructor, which it must call to create the layers (Module has no parameterless constructor of its own)",
        _ when clash.Name == "forward" => "forward(), which GmnGen generates from the layers and operations in declaration order",
        _ when clash.Name.StartsWith("__", StringComparison.Ordinal) => $"the field GmnGen generates to hold layer '{clash.Name.Substring(2)}'",
        _ => $"the member '{clash.Name}' GmnGen generates for every network",
    };

    public static string ClashFix(ClashingMemberModel clash, string className) => clash.Description switch
    {
        var d when d == $"Constructor '{className}()'" => "remove it, and initialise other state in field initialisers, a constructor with parameters that calls this(), or a factory method",
        var d when d.StartsWith("Constructor", StringComparison.Ordinal) => "chain it with ': this()'",
        _ when clash.Name == "forward" => "remove it: declare what forward computes with layer and operation attributes, and give a wrapper method another name",
        _ when clash.Name.StartsWith("__", StringComparison.Ordinal) => "rename it (names starting with '__' are reserved to generators)",
        _ => "rename it",
    };

    /// <summary>"did you mean [Conv2d]?" for a misspelt GmnGen attribute, else where they live.</summary>
    public static string AttributeHint(string written)
    {
        string stem = written.Substring(written.LastIndexOf('.') + 1);
        if (stem.EndsWith("Attribute", StringComparison.Ordinal)) stem = stem.Substring(0, stem.Length - "Attribute".Length);
        var nearest = Nearest(stem, Enum.GetNames(typeof(OpKind)));
        return nearest is not null
            ? $"did you mean [{nearest}]?"
            : "GmnGen's layer and operation attributes ([Linear], [Conv2d], [ReLU], ...) are in namespace GmnGen: add 'using GmnGen;'";
    }

    /// <summary>The namespace a layer type needs, or the nearest layer type's name.</summary>
    public static string TypeHint(string written)
    {
        string simple = written.Substring(written.LastIndexOf('.') + 1);
        var layerTypes = Enum.GetValues(typeof(OpKind)).Cast<OpKind>().Where(k => k.IsParametric() && k != OpKind.PatchEmbed)
            .Select(k => k.ModuleTypeName()).ToList();
        string? exact = layerTypes.FirstOrDefault(t => t.EndsWith("." + simple, StringComparison.Ordinal));
        if (exact is not null) return $"add 'using {exact.Substring(0, exact.LastIndexOf('.'))};' for {exact}";
        var nearest = Nearest(simple, layerTypes.Select(t => t.Substring(t.LastIndexOf('.') + 1)).ToArray());
        return nearest is not null
            ? $"did you mean '{nearest}' ({layerTypes.First(t => t.EndsWith("." + nearest, StringComparison.Ordinal))})?"
            : "layer properties have a TorchSharp.Modules type (Linear, Conv2d, BatchNorm2d, ...) or a GmnGen.Modules one (DeepSets, PositionalEmbedding, ClassToken, SelfAttention)";
    }

    /// <summary>The candidate equal up to case, else the one within two edits (nearest first), else null.</summary>
    private static string? Nearest(string written, string[] candidates)
    {
        var same = candidates.FirstOrDefault(c => string.Equals(c, written, StringComparison.OrdinalIgnoreCase));
        if (same is not null) return same;
        return candidates.Select(c => (Name: c, Distance: Distance(c.ToLowerInvariant(), written.ToLowerInvariant())))
            .Where(c => c.Distance <= 2).OrderBy(c => c.Distance).Select(c => c.Name).FirstOrDefault();
    }

    /// <summary>Levenshtein distance; names are short, so the quadratic table is fine.</summary>
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
