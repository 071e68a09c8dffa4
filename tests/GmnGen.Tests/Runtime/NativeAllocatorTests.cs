using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using GmnGen.Runtime;

namespace GmnGen.Tests.Runtime;

/// <summary>
/// The allocator settings a child process gets (<c>gmn bench</c> runs the reference under them): glibc itself must read
/// them as meant, which its dynamic loader shows (<c>ld.so --list-tunables</c> prints the tunables as parsed from the
/// environment, and drops a value it rejects).
/// </summary>
public sealed class NativeAllocatorTests
{
    private const string Loader = "/lib64/ld-linux-x86-64.so.2";

    [Fact]
    public void Child_tunables_turn_off_mmap_and_trimming_as_glibc_reads_them()
    {
        var tunables = ParsedTunables(NativeAllocator.ChildTunables(null));

        Assert.Equal("0xffffffffffffffff", tunables["glibc.malloc.trim_threshold"]);
        Assert.Equal("0", tunables["glibc.malloc.mmap_max"]);
        Assert.Equal("0x0", ParsedTunables(null)["glibc.malloc.trim_threshold"]);   // not glibc's default: the setting is what changed it
    }

    [Fact]
    public void Child_tunables_keep_the_users_own_settings()
    {
        var tunables = ParsedTunables(NativeAllocator.ChildTunables("glibc.malloc.arena_max=3"));

        Assert.Equal("0x3", tunables["glibc.malloc.arena_max"]);
        Assert.Equal("0xffffffffffffffff", tunables["glibc.malloc.trim_threshold"]);
    }

    /// <summary>Tunable name → value as the loader parsed <paramref name="glibcTunables"/> (null: the variable unset).</summary>
    private static Dictionary<string, string> ParsedTunables(string? glibcTunables)
    {
        Assert.True(File.Exists(Loader), $"{Loader} not found: these tests read glibc's parsing of the tunables through it (x86-64 Linux)");
        var start = new ProcessStartInfo(Loader, "--list-tunables") { RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment.Remove("GLIBC_TUNABLES");
        if (glibcTunables is not null) start.Environment["GLIBC_TUNABLES"] = glibcTunables;
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        // Lines read "glibc.malloc.mmap_max: 0 (min: 0, max: 2147483647)".
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1].Trim().Split(' ')[0]);
    }
}
