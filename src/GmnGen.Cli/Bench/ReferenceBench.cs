using System;
using System.Diagnostics;
using System.IO;
using System.Collections.Generic;
using System.Text.Json;

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
        string Torch, string Blas, double PeakRssMiB);

    public sealed record Failed(string Network, int Hidden, int Batch, string Reason);

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
        int warmup, int steps, double maxSeconds, int inferenceBatch, TimeSpan timeout, string device = "cpu")
    {
        string[] arguments = [script, "--network", network, "--hidden", hidden.ToString(), "--batch", batch.ToString(),
            "--threads", threads.ToString(), "--warmup", warmup.ToString(), "--steps", steps.ToString(),
            "--max-seconds", maxSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--inference-batch", inferenceBatch.ToString(), "--device", device];
        var (code, output, error) = Execute(Python, arguments, timeout);
        if (code != 0) return (null, new Failed(network, hidden, batch, code == -1 ? $"timed out after {timeout.TotalSeconds:F0} s" : $"exit {code}: {LastLine(error)}"));
        try
        {
            using var json = JsonDocument.Parse(LastLine(output));
            var r = json.RootElement;
            double? inference = r.GetProperty("inference_seconds").ValueKind == JsonValueKind.Number ? r.GetProperty("inference_seconds").GetDouble() : null;
            bool? warm = r.GetProperty("inference_warm").ValueKind is JsonValueKind.True or JsonValueKind.False ? r.GetProperty("inference_warm").GetBoolean() : null;
            return (new Result(network, hidden, batch, r.GetProperty("edges").GetInt64(), r.GetProperty("warmup").GetInt32(), r.GetProperty("steps").GetInt32(),
                r.GetProperty("median_step_seconds").GetDouble(), r.GetProperty("graphs_per_second").GetDouble(), inferenceBatch, inference, warm,
                r.GetProperty("torch").GetString() ?? "?", r.GetProperty("blas").GetString() ?? "?", r.GetProperty("peak_rss_mib").GetDouble()), null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, new Failed(network, hidden, batch, $"unreadable output ({e.Message}): {LastLine(output)}"));
        }
    }

    private static (int Code, string Output, string Error) Execute(string file, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
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
