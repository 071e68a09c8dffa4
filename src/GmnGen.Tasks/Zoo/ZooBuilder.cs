using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using GmnGen.Data;
using GmnGen.Runtime;
using GmnGen.Storage;

namespace GmnGen.Tasks.Zoo;

/// <summary>Progress of a zoo build, reported after every run.</summary>
/// <param name="RunsDone">Runs of this shard finished, including those found from an earlier session.</param>
/// <param name="RunsTotal">Runs this shard owns.</param>
/// <param name="LastRun">The rows just stored (empty when resuming skipped a run).</param>
public sealed record ZooProgress(int RunsDone, int RunsTotal, IReadOnlyList<ZooCheckpoint> LastRun);

/// <summary>What a build did.</summary>
public sealed record ZooBuildReport(int RunsTrained, int RunsResumed, int CheckpointsStored, int CheckpointsDiverged, TimeSpan Elapsed, string ManifestPath)
{
    /// <summary>Runs trained in this session per minute of wall-clock time.</summary>
    public double RunsPerMinute => RunsTrained / Math.Max(Elapsed.TotalMinutes, 1e-9);
}

/// <summary>
/// Builds (or resumes, or extends) a zoo in a folder: <c>zoo.json</c> (settings), a manifest per
/// shard and <c>weights/*.safetensors</c>. The manifest is rewritten atomically after every run, so
/// an interruption loses at most the run in progress, and a rerun with the same settings trains only
/// the runs its manifest lacks.
/// </summary>
public static class ZooBuilder
{
    /// <summary>Trains runs 0..<paramref name="runs"/>−1 that belong to <paramref name="shard"/> and are not yet in its manifest.</summary>
    /// <exception cref="InvalidOperationException">The folder holds a zoo with other settings.</exception>
    public static ZooBuildReport Build(string directory, ZooSettings settings, int runs, Shard shard, FashionMnist data, IProgress<ZooProgress>? progress = null)
    {
        settings.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(runs);
        Directory.CreateDirectory(directory);
        var existing = ZooSettings.Read(directory);
        if (existing is not null && existing != settings)
            throw new InvalidOperationException(
                $"{Path.Combine(directory, ZooSettings.FileName)} holds a zoo built with other settings ({existing}); " +
                $"this command asks for {settings}. Use another --out folder, or the same settings to resume or extend it.");
        settings.Write(directory);
        // A process killed mid-write leaves its temporary file; the files themselves are whole.
        AtomicFile.RemoveStaleTemporaries(directory);
        AtomicFile.RemoveStaleTemporaries(Path.Combine(directory, ZooRunTrainer.WeightsFolder));

        string manifestPath = Path.Combine(directory, shard.ManifestName);
        var rows = File.Exists(manifestPath) ? ZooManifest.Read(manifestPath) : [];
        var done = rows.Select(r => r.Run).ToHashSet();
        var owned = Enumerable.Range(0, runs).Where(shard.Owns).ToList();

        using var testImages = data.Test.Take(settings.TestImages);
        var trainer = new ZooRunTrainer(data, testImages, Path.Combine(directory, ZooRunTrainer.WeightsFolder));
        var timer = Stopwatch.StartNew();
        int trained = 0, resumed = 0, stored = 0, dropped = 0, finished = 0;
        foreach (int run in owned)
        {
            if (done.Contains(run))
            {
                resumed++;
                progress?.Report(new ZooProgress(++finished, owned.Count, []));
                continue;
            }
            var plan = RunPlanner.Plan(settings, run);
            var runRows = trainer.Train(plan, settings.BatchSize);
            NativeAllocator.ReturnFreeMemory();   // between runs, so that a long build's RSS does not creep
            rows.AddRange(runRows);
            ZooManifest.Write(manifestPath, rows.OrderBy(r => r.Run).ThenBy(r => r.Step));
            trained++;
            stored += runRows.Count(r => r.HasWeights);
            dropped += runRows.Count(r => !r.HasWeights);
            progress?.Report(new ZooProgress(++finished, owned.Count, runRows));
        }
        if (!File.Exists(manifestPath)) ZooManifest.Write(manifestPath, rows);
        return new ZooBuildReport(trained, resumed, stored, dropped, timer.Elapsed, manifestPath);
    }
}
