using System;
using System.IO;
using Xunit.Sdk;

namespace GmnGen.Generators.Tests.Infrastructure;

/// <summary>
/// Serialises tests that change process-wide environment variables. Parallelisation is disabled for the
/// whole collection because other test classes call <see cref="Snapshot"/>.Match, which reads the accept
/// switch; they must never observe it while a test here has it set.
/// </summary>
[CollectionDefinition("Environment", DisableParallelization = true)]
public sealed class EnvironmentCollection
{
}

[Collection("Environment")]
public sealed class SnapshotTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("gmngen-snapshot-tests-");
    private readonly string? _savedAccept = Environment.GetEnvironmentVariable(Snapshot.AcceptVariable);
    private readonly string? _savedCi = Environment.GetEnvironmentVariable("CI");

    public SnapshotTests()
    {
        // A developer running the suite with the accept switch on must not turn the failure tests green.
        Environment.SetEnvironmentVariable(Snapshot.AcceptVariable, null);
        Environment.SetEnvironmentVariable("CI", null);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Snapshot.AcceptVariable, _savedAccept);
        Environment.SetEnvironmentVariable("CI", _savedCi);
        _directory.Delete(recursive: true);
    }

    private string VerifiedPath(string name) => Path.Combine(_directory.FullName, $"{name}.verified.txt");

    private string ReceivedPath(string name) => Path.Combine(_directory.FullName, $"{name}.received.txt");

    [Fact]
    public void Match_passes_and_deletes_stale_received_file()
    {
        File.WriteAllText(VerifiedPath("same"), "line one\nline two\n");
        File.WriteAllText(ReceivedPath("same"), "left over from an earlier failure\n");

        Snapshot.Match("line one\nline two", "same", _directory, "txt");

        Assert.False(File.Exists(ReceivedPath("same")));
        Assert.Equal("line one\nline two\n", File.ReadAllText(VerifiedPath("same")));
    }

    [Fact]
    public void Mismatch_throws_with_diff_and_writes_received_file()
    {
        File.WriteAllText(VerifiedPath("changed"), "keep\nold line\n");

        var error = Assert.Throws<XunitException>(() => Snapshot.Match("keep\nnew line\n", "changed", _directory, "txt"));

        Assert.Contains("'changed'", error.Message);
        Assert.Contains(VerifiedPath("changed"), error.Message);
        Assert.Contains(ReceivedPath("changed"), error.Message);
        Assert.Contains("\n-old line\n+new line\n", error.Message);
        Assert.Contains("review the diff; to accept, rerun with GMNGEN_ACCEPT_SNAPSHOTS=1 (ignored when CI=true)", error.Message);
        Assert.Equal("keep\nnew line\n", File.ReadAllText(ReceivedPath("changed")));
        Assert.Equal("keep\nold line\n", File.ReadAllText(VerifiedPath("changed")));
    }

    [Fact]
    public void Missing_verified_file_throws_with_whole_text_as_additions()
    {
        var error = Assert.Throws<XunitException>(() => Snapshot.Match("x\ny\n", "fresh", _directory, "txt"));

        Assert.Contains("no verified snapshot yet", error.Message);
        Assert.Contains("--- verified\n+++ received\n@@ -0,0 +1,2 @@\n+x\n+y\n", error.Message);
        Assert.True(File.Exists(ReceivedPath("fresh")));
        Assert.False(File.Exists(VerifiedPath("fresh")));
    }

    [Fact]
    public void Accept_switch_writes_verified_file_when_not_on_ci()
    {
        File.WriteAllText(VerifiedPath("accepted"), "old\n");
        Environment.SetEnvironmentVariable(Snapshot.AcceptVariable, "true");
        Environment.SetEnvironmentVariable("CI", "false");

        Snapshot.Match("new\r\n", "accepted", _directory, "txt");

        Assert.Equal("new\n", File.ReadAllText(VerifiedPath("accepted")));
        Assert.False(File.Exists(ReceivedPath("accepted")));
    }

    [Fact]
    public void Accept_switch_is_ignored_on_ci()
    {
        File.WriteAllText(VerifiedPath("guarded"), "old\n");
        Environment.SetEnvironmentVariable(Snapshot.AcceptVariable, "1");
        Environment.SetEnvironmentVariable("CI", "TRUE");

        Assert.Throws<XunitException>(() => Snapshot.Match("new\n", "guarded", _directory, "txt"));

        Assert.Equal("old\n", File.ReadAllText(VerifiedPath("guarded")));
        Assert.Equal("new\n", File.ReadAllText(ReceivedPath("guarded")));
    }

    [Fact]
    public void Line_endings_and_trailing_whitespace_are_normalised()
    {
        File.WriteAllText(VerifiedPath("endings"), "a\nb\n");

        Snapshot.Match("a  \r\nb\r\n\r\n", "endings", _directory, "txt");

        Assert.False(File.Exists(ReceivedPath("endings")));
    }

    [Fact]
    public void Versions_are_scrubbed_on_both_sides()
    {
        File.WriteAllText(VerifiedPath("versions"), "Version=1.0.0.0\n[GeneratedCode(\"GmnGen\", \"0.1.0\")]\n");

        Snapshot.Match("Version=2.3.4\n[GeneratedCode(\"GmnGen\", \"9.9.9-preview\")]\n", "versions", _directory, "txt");

        Assert.Equal(
            "Version=[scrubbed]\n[GeneratedCode(\"GmnGen\", \"[version]\")]\n",
            Snapshot.Normalize("Version=2.3.4\n[GeneratedCode(\"GmnGen\", \"9.9.9-preview\")]"));
    }

    [Fact]
    public void Unified_diff_has_correct_hunks_and_headers()
    {
        string expected = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
        string actual = "1\ntwo\n3\n4\n5\n6\n7\n8\n9\n10\n12\n";

        string diff = UnifiedDiff.Create(expected, actual);

        Assert.Equal(
            "--- verified\n" +
            "+++ received\n" +
            "@@ -1,5 +1,5 @@\n" +
            " 1\n" +
            "-2\n" +
            "+two\n" +
            " 3\n" +
            " 4\n" +
            " 5\n" +
            "@@ -8,5 +8,4 @@\n" +
            " 8\n" +
            " 9\n" +
            " 10\n" +
            "-11\n" +
            " 12\n",
            diff);
    }

    [Fact]
    public void Stale_snapshots_are_verified_files_not_in_use()
    {
        File.WriteAllText(VerifiedPath("Used.Name"), "");
        File.WriteAllText(VerifiedPath("Unused"), "");
        File.WriteAllText(ReceivedPath("Orphan"), "");

        var stale = Snapshot.StaleSnapshots(_directory.FullName, new[] { "Used.Name" });

        Assert.Equal(new[] { VerifiedPath("Unused") }, stale);
    }
}
