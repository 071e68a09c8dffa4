using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using GmnGen.Metanet;
using GmnGen.Tasks.Evaluation;
using GmnGen.Tasks.Prediction;
using GmnGen.Tasks.Reporting;
using GmnGen.Tasks.Zoo;
using Spectre.Console;

namespace GmnGen.Cli.Commands;

/// <summary><c>gmn experiment</c>: accuracy prediction on a zoo — GMN against StatNN and DeepSets on three splits.</summary>
public static class ExperimentCommand
{
    public static Command Create()
    {
        var defaults = new PredictorOptions();
        var zoo = new Option<string>("--zoo") { Description = "Zoo folder made by `gmn zoo` (all its shards' manifests are read).", DefaultValueFactory = _ => "runs/zoo" };
        var output = new Option<string>("--out") { Description = "Report folder: report.md, results.csv, predictions.csv, scatter-*.png, training-curves.png.", DefaultValueFactory = _ => "runs/report" };
        var methods = new Option<string>("--methods")
        {
            Description = $"Comma-separated methods: {string.Join(", ", ExperimentOptions.AllMethods)}. GMN+probes and Probes also run every network on " +
                          $"{ZooProbes.DefaultCount} fixed Fashion-MNIST training images (they read more than the weights).",
            DefaultValueFactory = _ => string.Join(",", ExperimentOptions.DefaultMethods),
        };
        var splits = new Option<string>("--splits") { Description = "Comma-separated splits: random, low-data, ood-width.", DefaultValueFactory = _ => string.Join(",", ExperimentOptions.AllSplits) };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per method and split (0, 1, ...); each seed draws its own split and initialisation. Paired differences between methods need at least 2.", DefaultValueFactory = _ => 3 };
        // A few hundred training networks in batches of 16 make ~15 steps per epoch: the GMN needs ~40
        // epochs (600 steps) to level off, the baselines converge sooner and pick their best epoch.
        var epochs = new Option<int>("--epochs") { Description = "Training epochs of every predictor (the best validation epoch is kept).", DefaultValueFactory = _ => 40 };
        var batch = new Option<int>("--batch-size") { Description = "Networks per step.", DefaultValueFactory = _ => 16 };
        var learningRate = new Option<double>("--lr") { Description = "Peak learning rate (AdamW, linear decay).", DefaultValueFactory = _ => defaults.LearningRate };
        var hidden = new Option<int>("--gmn-hidden") { Description = "GMN width.", DefaultValueFactory = _ => defaults.Gmn.Hidden };
        var blocks = new Option<int>("--gmn-blocks") { Description = "GMN message-passing blocks.", DefaultValueFactory = _ => defaults.Gmn.Blocks };
        var curve = new Option<string?>("--learning-curve") { Description = "Comma-separated training-set sizes in runs (e.g. 50,100,200,400,800): also fit every method on nested subsets of the random split's training runs and write learning-curve.csv/png." };
        var poolStd = new Option<bool>("--gmn-pool-std")
        {
            Description = "The GMN pools each graph's states by mean and standard deviation (`--gmn-pool-std false`: by mean only, the GMN paper's readout).",
            DefaultValueFactory = _ => defaults.Gmn.PoolStandardDeviation,
        };
        var mixup = new Option<double>("--gmn-weight-mixup")
        {
            Description = "Weight-space MixUp: the probability that a GMN training graph is mixed, at each step, with its partner of the same architecture aligned to it by weight matching (λ uniform in [0, 1], targets mixed alike; 0: off).",
            DefaultValueFactory = _ => defaults.GmnWeightMixup,
        };
        var precision = new Option<string>("--gmn-precision")
        {
            Description = "Precision of the GMN's per-edge products while it trains: float32 or bfloat16 (faster on CPUs with AVX-512 BF16 or AMX; weights, gradients and predictions stay float32).",
            DefaultValueFactory = _ => defaults.GmnTrainingPrecision == ProductPrecision.BFloat16 ? "bfloat16" : "float32",
        };
        var readoutLayers = new Option<string>("--gmn-readout-layers")
        {
            Description = "Also pool the GMN's states per layer index into this many slots (deeper layers share the last) and read all slots out: StatNN's layer-wise view. " +
                          $"auto: {defaults.GmnPerLayerReadoutSlots} slots for splits that train on at least {defaults.GmnPerLayerReadoutFrom:N0} checkpoints, none below (chosen on validation data); 0: off everywhere.",
            DefaultValueFactory = _ => "auto",
        };
        var readoutStatistics = new Option<bool>("--gmn-readout-statistics")
        {
            Description = "The GMN's readout also reads, per layer slot and kind of parameter, the mean, std and quartiles of the standardised input weights (StatNN's statistics, keyed by layer and kind).",
            DefaultValueFactory = _ => defaults.Gmn.ReadoutValueStatistics,
        };
        var fanIn = new Option<bool>("--gmn-fan-in-scaling")
        {
            Description = "The GMN multiplies every weight by √(fan-in of the unit it feeds) before standardising it, so layers of any width present their weights on one scale.",
            DefaultValueFactory = _ => defaults.Gmn.FanInScaledValues,
        };
        var valueDropout = new Option<double>("--gmn-value-dropout") { Description = "Probability with which each edge value (weight) is zeroed while the GMN trains (0: never; in [0, 1)).", DefaultValueFactory = _ => defaults.Gmn.ValueDropout };
        var valueNoise = new Option<double>("--gmn-value-noise") { Description = "Std of Gaussian noise added to the GMN's standardised edge values while it trains (0: none; 0.1 is the neural-graphs recipe).", DefaultValueFactory = _ => defaults.Gmn.ValueNoise };
        var scaling = new Option<double>("--gmn-scaling-augmentation") { Description = "Largest factor f of the random scaling and sign symmetries applied to each GMN training graph at every step (factors log-uniform in [1/f, f]; 1: off).", DefaultValueFactory = _ => defaults.GmnScalingAugmentation };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda (auto takes CUDA when TorchSharp finds a GPU).", DefaultValueFactory = _ => "auto" };
        var firstSeed = new Option<int>("--first-seed") { Description = "First seed (seeds are first..first+count-1). Processes given different seeds and the same --out share finished fits through <out>/cache: run one per core, then once more with all seeds to write the full report.", DefaultValueFactory = _ => 0 };
        var noCache = new Option<bool>("--no-cache") { Description = "Refit everything instead of reusing finished fits from <out>/cache." };

        var threads = new Option<int?>("--threads") { Description = "torch.set_num_threads (default: torch's choice, one per core). Two shards with --threads 1 each use 2 cores better than one process for small networks." };

        var command = new Command("experiment",
            "Predict each zoo checkpoint's test accuracy from its weights with the GMN and the baselines StatNN and DeepSets, " +
            "on a random, a low-data and an out-of-distribution (by width) split, over several seeds; write a report with R², Kendall tau and plots.")
        {
            zoo, output, methods, splits, seeds, epochs, batch, learningRate, hidden, blocks, poolStd, readoutLayers, readoutStatistics, fanIn, valueNoise, valueDropout, precision, mixup, scaling, curve, device, noCache, threads, firstSeed,
        };
        command.SetAction(parse =>
        {
            try
            {
                Threads.Apply(parse.GetValue(threads));
                var predictor = defaults with
                {
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(learningRate),
                    GmnScalingAugmentation = parse.GetValue(scaling),
                    GmnWeightMixup = parse.GetValue(mixup),
                    GmnTrainingPrecision = parse.GetValue(precision)!.ToLowerInvariant() switch
                    {
                        "float32" => ProductPrecision.Float32,
                        "bfloat16" => ProductPrecision.BFloat16,
                        var other => throw new ArgumentException($"--gmn-precision expects float32 or bfloat16, got '{other}'."),
                    },
                    Gmn = defaults.Gmn with
                    {
                        Hidden = parse.GetValue(hidden), Blocks = parse.GetValue(blocks),
                        PoolStandardDeviation = parse.GetValue(poolStd), ValueNoise = parse.GetValue(valueNoise), ValueDropout = parse.GetValue(valueDropout), ReadoutLayers = ReadoutSlots(parse.GetValue(readoutLayers)!) ?? 0,
                        ReadoutValueStatistics = parse.GetValue(readoutStatistics),
                        FanInScaledValues = parse.GetValue(fanIn),
                    },
                    GmnPerLayerReadoutFrom = ReadoutSlots(parse.GetValue(readoutLayers)!) is null ? defaults.GmnPerLayerReadoutFrom : int.MaxValue,
                    Device = DeviceChoices.Parse(parse.GetValue(device)!).Resolve(),
                };
                var options = new ExperimentOptions(List(parse.GetValue(methods)!), List(parse.GetValue(splits)!),
                    Enumerable.Range(parse.GetValue(firstSeed), Math.Max(0, parse.GetValue(seeds))).Select(s => (long)s).ToList(), predictor,
                    CurveRuns: parse.GetValue(curve) is { } sizes ? ParseSizes(sizes) : null);
                return Run(parse.GetValue(zoo)!, parse.GetValue(output)!, options, !parse.GetValue(noCache));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or InvalidDataException or KeyNotFoundException)
            {
                Console.Error.WriteLine($"gmn experiment: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>null for "auto", else the explicit slot count.</summary>
    private static int? ReadoutSlots(string text) =>
        text.Equals("auto", StringComparison.OrdinalIgnoreCase) ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0 ? n
        : throw new ArgumentException($"--gmn-readout-layers expects auto or a slot count of 0 or more, got '{text}'.");

    private static List<int> ParseSizes(string text) => List(text).Select(s =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 2
            ? n
            : throw new ArgumentException($"--learning-curve expects training-set sizes of at least 2 runs separated by commas, got '{s}'.")).ToList();

    /// <summary>The zoo, run on the probe images when a probe method is asked for.</summary>
    private static ZooMembers LoadZoo(string zooDirectory, bool withProbes)
    {
        if (!withProbes) return ZooDataset.Load(zooDirectory);
        using var data = GmnGen.Data.FashionMnist.Load();
        using var probes = ZooProbes.Images(data);
        return ZooDataset.Load(zooDirectory, probes: probes);
    }

    private static List<string> List(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static int Run(string zooDirectory, string outDirectory, ExperimentOptions options, bool useCache)
    {
        options.Validate();
        using var members = LoadZoo(zooDirectory, options.NeedsProbes);
        if (members.Count < 20) throw new InvalidDataException($"{zooDirectory} holds {members.Count} checkpoints with weights; the experiment needs at least 20.");
        var zooSettings = ZooSettings.Read(zooDirectory);
        var p = options.Predictor;
        var settings = new List<(string, string)>
        {
            ("Zoo", $"{zooDirectory}: {members.Count} checkpoints of {members.Select(m => m.Checkpoint.Run).Distinct().Count()} runs, " +
                    $"{members.Select(m => m.Architecture.Name).Distinct().Count()} architectures ({zooSettings?.Family.ToString() ?? "unknown family"})"),
            ("Target", "test accuracy on Fashion-MNIST (" + (zooSettings is null ? "?" : zooSettings.TestImages.ToString("N0", CultureInfo.InvariantCulture)) + " test images)"),
            ("Seeds", string.Join(", ", options.Seeds)),
            ("Training", $"{p.Epochs} epochs, batch {p.BatchSize}, AdamW lr {p.LearningRate} (linear decay to {p.FinalLearningRateFraction}×), weight decay {p.WeightDecay}, best validation epoch kept"),
            ("GMN", $"width {p.Gmn.Hidden}, {p.Gmn.Blocks} blocks, pooling {(p.Gmn.PoolStandardDeviation ? "mean and std" : "mean")}" +
                    (p.Gmn.ValueNoise > 0 ? $", value noise {p.Gmn.ValueNoise.ToString(CultureInfo.InvariantCulture)}" : "") +
                    (p.Gmn.ValueDropout > 0 ? $", value dropout {p.Gmn.ValueDropout.ToString(CultureInfo.InvariantCulture)}" : "") +
                    (p.Gmn.ReadoutLayers > 0 ? $", readout per layer ({p.Gmn.ReadoutLayers} slots)"
                        : p.GmnPerLayerReadoutFrom < int.MaxValue ? $", readout per layer ({p.GmnPerLayerReadoutSlots} slots) where a split trains on at least {p.GmnPerLayerReadoutFrom:N0} checkpoints" : "") +
                    (p.Gmn.ReadoutValueStatistics ? ", readout also reads the input values' mean, std and quartiles per layer slot and parameter kind" : "") +
                    (p.Gmn.FanInScaledValues ? ", weights scaled by √fan-in before standardising" : "") +
                    (p.GmnWeightMixup > 0 ? $", weight-space MixUp with aligned partners (probability {p.GmnWeightMixup.ToString(CultureInfo.InvariantCulture)})" : "") +
                    (p.GmnTrainingPrecision == ProductPrecision.BFloat16 ? ", bfloat16 edge products in training" : "") +
                    (p.GmnScalingAugmentation > 1 ? $", scaling augmentation up to ×{p.GmnScalingAugmentation.ToString(CultureInfo.InvariantCulture)}" : "")),
            ("StatNN", $"7 statistics per tensor, MLP {p.StatNnLayers}×{p.StatNnHidden}"),
            ("DeepSets", $"phi and rho {p.DeepSetsLayers}×{p.DeepSetsHidden} over every parameter (value + edge type)"),
            ("Device", p.Device.ToString()),
        };
        string probes = $"{ZooProbes.DefaultCount} Fashion-MNIST training images (a fixed draw, seed {ZooProbes.Seed:X}); GMN+probes: mean and spread over them of each node's activation; " +
                        $"Probes: MLP {p.StatNnLayers}×{p.StatNnHidden} on the softmax outputs";
        if (options.NeedsProbes) settings.Insert(settings.Count - 1, ("Probes", probes));
        var fingerprint = string.Join("\n", members.Select(m => $"{m.Checkpoint.Id}:{m.Checkpoint.Architecture}:{m.Checkpoint.TestAccuracy:R}"))
                          + "\n" + options with { Methods = [], Splits = [], Seeds = [], CurveRuns = null } + p + p.Gmn
                          + (options.NeedsProbes ? "\n" + probes : "");   // the probe images are part of the probe methods' input
        var cache = useCache ? new ExperimentCache(Path.Combine(outDirectory, "cache"), fingerprint) : null;
        AnsiConsole.MarkupLine($"experiment on [bold]{Markup.Escape(zooDirectory)}[/]: {members.Count} checkpoints; " +
                               $"{string.Join(", ", options.Methods)} × {string.Join(", ", options.Splits)} × {options.Seeds.Count} seeds");

        ExperimentSummary summary = null!;
        // Refreshed by hand from the training thread, never by Spectre's timer thread: a .NET thread
        // that allocates while training runs can trigger a collection in the middle of a native call
        // and free a TorchSharp Scalar still in use (docs/results.md, known issues).
        AnsiConsole.Progress()
            .AutoRefresh(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("fits", maxValue: options.Methods.Count * options.Splits.Count * options.Seeds.Count);
                summary = AccuracyExperiment.Run(members, options, "Predicting test accuracy from weights", settings, cache,
                    new Progress(context, task, p.Epochs));
            });

        var files = ReportWriter.Write(outDirectory, summary);
        var rows = ResultTable.Aggregate(summary);
        var table = new Table().AddColumns("split", "method", "R² mean ± std", "Kendall τ mean ± std", "seeds", "fit time");
        foreach (var row in rows)
            table.AddRow(row.Split, row.Method, ReportFormat.MeanStd(row.R2Mean, row.R2Std), ReportFormat.MeanStd(row.TauMean, row.TauStd),
                row.Seeds.ToString(CultureInfo.InvariantCulture), $"{row.FitSecondsMean:F0} s");
        AnsiConsole.Write(table);
        foreach (var comparison in Verdict.Comparisons.Where(c => rows.Any(r => r.Method == c.Candidate)))
        {
            var paired = PairedDifferences.Compute(summary, comparison.Candidate, comparison.Baselines);
            if (paired.Count > 0)
            {
                var pairs = new Table().AddColumns("split", $"{comparison.Candidate} − baseline", "seeds", "ΔR² mean ± std", "Δτ mean ± std");
                foreach (var d in paired)
                    pairs.AddRow(d.Split, d.Baseline, d.Seeds.ToString(CultureInfo.InvariantCulture),
                        $"{PairedDifferences.Signed(d.R2Mean)} ± {d.R2Std.ToString("F3", CultureInfo.InvariantCulture)}",
                        $"{PairedDifferences.Signed(d.TauMean)} ± {d.TauStd.ToString("F3", CultureInfo.InvariantCulture)}");
                AnsiConsole.Write(pairs);
            }
            AnsiConsole.WriteLine(Verdict.Describe(rows, comparison.Candidate, comparison.Baselines));
            if (paired.Count > 0) AnsiConsole.WriteLine(PairedDifferences.Describe(paired, comparison.Candidate));
        }
        AnsiConsole.MarkupLine($"experiment took {summary.Elapsed.TotalMinutes:F1} min (fits: {summary.Runs.Sum(r => r.Fit.Elapsed.TotalMinutes):F1} min in all, cached ones included); report: [bold]{Markup.Escape(Path.Combine(outDirectory, "report.md"))}[/]");
        foreach (var file in files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
            AnsiConsole.MarkupLine($"plot: {Markup.Escape(file)}");
        return 0;
    }

    private sealed class Progress(ProgressContext context, ProgressTask task, int epochs) : IProgress<ExperimentProgress>
    {
        public void Report(ExperimentProgress value)
        {
            Update(value);
            context.Refresh();
        }

        private void Update(ExperimentProgress value)
        {
            double epochShare = value.Epoch is null ? 0 : (double)value.Epoch.Epoch / epochs;
            task.Value = value.FitsDone + (value.Epoch is null ? 0 : Math.Min(epochShare, 0.999));
            task.Description = value.Epoch is null
                ? $"{value.Method} on {value.Split}, seed {value.Seed}"
                : $"{value.Method} on {value.Split}, seed {value.Seed}: epoch {value.Epoch.Epoch}, val R² {value.Epoch.ValidationR2:F2}";
        }
    }
}
