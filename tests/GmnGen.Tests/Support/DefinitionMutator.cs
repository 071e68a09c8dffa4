using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace GmnGen.Tests.Support;

/// <summary>
/// Mutates a valid [Network] declaration the way users get them wrong: sizes, kernels, strides and
/// other integers; attributes dropped, added or reordered; property types, named arguments and the
/// input shape changed; the declaration around the layers edited (partial, static, record, base
/// class, constructor, forward, clashing fields, generics); and broken syntax.
/// </summary>
public static class DefinitionMutator
{
    private static readonly string[] Integers = ["0", "1", "2", "3", "4", "5", "7", "8", "16", "-1", "-3", "int.MaxValue", "int.MinValue", "int.MaxValue / 2", "65536"];
    private static readonly string[] Attributes =
    [
        "ReLU", "Tanh", "GELU", "Flatten", "GlobalAvgPool", "Dropout(P = 0.5)", "Dropout(P = 2)", "MaxPool2d(2)", "AvgPool1d(3)",
        "MaxPool2d(2, Stride = 0)", "LayerNorm", "BatchNorm2d", "BatchNorm1d(Momentum = 1.5)", "Linear(4)", "Linear(0)", "Conv2d(3)",
        "Conv1d(2, Kernel = 1)", "Residual(\"Fc0\")", "Residual(\"Conv0\")", "Residual(\"Nowhere\")", "Shortcut(\"Conv0\")", "Shortcut(\"Layer2Block1Conv1\")", "AddShortcut",
        "GroupNorm(2)", "SelfAttention(2)", "PositionalEmbedding", "PatchEmbed(4)", "Conv2D(3)", "LeakyReLU(NegativeSlope = double.NaN)",
        "InstanceNorm2d", "DeepSets(4)", "Dropout2d(P = 0.2)", "Dropout1d", "Dropout2d(P = 1)", "SinusoidalPositions", "FirstToken", "Linear(4, Name = \"a.b\")", "Linear(4, Name = \"Head\")",
    ];
    private static readonly string[] Types =
    [
        "Linear", "Conv1d", "Conv2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "InstanceNorm2d", "Missing", "int",
        "GmnGen.Modules.DeepSets", "GmnGen.Modules.SelfAttention", "GmnGen.Modules.PositionalEmbedding", "TorchSharp.Modules.Dropout",
    ];
    private static readonly string[] NamedArguments = ["Kernel", "Stride", "Padding", "Dilation", "In", "Bias", "Groups", "Heads", "Patch", "Eps", "Features", "Affine", "Unknown"];
    private static readonly Regex Integer = new(@"(?<![\w.])\d+(?![\w.])");
    private static readonly Regex PropertyLine = new(@"^\s*\[.*\]\s*public.*partial.*\{.*\}\s*$", RegexOptions.Multiline);
    private static readonly Regex NamedArgument = new(@"\b(Kernel|Stride|Padding|Dilation|In|Bias|Groups|Heads|Patch|Eps|Features|Affine|P|Name) =");
    private static readonly Regex InputShape = new(@"InputShape = \[[^\]]*\]");

    /// <summary>Applies 1 to 3 random mutations to <paramref name="declaration"/>.</summary>
    public static string Mutate(string declaration, Random random)
    {
        string text = declaration;
        int count = 1 + random.Next(3);
        for (int i = 0; i < count; i++) text = MutateOnce(text, random);
        return text;
    }

    private static string MutateOnce(string text, Random r) => r.Next(13) switch
    {
        0 or 1 => ReplaceMatch(text, Integer, r, _ => Pick(Integers, r)),
        2 => EditAttributeList(text, r, (items, rr) => { if (items.Count > 0) items.RemoveAt(rr.Next(items.Count)); }),
        3 => EditAttributeList(text, r, (items, rr) => items.Insert(rr.Next(items.Count + 1), Pick(Attributes, rr))),
        4 => EditAttributeList(text, r, (items, rr) => { if (items.Count > 1) { int a = rr.Next(items.Count), b = rr.Next(items.Count); (items[a], items[b]) = (items[b], items[a]); } }),
        5 => EditPropertyLines(text, r, (lines, rr) => lines.Insert(rr.Next(lines.Count + 1), lines[rr.Next(lines.Count)])),
        6 => EditPropertyLines(text, r, (lines, rr) => { int a = rr.Next(lines.Count), b = rr.Next(lines.Count); (lines[a], lines[b]) = (lines[b], lines[a]); }),
        7 => EditPropertyLines(text, r, (lines, rr) => lines.RemoveAt(rr.Next(lines.Count))),
        8 => ReplaceMatch(text, new Regex(@"(?<=partial )[\w.]+(?= \w+ \{)"), r, _ => Pick(Types, r)),
        9 => ReplaceMatch(text, NamedArgument, r, _ => Pick(NamedArguments, r) + " ="),
        10 => ReplaceMatch(text, InputShape, r, _ => "InputShape = [" + string.Join(", ", Enumerable.Range(0, r.Next(5)).Select(_ => r.Next(4) == 0 ? Pick(Integers, r) : r.Next(1, 20).ToString())) + "]"),
        11 => EditDeclaration(text, r),
        _ => BreakSyntax(text, r),
    };

