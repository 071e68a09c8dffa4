using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using GmnGen.Cli.Bench;
using GmnGen.Cli.Networks;
using GmnGen.Data;
using GmnGen.Runtime;
using GmnGen.Tasks.Prediction;
using GmnGen.Tasks.Zoo;
using GmnGen.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Soak;

/// <summary>What <c>gmn soak</c> runs.</summary>
/// <param name="Duration">How long to cycle (the cycle in progress finishes).</param>
/// <param name="Threads">torch intra-op threads.</param>
/// <param name="Pressure">The background garbage-collection load.</param>
/// <param name="RaceCalls">Multiplications per arm of the <see cref="ScalarRace"/> at the start (0: skip it).</param>
/// <param name="Output">Folder for soak.csv, soak.md and the work files.</param>
/// <param name="Seed">Seed of the zoo settings and of every fit.</param>
/// <param name="ZooRuns">Distinct zoo runs the cycles repeat (run i of the cycle trains zoo run i mod this).</param>
/// <param name="GmnEpochs">Epochs of each GMN fit.</param>
public sealed record SoakSettings(TimeSpan Duration, int Threads, PressureKind Pressure, long RaceCalls, string Output, long Seed, int ZooRuns, int GmnEpochs);

/// <summary>One soak iteration. Memory (resident, after glibc has returned its free pages) and finalizer counts are read
/// after it; finalized counts are cumulative.</summary>
/// <param name="Reproduced">Whether it gave exactly what the first iteration of the same work gave (weights bytes, or losses); null for the first.</param>
public sealed record SoakRecord(int Iteration, int Cycle, string Kind, string Work, double Seconds, bool NonFinite, bool? Reproduced, string Error,
    double RssMiB, double ManagedMiB, long FinalizedTensors, long FinalizedScalars, long FinalizedOther);

/// <summary>
/// Repeats, in one process and under <see cref="GcPressure"/>, the work that crashed or went NaN in
/// long runs: zoo runs (one of each of <see cref="SoakSettings.ZooRuns"/> in turn, both families), GMN
/// fits on a zoo built at the start, and a ResNet with a projection shortcut trained on Fashion-MNIST.
/// Every iteration records non-finite losses, exceptions, whether it reproduced the first iteration of
/// the same work bit for bit, memory and what the finalizer freed. (No live-tensor count: TorchSharp's
/// <c>Tensor.TotalCount</c> never counts down a tensor whose handle moved into a parameter, so it
/// grows with every module built; resident memory is the measure.)
/// </summary>
public static class SoakRunner
{
    public const string ZooRun = "zoo run", GmnFit = "gmn fit", ResNet = "resnet";

