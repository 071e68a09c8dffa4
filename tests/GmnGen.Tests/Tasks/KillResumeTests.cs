using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using GmnGen.Tasks.Zoo;
using GmnGen.Generators.Tests;

using GmnGen.Tests.Support;

namespace GmnGen.Tests.Tasks;

/// <summary>
/// <c>gmn zoo</c> and <c>gmn experiment</c> killed with SIGKILL in the middle of their work: the rerun
/// resumes, loses nothing and ends with the same files, byte for byte, as a run never interrupted.
/// The real command line runs in child processes (one torch thread each).
/// </summary>
[Collection(nameof(GlobalGeneratorCollection))]
public sealed class KillResumeTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "gmngen-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(GmnTool.Dll);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        // Drain the pipes so the child never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void RunToEnd(params string[] arguments)
    {
        using var process = Start(arguments);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"gmn {string.Join(" ", arguments)} did not finish");
        Assert.True(process.ExitCode == 0, $"gmn {string.Join(" ", arguments)} exited with {process.ExitCode}");
    }

    /// <summary>Starts the command, SIGKILLs it as soon as <paramref name="midway"/> holds, and returns whether it got that far.</summary>
    private static bool KillWhen(Func<bool> midway, params string[] arguments)
    {
        using var process = Start(arguments);
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && !midway() && clock.Elapsed < TimeSpan.FromMinutes(5)) Thread.Sleep(2);
        if (process.HasExited) return false;
        process.Kill();   // SIGKILL on Linux: no handler runs, nothing is flushed
        process.WaitForExit();
        return true;
    }

    private static Dictionary<string, byte[]> Files(string folder, Func<string, bool> include) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f)).Where(include)
            .ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(folder, f)));

    private static void AssertSameFiles(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in expected)
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} differs from the uninterrupted run's");
    }

    private static string[] ZooArguments(string folder, int runs) =>
        ["zoo", "--out", folder, "--family", "cnn", "--runs", runs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "5", "--test-images", "500", "--threads", "1"];

    [Fact]
    public void A_zoo_killed_mid_run_resumes_to_the_same_files_as_an_uninterrupted_build()
    {
        string whole = Path.Combine(root, "whole"), killed = Path.Combine(root, "killed");
        RunToEnd(ZooArguments(whole, 5));
        var expected = Files(whole, _ => true);

        // Killed while a later run trains: an earlier run is in the manifest, this one's first weights are written.
        string manifest = Path.Combine(killed, "manifest.csv"), weights = Path.Combine(killed, ZooRunTrainer.WeightsFolder);
        bool midway = KillWhen(() => File.Exists(manifest) && Directory.Exists(weights)
                                     && ZooManifest.Read(manifest).Count > 0
                                     && Directory.GetFiles(weights, "*.safetensors").Length > ZooManifest.Read(manifest).Count(r => r.HasWeights),
            ZooArguments(killed, 5));
        Assert.True(midway, "the zoo finished before it could be killed mid-run");
        int before = ZooManifest.Read(manifest).Count;
        Assert.InRange(before, 1, 5 * 3 - 1);

        RunToEnd(ZooArguments(killed, 5));
        AssertSameFiles(expected, Files(killed, _ => true));
    }

    [Fact]
    public void An_experiment_killed_mid_fit_resumes_to_the_same_predictions_as_an_uninterrupted_run()
    {
        string zoo = Path.Combine(root, "zoo");
        RunToEnd(ZooArguments(zoo, 8));   // 24 checkpoints: the experiment needs 20
        string[] Experiment(string output) =>
            ["experiment", "--zoo", zoo, "--out", output, "--splits", "random,ood-width", "--seeds", "1", "--epochs", "3", "--gmn-hidden", "16", "--gmn-blocks", "2", "--threads", "1"];
        string whole = Path.Combine(root, "whole"), killed = Path.Combine(root, "killed");
        RunToEnd(Experiment(whole));

        // Killed after some fits are cached and before the last: the rerun fits only what is missing.
        int Cached() => Directory.Exists(Path.Combine(killed, "cache")) ? Directory.GetFiles(Path.Combine(killed, "cache"), "*.json", SearchOption.AllDirectories).Length : 0;
        Assert.True(KillWhen(() => Cached() >= 2, Experiment(killed)), "the experiment finished before it could be killed");
        Assert.InRange(Cached(), 2, 5);

        RunToEnd(Experiment(killed));
        // Everything but timings: the predictions, and the cached fits' predictions.
        AssertSameFiles(Files(whole, f => f == "predictions.csv"), Files(killed, f => f == "predictions.csv"));
        Assert.Equal(Directory.GetFiles(Path.Combine(whole, "cache"), "*.json", SearchOption.AllDirectories).Select(Path.GetFileName).Order(),
            Directory.GetFiles(Path.Combine(killed, "cache"), "*.json", SearchOption.AllDirectories).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetFiles(killed, ".*.tmp", SearchOption.AllDirectories));
    }
}
