using System;
using System.IO;
using System.Linq;
using GmnGen.Generators.Tests;

namespace GmnGen.Tests.Support;

/// <summary>The source of one network declared in Networks/TestNetworks.cs, to compile variants of it.</summary>
public static class TestNetworkSource
{
    /// <summary>The class's blank-line-separated block with the usings and namespace, compilable alone.</summary>
    public static string Of(string className)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot.Path, "tests/GmnGen.Tests/Networks/TestNetworks.cs")).Replace("\r\n", "\n");
        var block = text.Split("\n\n").SingleOrDefault(b => b.Contains($"partial class {className}\n"))
            ?? throw new InvalidOperationException($"TestNetworks.cs declares no class {className}");
        return "using GmnGen;\nusing TorchSharp.Modules;\n\nnamespace GmnGen.Tests.Networks;\n\n" + block.Trim() + "\n";
    }
}
