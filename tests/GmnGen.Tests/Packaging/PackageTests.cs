using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using GmnGen.Generators.Tests;

namespace GmnGen.Tests.Packaging;

/// <summary>
/// The GmnGen package as a user meets it: packed from a copy of this repository, then a fresh
/// console project made of nothing but the quickstart's two files (examples/Quickstart, shown in
/// README) restores it from a local folder feed, builds (generator included) and runs.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "gmngen-package-" + Guid.NewGuid().ToString("N"));
    // A version of its own: the package lands in the global packages folder, which must not serve a stale one.
    private readonly string version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..12];
    private static string Quickstart(string file) => File.ReadAllText(Path.Combine(RepoRoot.Path, "examples", "Quickstart", file)).Replace("\r\n", "\n");

    public PackageTests() => Directory.CreateDirectory(root);

    public void Dispose()
    {
        Directory.Delete(root, recursive: true);
        var cached = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", "gmngen", version);
        if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
    }

    [Fact]
    public void The_readme_shows_the_quickstart_files_as_they_are()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md")).Replace("\r\n", "\n");
        Assert.Contains("```xml\n" + Quickstart("Quickstart.csproj").TrimEnd() + "\n```", readme);
        Assert.Contains("```csharp\n" + Quickstart("Program.cs").TrimEnd() + "\n```", readme);
    }

    [Fact]
    public void A_fresh_project_with_one_package_reference_builds_and_runs()
    {
        string source = Path.Combine(root, "repo"), feed = Path.Combine(root, "feed"), app = Path.Combine(root, "app");
        CopyRepository(source);
        Run(source, "dotnet", "pack", "src/GmnGen", "-c", "Release", "-o", feed, "-p:GmnGenPacking=true", $"-p:Version={version}", "-nologo");
        Assert.Single(Directory.GetFiles(feed, $"GmnGen.{version}.nupkg"));

        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "Quickstart.csproj"), Quickstart("Quickstart.csproj").Replace("Version=\"0.1.0\"", $"Version=\"{version}\""));
        File.WriteAllText(Path.Combine(app, "Program.cs"), Quickstart("Program.cs"));
        File.WriteAllText(Path.Combine(app, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="gmngen-test" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var output = Run(app, "dotnet", "run", "-nologo");
        Assert.Contains("TinyCnn: 30 nodes, 754 edges, 2 symmetry groups", output);
        Assert.Contains("output: [2, 10]", output);
    }

    /// <summary>The sources, not this checkout's builds: the files git tracks (and untracked ones it does
    /// not ignore), or, outside a git checkout, every file but those under bin/, obj/, runs/ and artifacts/.</summary>
    private static void CopyRepository(string target)
    {
        string[] files;
        try
        {
            files = Run(RepoRoot.Path, "git", "ls-files", "--cached", "--others", "--exclude-standard").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or Xunit.Sdk.XunitException)
        {
            string[] builds = ["bin", "obj", "runs", "artifacts", ".git"];
            files = Directory.GetFiles(RepoRoot.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(RepoRoot.Path, f))
                .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(builds.Contains)).ToArray();
        }
        foreach (var file in files.Where(f => File.Exists(Path.Combine(RepoRoot.Path, f))))
        {
            var destination = Path.Combine(target, file);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(Path.Combine(RepoRoot.Path, file), destination);
        }
    }

    private static string Run(string directory, string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        // The test host's MSBuild settings would leak into the nested builds.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(8)), $"{program} {string.Join(" ", arguments)} did not finish in 8 minutes");
        var text = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(" ", arguments)} in {directory} exited with {process.ExitCode}:\n{text}");
        return text;
    }
}
