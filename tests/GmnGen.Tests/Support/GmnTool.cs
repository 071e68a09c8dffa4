using System;
using System.IO;
using GmnGen.Generators.Tests;

namespace GmnGen.Tests.Support;

/// <summary>The gmn tool of this build (the test project builds it first; ./test.sh does).</summary>
public static class GmnTool
{
    /// <summary>src/GmnGen.Cli/bin/&lt;this configuration&gt;/net10.0/gmn.dll.</summary>
    public static string Dll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;   // bin/<Configuration>/net10.0
            var path = Path.Combine(RepoRoot.Path, "src", "GmnGen.Cli", "bin", configuration, "net10.0", "gmn.dll");
            Assert.True(File.Exists(path), $"{path} is missing: build src/GmnGen.Cli ({configuration}) first; ./test.sh does.");
            return path;
        }
    }
}
