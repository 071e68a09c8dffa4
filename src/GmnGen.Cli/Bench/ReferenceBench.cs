using System;
using System.Diagnostics;
using System.IO;
using System.Collections.Generic;
using System.Text.Json;
using GmnGen.Runtime;

namespace GmnGen.Cli.Bench;

/// <summary>
/// Runs <c>scripts/reference_gmn.py</c> (the official metanet's computation in plain PyTorch, see
/// scripts/reference_gmn.md) as a child process, after GmnGen's own measurements and never beside
/// them, so that the ratio of the two comes from one run on one machine.
/// </summary>
public static class ReferenceBench
{
    public sealed record Result(string Network, int Hidden, int Batch, long Edges, int WarmupSteps, int TimedSteps,
        double MedianSeconds, double GraphsPerSecond, int InferenceBatch, double? InferenceSeconds, bool? InferenceWarm,
        string Torch, string Blas, double PeakRssMiB, ReferenceAllocator Allocator);

    public sealed record Failed(string Network, int Hidden, int Batch, string Reason, ReferenceAllocator Allocator);

    public const string Python = "/usr/bin/python3";
    public const string ScriptPath = "scripts/reference_gmn.py";

    /// <summary>The script in the current directory or any parent of it or of the executable; null when absent.</summary>
    public static string? FindScript()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, ScriptPath);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>Why the reference cannot run here (no python, no torch, no script), or null.</summary>
    public static string? Unavailable(string? script)
    {
        if (script is null) return $"{ScriptPath} not found above the current directory or the executable";
        if (!File.Exists(Python)) return $"{Python} not found";
        var (code, _, error) = Execute(Python, ["-c", "import torch"], TimeSpan.FromMinutes(1));
        return code == 0 ? null : $"{Python} cannot import torch ({LastLine(error)}); install it with: apt-get install -y --no-install-recommends python3-torch libopenblas0";
    }

    public static (Result? Result, Failed? Failure) Run(string script, string network, int hidden, int batch, int threads,
        int warmup, int steps, double maxSeconds, int inferenceBatch, TimeSpan timeout, ReferenceAllocator allocator, string device = "cpu")
    {
        string[] arguments = [script, "--network", network, "--hidden", hidden.ToString(), "--batch", batch.ToString(),
            "--threads", threads.ToString(), "--warmup", warmup.ToString(), "--steps", steps.ToString(),
            "--max-seconds", maxSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--inference-batch", inferenceBatch.ToString(), "--device", device];
        var (code, output, error) = Execute(Python, arguments, timeout, allocator);
        if (code != 0) return (null, new Failed(network, hidden, batch, code == -1 ? $"timed out after {timeout.TotalSeconds:F0} s" : $"exit {code}: {LastLine(error)}", allocator));
        try
        {
            using var json = JsonDocument.Parse(LastLine(output));
            var r = json.RootElement;
            double? inference = r.GetProperty("inference_seconds").ValueKind == JsonValueKind.Number ? r.GetProperty("inference_seconds").GetDouble() : null;
            bool? warm = r.GetProperty("inference_warm").ValueKind is JsonValueKind.True or JsonValueKind.False ? r.GetProperty("inference_warm").GetBoolean() : null;
            return (new Result(network, hidden, batch, r.GetProperty("edges").GetInt64(), r.GetProperty("warmup").GetInt32(), r.GetProperty("steps").GetInt32(),
                r.GetProperty("median_step_seconds").GetDouble(), r.GetProperty("graphs_per_second").GetDouble(), inferenceBatch, inference, warm,
                r.GetProperty("torch").GetString() ?? "?", r.GetProperty("blas").GetString() ?? "?", r.GetProperty("peak_rss_mib").GetDouble(), allocator), null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, new Failed(network, hidden, batch, $"unreadable output ({e.Message}): {LastLine(output)}", allocator));
        }
    }

    /// <summary>How options and reports name a <see cref="ReferenceAllocator"/>.</summary>
    public static string AllocatorName(ReferenceAllocator allocator) => allocator == ReferenceAllocator.Tuned ? "tuned" : "default";

    private static (int Code, string Output, string Error) Execute(string file, string[] arguments, TimeSpan timeout,
        ReferenceAllocator allocator = ReferenceAllocator.Default)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (allocator == ReferenceAllocator.Tuned)
        {
            start.Environment["GLIBC_TUNABLES"] = NativeAllocator.ChildTunables(Environment.GetEnvironmentVariable("GLIBC_TUNABLES"));
            start.Environment[NativeAllocator.HugePagesVariable] = "1";   // libtorch's huge-page switch, where its version reads it
            // The child inherits .NET's copy of the environment, not the C one GmnGen's start-up wrote to.
            if (OpenMpSpin.Current is { } spin) start.Environment[OpenMpSpin.Variable] = spin;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, output.Result, error.Result);
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } lines ? lines[^1] : "(no output)";
}

/// <summary>Which memory allocator settings the reference's process runs with (<c>gmn bench --reference-allocator</c>).</summary>
public enum ReferenceAllocator
{
    /// <summary>What a user of the official code gets: Python's and glibc's defaults, under which every large temporary is a
    /// fresh mmap whose pages fault in on each step (on a VM with slow first touch, most of the reference's time).</summary>
    Default,
    /// <summary>The settings GmnGen gives its own process (<see cref="NativeAllocator.Tune"/>, through <c>GLIBC_TUNABLES</c>, and
    /// <see cref="OpenMpSpin"/>'s spin count): freed blocks stay in the heap, so the ratio measures the computations rather than
    /// how the machine faults memory in.</summary>
    Tuned,
}
