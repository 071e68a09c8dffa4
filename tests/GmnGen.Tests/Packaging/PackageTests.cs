using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using GmnGen.Generators.Tests;

namespace GmnGen.Tests.Packaging;

/// <summary>The GmnGen package, packed once from a copy of this repository into a local folder feed,
/// with a version of its own (the global packages folder must not serve a stale one).</summary>
public sealed class PackedGmnGen : IDisposable
{
    public PackedGmnGen()
    {
        Root = Path.Combine(Path.GetTempPath(), "gmngen-package-" + Guid.NewGuid().ToString("N"));
        Version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..12];
        Feed = Path.Combine(Root, "feed");
        string source = Path.Combine(Root, "repo");
        CopyRepository(source);
        var (code, output) = Shell.Run(source, "dotnet", "pack", "src/GmnGen", "-c", "Release", "-o", Feed, "-p:GmnGenPacking=true", $"-p:Version={Version}", "-nologo");
        if (code != 0) throw new InvalidOperationException($"dotnet pack src/GmnGen failed:\n{output}");
    }

    public string Root { get; }
    public string Version { get; }
    public string Feed { get; }

    /// <summary>A fresh project folder with the quickstart's files (its version pinned to this pack) and a NuGet.config for the feed.</summary>
    public string NewProject(string name, Func<string, string>? editProject = null)
    {
        var app = Path.Combine(Root, name);
        Directory.CreateDirectory(app);
        var project = Quickstart("Quickstart.csproj").Replace("Version=\"0.1.0\"", $"Version=\"{Version}\"");
        File.WriteAllText(Path.Combine(app, "Quickstart.csproj"), editProject is null ? project : editProject(project));
        File.WriteAllText(Path.Combine(app, "Program.cs"), Quickstart("Program.cs"));
        File.WriteAllText(Path.Combine(app, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="gmngen-test" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        return app;
    }

    public static string Quickstart(string file) => File.ReadAllText(Path.Combine(RepoRoot.Path, "examples", "Quickstart", file)).Replace("\r\n", "\n");

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        var cached = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages", "gmngen", Version);
        if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
    }

    /// <summary>The sources, not this checkout's builds: the files git tracks (and untracked ones it does
    /// not ignore), or, outside a git checkout, every file but those under bin/, obj/, runs/ and artifacts/.</summary>
    private static void CopyRepository(string target)
    {
        var (code, listing) = Shell.Run(RepoRoot.Path, "git", "ls-files", "--cached", "--others", "--exclude-standard");
        string[] builds = ["bin", "obj", "runs", "artifacts", ".git"];
        var files = code == 0
            ? listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            : Directory.GetFiles(RepoRoot.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(RepoRoot.Path, f))
                .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(builds.Contains)).ToArray();
        foreach (var file in files.Where(f => File.Exists(Path.Combine(RepoRoot.Path, f))))
        {
            var destination = Path.Combine(target, file);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(Path.Combine(RepoRoot.Path, file), destination);
        }
    }
}

/// <summary>Runs a program to its end and returns its exit code and everything it printed.</summary>
public static class Shell
{
    public static (int Code, string Output) Run(string directory, string program, params string[] arguments) =>
        Run(directory, new Dictionary<string, string>(), program, arguments);

    public static (int Code, string Output) Run(string directory, IReadOnlyDictionary<string, string> environment, string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        // The test host's MSBuild settings would leak into the nested builds, and CI into every build.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k == "CI").ToList())
            info.Environment.Remove(key);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(8))) throw new TimeoutException($"{program} {string.Join(" ", arguments)} did not finish in 8 minutes");
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program}: {e.Message}");
        }
    }
}

