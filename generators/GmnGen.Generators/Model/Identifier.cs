using Microsoft.CodeAnalysis.CSharp;

namespace GmnGen.Generators.Model;

/// <summary>Symbol names are unescaped ("event"); code needs "@event" where a name is a keyword.</summary>
public static class Identifier
{
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.RecordKeyword
            ? "@" + name
            : name;
}