    /// <summary>Runs the soak; <paramref name="report"/> sees each record as it is made (the race results first).</summary>
    public static (RaceOutcome? Implicit, RaceOutcome? Owned, IReadOnlyList<SoakRecord> Records) Run(
        SoakSettings settings, FashionMnist data, Action<string> log, Action<SoakRecord> report)
    {
        torch.set_num_threads(settings.Threads);
        Directory.CreateDirectory(settings.Output);
        using var pressure = new GcPressure(settings.Pressure);

        RaceOutcome? implicitRace = null, ownedRace = null;
        if (settings.RaceCalls > 0)
        {
            log($"scalar race: {settings.RaceCalls:N0} multiplications with TorchSharp's implicit Scalars, then as many with owned ones");
            implicitRace = ScalarRace.Run(settings.RaceCalls, owned: false);
            ownedRace = ScalarRace.Run(settings.RaceCalls, owned: true);
        }
        // Started after the race, whose implicit Scalars are its point: the watch counts the soak's own.
        using var soakWatch = FinalizerWatch.Start();

        var zooSettings = new ZooSettings(ZooFamily.VaryingCnn | ZooFamily.Diverse, settings.Seed, Checkpoints: 3, TestImages: 1000);
        string baseZoo = Path.Combine(settings.Output, "zoo");
        log($"base zoo for the GMN fits: {settings.ZooRuns} runs in {baseZoo}");
        ZooBuilder.Build(baseZoo, zooSettings, settings.ZooRuns, Shard.All, data);
        using var members = ZooDataset.Load(baseZoo);
        var samples = members.Select(m => m.ToSample()).ToList();
        var validation = samples.Where((_, i) => i % 5 == 0).ToList();
        var train = samples.Except(validation).ToList();

        var records = new List<SoakRecord>();
        // The base zoo's runs are the first results of the zoo-run repeats: every repeat is compared with them.
        var firstResult = ZooManifest.ReadAll(baseZoo).GroupBy(r => r.Run)
            .ToDictionary(g => $"{ZooRun} run {g.Key}", g => Fingerprint(baseZoo, g));
        var clock = Stopwatch.StartNew();
        using var testImages = data.Test.Take(zooSettings.TestImages);
        for (int cycle = 0; clock.Elapsed < settings.Duration || cycle == 0; cycle++)
        {
            int run = cycle % settings.ZooRuns;
            var work = new (string Kind, string Name, Func<(bool NonFinite, string Result)> Body)[]
            {
                (ZooRun, $"run {run}", () => TrainZooRun(zooSettings, run, settings.Output, data, testImages)),
                (GmnFit, $"seed {settings.Seed}", () => FitGmn(train, validation, settings)),
                (ResNet, $"seed {settings.Seed}", () => TrainResNet(data, settings.Seed)),
            };
            foreach (var (kind, name, body) in work)
            {
                var timer = Stopwatch.StartNew();
                bool nonFinite = false;
                bool? reproduced = null;
                string error = "";
                try
                {
                    var (bad, result) = body();
                    nonFinite = bad;
                    string key = kind + " " + name;
                    if (firstResult.TryGetValue(key, out var first)) reproduced = first == result;
                    else firstResult[key] = result;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    error = $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}";
                }
                var finalized = soakWatch.Collect();
                // As gmn zoo and gmn experiment do between runs and fits: the tuned allocator returns no
                // freed heap by itself, and RSS would measure fragmentation, not what is in use.
                NativeAllocator.ReturnFreeMemory();
                long Count(string type) => finalized.TryGetValue(type, out long n) ? n : 0;
                var record = new SoakRecord(records.Count + 1, cycle + 1, kind, name, timer.Elapsed.TotalSeconds, nonFinite, reproduced, error,
                    ProcessMemory.RssMiB, GC.GetTotalMemory(false) / 1048576.0,
                    Count("Tensor"), Count("Scalar"), finalized.Values.Sum() - Count("Tensor") - Count("Scalar"));
                records.Add(record);
                report(record);
            }
        }
        return (implicitRace, ownedRace, records);
    }

    /// <summary>Trains zoo run <paramref name="run"/> into a fresh folder; the result is its checkpoints' bytes and figures.</summary>
    private static (bool, string) TrainZooRun(ZooSettings zoo, int run, string output, FashionMnist data, ImageSet testImages)
    {
        string folder = Path.Combine(output, "repeat");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var rows = new ZooRunTrainer(data, testImages, Path.Combine(folder, ZooRunTrainer.WeightsFolder)).Train(RunPlanner.Plan(zoo, run), zoo.BatchSize);
        return (rows.Any(r => !double.IsFinite(r.TrainLoss) || !r.HasWeights), Fingerprint(folder, rows));
    }

    /// <summary>SHA-256 of a run's checkpoint files, then each checkpoint's loss and accuracy: equal exactly when the run reproduced.</summary>
    private static string Fingerprint(string zooFolder, IEnumerable<ZooCheckpoint> rows)
    {
        using var sha = SHA256.Create();
        var figures = new List<string>();
        foreach (var row in rows.OrderBy(r => r.Step))
        {
            if (row.HasWeights)
            {
                var bytes = File.ReadAllBytes(Path.Combine(zooFolder, row.File));
                sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
            }
            figures.Add($"{row.Step}:{row.TrainLoss:R}/{row.TestAccuracy:R}");
        }
        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexString(sha.Hash!) + ";" + string.Join(";", figures);
    }

    /// <summary>A GMN fit (width 32, 2 blocks); the result is its learning curve, loss by loss.</summary>
    private static (bool, string) FitGmn(IReadOnlyList<LabelledGraph> train, IReadOnlyList<LabelledGraph> validation, SoakSettings settings)
    {
        var options = new PredictorOptions { Epochs = settings.GmnEpochs, Seed = settings.Seed, Gmn = new() { Hidden = 32, Blocks = 2 } };
        using var predictor = new GmnPredictor(options);
        var fit = predictor.Fit(train, validation);
        bool nonFinite = fit.Curve.Any(e => !double.IsFinite(e.TrainLoss) || !double.IsFinite(e.ValidationLoss));
        return (nonFinite, string.Join(";", fit.Curve.Select(e => $"{e.TrainLoss:R}/{e.ValidationLoss:R}")));
    }

    /// <summary>200 Adam steps of <see cref="ProjectionResNet"/> on Fashion-MNIST; the result is the loss of every step.</summary>
    private static (bool, string) TrainResNet(FashionMnist data, long seed)
    {
        manual_seed(seed).Dispose();
        using var net = new ProjectionResNet();
        var losses = new List<double>();
        var options = new TrainingOptions { MaxSteps = 200, BatchSize = 64, LearningRate = 2e-3, Seed = seed };
        ClassifierTrainer.Train(net, data.Train, options, new Progress(p => losses.Add(p.Loss)));
        return (losses.Any(l => !double.IsFinite(l)), string.Join(";", losses.Select(l => l.ToString("R"))));
    }

    /// <summary>Calls back synchronously on the training thread.</summary>
    private sealed class Progress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