    private static string EditDeclaration(string text, Random r)
    {
        var classLine = new Regex(@"public (sealed )?partial class (\w+)");
        var match = classLine.Match(text);
        if (!match.Success) return text;
        string name = match.Groups[2].Value;
        string firstProperty = Regex.Match(text, @"partial [\w.]+ (\w+) \{").Groups[1].Value;
        int body = text.IndexOf('{', match.Index) + 1;
        string Insert(string member) => text.Insert(body, "\n    " + member);
        return r.Next(13) switch
        {
            0 => text.Remove(match.Index, match.Length).Insert(match.Index, $"public {match.Groups[1].Value}class {name}"),
            1 => text.Replace(match.Value, $"public static partial class {name}"),
            2 => text.Replace(match.Value, $"public {match.Groups[1].Value}partial record {name}"),
            3 => text.Replace(match.Value, match.Value + " : Base") + "\npublic class Base { }\n",
            4 => Insert($"public {name}() {{ }}"),
            5 => Insert($"public {name}(int width) {{ }}"),
            6 => Insert("public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x;"),
            7 => Insert($"private int __{firstProperty};"),
            8 => Insert("public static int[] InputShape = new int[0];"),
            9 => text.Replace(match.Value, match.Value + "<T>"),
            10 => text.Replace(match.Value, $"file {match.Groups[1].Value}partial class {name}"),
            11 => "public class Outer\n{\n" + text + "\n}\n",
            _ => ReplaceMatch(text, new Regex(@"\{ get; \}"), r, _ => Pick(["{ get; set; }", "{ get => null!; }", "{ get; init; }", "{ }"], r)),
        };
    }

    private static string BreakSyntax(string text, Random r)
    {
        if (text.Length < 2) return text;
        return r.Next(3) switch
        {
            0 => text[..r.Next(text.Length)],                                    // truncated file
            1 => RemoveSome(text, r.Next(text.Length), r),                        // a few characters lost
            _ => text.Insert(r.Next(text.Length), Pick(["]", "[", ")", "(", ",", "{", "}", "\"", ";", "partial "], r)),
        };
    }

    private static string RemoveSome(string text, int start, Random r) => text.Remove(start, Math.Min(1 + r.Next(5), text.Length - start));

    private static string ReplaceMatch(string text, Regex pattern, Random r, Func<Match, string> replacement)
    {
        var matches = pattern.Matches(text);
        if (matches.Count == 0) return text;
        var m = matches[r.Next(matches.Count)];
        return text[..m.Index] + replacement(m) + text[(m.Index + m.Length)..];
    }

    /// <summary>Edits the comma-separated items of one property's attribute list (commas inside
    /// parentheses or strings do not split).</summary>
    private static string EditAttributeList(string text, Random r, Action<List<string>, Random> edit)
    {
        var lines = PropertyLine.Matches(text);
        if (lines.Count == 0) return text;
        var line = lines[r.Next(lines.Count)];
        int open = text.IndexOf('[', line.Index), close = text.LastIndexOf("] public", line.Index + line.Length, StringComparison.Ordinal);
        if (open < 0 || close < open) return text;
        var items = SplitTopLevel(text[(open + 1)..close]);
        edit(items, r);
        return text[..(open + 1)] + string.Join(", ", items) + text[close..];
    }

    private static string EditPropertyLines(string text, Random r, Action<List<string>, Random> edit)
    {
        var matches = PropertyLine.Matches(text);
        if (matches.Count == 0) return text;
        var lines = matches.Select(m => m.Value).ToList();
        edit(lines, r);
        int start = matches[0].Index, end = matches[^1].Index + matches[^1].Length;
        return text[..start] + string.Join("\n", lines) + text[end..];
    }

    private static List<string> SplitTopLevel(string list)
    {
        var items = new List<string>();
        int depth = 0, start = 0;
        bool quoted = false;
        for (int i = 0; i < list.Length; i++)
        {
            char c = list[i];
            if (c == '"') quoted = !quoted;
            else if (!quoted && c is '(' or '[') depth++;
            else if (!quoted && c is ')' or ']') depth--;
            else if (!quoted && depth == 0 && c == ',') { items.Add(list[start..i].Trim()); start = i + 1; }
        }
        if (list[start..].Trim() is { Length: > 0 } last) items.Add(last);
        return items;
    }

    private static string Pick(string[] options, Random r) => options[r.Next(options.Length)];
}
