using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace GmnGen.Generators.Tests.Infrastructure;

/// <summary>
/// Minimal Verify-style snapshot assertions: compares text against a checked-in
/// <c>{name}.verified.{ext}</c> file and writes <c>{name}.received.{ext}</c> on mismatch.
/// </summary>
public static class Snapshot
{
    /// <summary>Environment variable that, when "1" or "true", accepts received output as the new snapshot.</summary>
    public const string AcceptVariable = "GMNGEN_ACCEPT_SNAPSHOTS";

    private const string VerifiedMarker = ".verified.";
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly Regex AssemblyVersion = new(@"Version=\d+(\.\d+){1,3}", RegexOptions.Compiled);
    private static readonly Regex GeneratedCodeVersion = new(@"GeneratedCode\(""([^""]+)"", ""[^""]+""\)", RegexOptions.Compiled);

    /// <summary>
    /// Asserts that <paramref name="actual"/> matches <c>Snapshots/{snapshotName}.verified.{extension}</c>
    /// next to the calling test file.
    /// </summary>
    /// <exception cref="XunitException">The snapshot is missing or differs, and was not accepted.</exception>
    public static void Match(string actual, string snapshotName, string extension = "cs", [CallerFilePath] string callerFile = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(callerFile) ?? ".", "Snapshots");
        Match(actual, snapshotName, new DirectoryInfo(directory), extension);
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> matches <c>{directory}/{snapshotName}.verified.{extension}</c>.
    /// On mismatch writes the received file, then either accepts it (see <see cref="AcceptVariable"/>)
    /// or throws with a unified diff.
    /// </summary>
    /// <remarks>
    /// <paramref name="directory"/> is a <see cref="DirectoryInfo"/> because a string would collide with the
    /// (actual, name, extension, callerFile) signature of the other overload.
    /// </remarks>
    /// <exception cref="XunitException">The snapshot is missing or differs, and was not accepted.</exception>
    public static void Match(string actual, string snapshotName, DirectoryInfo directory, string extension = "cs")
    {
        string verifiedPath = Path.Combine(directory.FullName, $"{snapshotName}.verified.{extension}");
        string receivedPath = Path.Combine(directory.FullName, $"{snapshotName}.received.{extension}");
        string received = Normalize(actual);
        string? verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;

        if (verified == received)
        {
            File.Delete(receivedPath);
            return;
        }

        WriteAtomically(receivedPath, received);
        if (AcceptRequested())
        {
            WriteAtomically(verifiedPath, received);
            File.Delete(receivedPath);
            return;
        }

        string problem = verified is null ? "no verified snapshot yet" : "does not match the verified snapshot";
        throw new XunitException(
            $"Snapshot '{snapshotName}': {problem}.\n" +
            $"verified: {verifiedPath}\n" +
            $"received: {receivedPath}\n" +
            "review the diff; to accept, rerun with GMNGEN_ACCEPT_SNAPSHOTS=1 (ignored when CI=true)\n\n" +
            UnifiedDiff.Create(verified ?? string.Empty, received));
    }

    /// <summary>
    /// Returns the full paths of verified snapshot files in <paramref name="snapshotsDirectory"/>
    /// whose snapshot name is not in <paramref name="usedNames"/>, sorted ordinally.
    /// </summary>
    public static IReadOnlyList<string> StaleSnapshots(string snapshotsDirectory, IEnumerable<string> usedNames)
    {
        if (!Directory.Exists(snapshotsDirectory))
            return Array.Empty<string>();

        var used = new HashSet<string>(usedNames, StringComparer.Ordinal);
        return Directory.EnumerateFiles(snapshotsDirectory, $"*{VerifiedMarker}*")
            .Where(path =>
            {
                string fileName = Path.GetFileName(path);
                return !used.Contains(fileName[..fileName.LastIndexOf(VerifiedMarker, StringComparison.Ordinal)]);
            })
            .OrderBy(path => path, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Canonical form used on both sides of the comparison: "\n" line endings, no trailing whitespace,
    /// exactly one trailing newline, and tool/assembly versions scrubbed so version bumps do not churn snapshots.
    /// </summary>
    internal static string Normalize(string text)
    {
        string[] lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        string joined = string.Join("\n", lines.Select(line => line.TrimEnd())).TrimEnd('\n') + "\n";
        joined = AssemblyVersion.Replace(joined, "Version=[scrubbed]");
        return GeneratedCodeVersion.Replace(joined, "GeneratedCode(\"$1\", \"[version]\")");
    }

    // CI must never silently rewrite snapshots, so CI=true overrides the accept switch.
    private static bool AcceptRequested()
    {
        string? accept = Environment.GetEnvironmentVariable(AcceptVariable);
        bool acceptSet = accept == "1" || string.Equals(accept, "true", StringComparison.OrdinalIgnoreCase);
        bool onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        return acceptSet && !onCi;
    }

    // Write-then-rename so a crashed or parallel run never leaves a half-written snapshot behind.
    private static void WriteAtomically(string path, string content)
    {
        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, content, Utf8NoBom);
        File.Move(temp, path, overwrite: true);
    }
}