/// <summary>
/// The GmnGen package as a user meets it: a fresh console project made of nothing but the
/// quickstart's two files (examples/Quickstart, shown in README) restores it from a local folder
/// feed, builds (generator included) and runs; with GmnGenReviewedFolder, the build checks the
/// generated code against a reviewed copy.
/// </summary>
public sealed class PackageTests(PackedGmnGen package) : IClassFixture<PackedGmnGen>
{
    [Fact]
    public void The_readme_shows_the_quickstart_files_as_they_are()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md")).Replace("\r\n", "\n");
        Assert.Contains("```xml\n" + PackedGmnGen.Quickstart("Quickstart.csproj").TrimEnd() + "\n```", readme);
        Assert.Contains("```csharp\n" + PackedGmnGen.Quickstart("Program.cs").TrimEnd() + "\n```", readme);
    }

    [Fact]
    public void A_fresh_project_with_one_package_reference_builds_and_runs()
    {
        var app = package.NewProject("quickstart");
        var (code, output) = Shell.Run(app, "dotnet", "run", "-nologo");
        Assert.True(code == 0, output);
        Assert.Contains("TinyCnn: 30 nodes, 754 edges, 2 symmetry groups", output);
        Assert.Contains("output: [2, 10]", output);
    }

    [Fact]
    public void A_reviewed_folder_fails_the_build_with_a_diff_until_the_change_is_accepted_and_CI_cannot_accept()
    {
        var app = package.NewProject("review", p => p.Replace("<Nullable>enable</Nullable>", "<Nullable>enable</Nullable>\n    <GmnGenReviewedFolder>Generated</GmnGenReviewedFolder>"));
        var reviewed = Path.Combine(app, "Generated");
        (int Code, string Output) Build(bool accept = false, bool ci = false) =>
            Shell.Run(app, ci ? new Dictionary<string, string> { ["CI"] = "true" } : new Dictionary<string, string>(),
                "dotnet", accept ? ["build", "-nologo", "-p:GmnGenAcceptGenerated=true"] : ["build", "-nologo"]);

        var first = Build();
        Assert.True(first.Code != 0 && first.Output.Contains("the generated code differs from the reviewed copy in Generated"), first.Output);
        var accepted = Build(accept: true);
        Assert.True(accepted.Code == 0, accepted.Output);
        Assert.Equal(["TinyCnn.Graph.g.cs", "TinyCnn.Module.g.cs", "TinyCnn.Symmetries.g.cs"], Directory.GetFiles(reviewed).Select(Path.GetFileName).Order());
        var again = Build();
        Assert.True(again.Code == 0, again.Output);

        // A wider second convolution: the build fails and shows what changed.
        var program = Path.Combine(app, "Program.cs");
        File.WriteAllText(program, File.ReadAllText(program).Replace("[Conv2d(8, Stride = 2), ReLU] public partial Conv2d Conv2", "[Conv2d(12, Stride = 2), ReLU] public partial Conv2d Conv2"));
        var changed = Build();
        Assert.True(changed.Code != 0, changed.Output);
        Assert.Contains("-    /// <summary>Parameter graph of TinyCnn: 30 nodes, 754 edges, 754 values.</summary>", changed.Output);
        Assert.Contains("+    /// <summary>Parameter graph of TinyCnn: 34 nodes, 1,086 edges, 1,086 values.</summary>", changed.Output);
        var onCi = Build(accept: true, ci: true);
        Assert.True(onCi.Code != 0 && onCi.Output.Contains("GmnGenAcceptGenerated is ignored when CI=true"), onCi.Output);
        Assert.DoesNotContain("34 nodes", File.ReadAllText(Path.Combine(reviewed, "TinyCnn.Graph.g.cs")));

        // A renamed network: accepting removes the old files.
        File.WriteAllText(program, File.ReadAllText(program).Replace("TinyCnn", "SmallCnn"));
        var renamed = Build(accept: true);
        Assert.True(renamed.Code == 0, renamed.Output);
        Assert.Equal(["SmallCnn.Graph.g.cs", "SmallCnn.Module.g.cs", "SmallCnn.Symmetries.g.cs"], Directory.GetFiles(reviewed).Select(Path.GetFileName).Order());
        Assert.Contains("34 nodes", File.ReadAllText(Path.Combine(reviewed, "SmallCnn.Graph.g.cs")));
        var clean = Build(ci: true);
        Assert.True(clean.Code == 0, clean.Output);
    }
}
