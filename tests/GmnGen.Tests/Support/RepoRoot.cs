using System;
using System.IO;

namespace GmnGen.Tests.Support;

/// <summary>The repository root (the folder holding GmnGen.sln), found from the test binaries.</summary>
internal static class RepoRoot
{
    public static readonly string Path = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "GmnGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("GmnGen.sln not found above " + AppContext.BaseDirectory);
    }
}
