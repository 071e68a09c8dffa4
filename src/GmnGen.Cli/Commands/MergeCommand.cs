using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using GmnGen.Data;
using GmnGen.Tasks.Merging;
using GmnGen.Tasks.Reporting;
using GmnGen.Tasks.Zoo;
using GmnGen.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Commands;

/// <summary><c>gmn merge</c>: linear mode connectivity of two networks of a zoo architecture, naive and after weight matching.</summary>
public static class MergeCommand
{
    /// <summary>The command and its options.</summary>
    public static Command Create()
    {
        var architecture = new Option<string>("--architecture") { Description = "Zoo architecture (class name in src/GmnGen.Tasks/Zoo/Architectures/ZooArchitectures.cs), e.g. Mlp_w32_d1_gelu or Cnn_w8_d2_k3_bn_tanh_p2.", Required = true };
        var seeds = new Option<string>("--seeds") { Description = "The two training seeds of A and B (initial weights, dropout and batch order; the training subset is drawn with the first).", DefaultValueFactory = _ => "0,1" };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs of each network (Adam).", DefaultValueFactory = _ => 2 };
        var fraction = new Option<double>("--train-fraction") { Description = "Fraction of the 60,000 Fashion-MNIST training images both networks train on.", DefaultValueFactory = _ => 0.5 };
        var learningRate = new Option<double>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 1e-3 };
        var batch = new Option<int>("--batch-size") { Description = "Training images per step.", DefaultValueFactory = _ => 128 };
        var points = new Option<int>("--points") { Description = "Values of λ, evenly spaced in [0, 1] with both ends.", DefaultValueFactory = _ => 11 };
        var evalTrain = new Option<int>("--train-eval-images") { Description = "Training images the train loss and accuracy (and the BatchNorm statistics) are measured on: the first of the training subset, or a fixed draw from the training set with --a/--b.", DefaultValueFactory = _ => 10_000 };
        var resetBn = new Option<bool>("--reset-bn") { Description = "Recompute BatchNorm statistics at every λ from training images (REPAIR's reset; `--reset-bn false`: interpolate them as they are).", DefaultValueFactory = _ => true };
        var checkpointA = new Option<string?>("--a") { Description = "A trained checkpoint of the architecture (safetensors, e.g. from a zoo or an earlier merge) to use as A instead of training; needs --b." };
        var checkpointB = new Option<string?>("--b") { Description = "The checkpoint to use as B; needs --a." };
        var output = new Option<string?>("--out") { Description = "Output folder: report.md, interpolation.csv, interpolation.png (and a.safetensors, b.safetensors when trained here). Default runs/merge-<architecture>." };
        var data = new Option<string?>("--data") { Description = $"Fashion-MNIST folder (default ${FashionMnist.DirectoryVariable} or {FashionMnist.DefaultDirectory})." };
        var threads = new Option<int?>("--threads") { Description = "torch.set_num_threads (default: torch's choice, one per core)." };

        var command = new Command("merge",
            "Linear mode connectivity: train two networks of a zoo architecture from two seeds (or load two checkpoints), interpolate their weights " +
            "with and without weight matching (Git Re-Basin), and report loss and accuracy barriers on the test set and a training subset.")
        {
            architecture, seeds, epochs, fraction, learningRate, batch, points, evalTrain, resetBn, checkpointA, checkpointB, output, data, threads,
        };
        command.SetAction(parse =>
        {
            try
            {
                Threads.Apply(parse.GetValue(threads));
                var settings = new MergeSettings(parse.GetValue(architecture)!, ParseSeeds(parse.GetValue(seeds)!), parse.GetValue(epochs),
                    parse.GetValue(fraction), parse.GetValue(learningRate), parse.GetValue(batch), parse.GetValue(points), parse.GetValue(evalTrain),
                    parse.GetValue(resetBn), parse.GetValue(checkpointA), parse.GetValue(checkpointB), parse.GetValue(data));
                settings.Validate();
                string folder = parse.GetValue(output) ?? Path.Combine("runs", $"merge-{settings.Architecture}");
                return Run(settings, folder, string.Join(" ", ["gmn", .. Environment.GetCommandLineArgs()[1..]]));
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or IOException or InvalidDataException or KeyNotFoundException)
            {
                Console.Error.WriteLine($"gmn merge: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private sealed record MergeSettings(string Architecture, (long A, long B) Seeds, int Epochs, double TrainFraction, double LearningRate, int BatchSize,
        int Points, int TrainEvalImages, bool ResetBatchNorm, string? CheckpointA, string? CheckpointB, string? DataDirectory)
    {
        public bool FromCheckpoints => CheckpointA is not null;

        public void Validate()
        {
            if ((CheckpointA is null) != (CheckpointB is null)) throw new ArgumentException("--a and --b come together: the two checkpoints to interpolate.");
            if (Epochs < 1) throw new ArgumentException($"--epochs must be at least 1, not {Epochs}.");
            if (!(TrainFraction > 0 && TrainFraction <= 1)) throw new ArgumentException($"--train-fraction must lie in (0, 1], not {TrainFraction}.");
            if (!(LearningRate > 0)) throw new ArgumentException($"--lr must be positive, not {LearningRate}.");
            if (BatchSize < 1) throw new ArgumentException($"--batch-size must be at least 1, not {BatchSize}.");
            if (Points < 2) throw new ArgumentException($"--points must be at least 2 (λ = 0 and 1), not {Points}.");
            if (TrainEvalImages < 1) throw new ArgumentException($"--train-eval-images must be at least 1, not {TrainEvalImages}.");
        }
    }

    private static (long, long) ParseSeeds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long a)
                              || !long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long b))
            throw new ArgumentException($"--seeds expects two integers separated by a comma (the seeds of A and B), got '{text}'.");
        return (a, b);
    }

    private static int Run(MergeSettings s, string folder, string commandLine)
    {
        var stopwatch = Stopwatch.StartNew();
        var architecture = ZooArchitecture.Find(s.Architecture);   // its message says where architectures are declared
        using var data = FashionMnist.Load(s.DataDirectory);
        var lines = new List<(string, string)>();
        nn.Module<Tensor, Tensor>? a = null, b = null;
        ImageSet? subset = null, evaluation = null;
        try
        {
            if (s.FromCheckpoints)
            {
                a = MergeCheckpoint.Load(s.CheckpointA!, architecture);
                b = MergeCheckpoint.Load(s.CheckpointB!, architecture);
                evaluation = EndpointTrainer.Subset(data.Train, Math.Min(s.TrainEvalImages, data.Train.Count), seed: 0);
                lines.Add(("Networks", $"A = `{s.CheckpointA}`, B = `{s.CheckpointB}` (loaded, not trained here)"));
                lines.Add(("Training images scored", $"{evaluation.Count:N0} drawn from the Fashion-MNIST training set with seed 0"));
                AnsiConsole.MarkupLine($"merge [bold]{architecture.Name}[/]: A = {Markup.Escape(s.CheckpointA!)}, B = {Markup.Escape(s.CheckpointB!)}");
            }
            else
            {
                int images = Math.Max(1, (int)Math.Round(s.TrainFraction * data.Train.Count));
                subset = EndpointTrainer.Subset(data.Train, images, s.Seeds.A);
                var options = new TrainingOptions { Optimizer = OptimizerKind.Adam, LearningRate = s.LearningRate, Epochs = s.Epochs, BatchSize = s.BatchSize };
                AnsiConsole.MarkupLine($"merge [bold]{architecture.Name}[/]: two networks (seeds {s.Seeds.A} and {s.Seeds.B}), {Epochs(s.Epochs)} of Adam (lr {s.LearningRate.ToString(CultureInfo.InvariantCulture)}) " +
                                       $"on the same {images:N0} training images");
                (a, b) = TrainBoth(architecture, subset, s.Seeds, options);
                Directory.CreateDirectory(folder);
                foreach (var (file, model, seed) in new[] { ("a.safetensors", a, s.Seeds.A), ("b.safetensors", b, s.Seeds.B) })
                    MergeCheckpoint.Save(Path.Combine(folder, file), architecture, model, new Dictionary<string, string> { ["seed"] = seed.ToString(CultureInfo.InvariantCulture) });
                evaluation = subset.Take(s.TrainEvalImages);
                lines.Add(("Seeds", $"{s.Seeds.A} (A), {s.Seeds.B} (B): initial weights, dropout and batch order; both train on the same subset, drawn with seed {s.Seeds.A}"));
                lines.Add(("Training", $"{Epochs(s.Epochs)}, Adam lr {s.LearningRate.ToString(CultureInfo.InvariantCulture)}, batch {s.BatchSize}, on {images:N0} Fashion-MNIST training images (train fraction {s.TrainFraction.ToString(CultureInfo.InvariantCulture)})"));
                lines.Add(("Weights", "`a.safetensors`, `b.safetensors` (reuse them with `--a`/`--b`)"));
                lines.Add(("Training images scored", $"the first {evaluation.Count:N0} of the training subset"));
            }

            double accuracyA = ClassifierScore.Of(a, data.Test, architecture.ShapeInput).Accuracy;
            double accuracyB = ClassifierScore.Of(b, data.Test, architecture.ShapeInput).Accuracy;
            AnsiConsole.MarkupLine($"test accuracy: A {accuracyA:P2}, B {accuracyB:P2}");
            var study = new BarrierStudyOptions { Points = s.Points, ResetBatchNorm = s.ResetBatchNorm };
            if (!s.ResetBatchNorm) lines.Add(("BatchNorm reset", "off (`--reset-bn false`): running statistics interpolated like the weights"));
            var result = Study(architecture, a, b, evaluation, data.Test, study);
            var info = new MergeRunInfo(commandLine, architecture.Name, lines, accuracyA, accuracyB, stopwatch.Elapsed);
            var files = MergeWriter.Write(folder, info, result);
            Print(result);
            AnsiConsole.MarkupLine($"merge took {ReportFormat.Duration(stopwatch.Elapsed)}; report: [bold]{Markup.Escape(files[^1])}[/]");
            foreach (var file in files.Take(files.Count - 1)) AnsiConsole.MarkupLine($"wrote {Markup.Escape(file)}");
            return 0;
        }
        finally
        {
            a?.Dispose();
            b?.Dispose();
            evaluation?.Dispose();
            subset?.Dispose();
        }
    }

    private static (nn.Module<Tensor, Tensor>, nn.Module<Tensor, Tensor>) TrainBoth(ZooArchitecture architecture, ImageSet subset, (long A, long B) seeds, TrainingOptions options)
    {
        nn.Module<Tensor, Tensor>? a = null, b = null;
        // Refreshed by hand from the training thread, never by Spectre's timer thread (see ExperimentCommand).
        AnsiConsole.Progress()
            .AutoRefresh(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var taskA = context.AddTask($"A (seed {seeds.A})");
                var taskB = context.AddTask($"B (seed {seeds.B})");
                a = EndpointTrainer.Train(architecture, subset, seeds.A, options, new TrainingBar(context, taskA));
                try
                {
                    b = EndpointTrainer.Train(architecture, subset, seeds.B, options, new TrainingBar(context, taskB));
                }
                catch
                {
                    a.Dispose();
                    throw;
                }
            });
        return (a!, b!);
    }

    private static BarrierStudyResult Study(ZooArchitecture architecture, nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b, ImageSet train, ImageSet test, BarrierStudyOptions options)
    {
        BarrierStudyResult result = null!;
        AnsiConsole.Progress()
            .AutoRefresh(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("interpolations", maxValue: options.Points * MergeMethods.All.Count);
                result = BarrierStudy.Run(architecture, a, b, train, test, options, new StudyBar(context, task));
            });
        return result;
    }

    private static void Print(BarrierStudyResult result)
    {
        var table = new Table().AddColumns("method", "test loss barrier", "test acc. barrier", "train loss barrier", "train acc. barrier", "test acc. mid-path");
        foreach (var barrier in result.Barriers)
        {
            var middle = result.Points.Where(p => p.Method == barrier.Method).MinBy(p => Math.Abs(p.Lambda - 0.5))!;
            table.AddRow(barrier.Method, ReportFormat.Score(barrier.TestLoss), PercentagePoints(barrier.TestAccuracy), ReportFormat.Score(barrier.TrainLoss),
                PercentagePoints(barrier.TrainAccuracy), $"{middle.TestAccuracy:P2} at λ {middle.Lambda.ToString("0.###", CultureInfo.InvariantCulture)}");
        }
        AnsiConsole.Write(table);
        var m = result.Matching;
        AnsiConsole.MarkupLine($"weight matching: Σ⟨A, B⟩ {m.ObjectiveBefore:G4} → {m.ObjectiveAfter:G4} in {m.Sweeps} sweeps" +
                               (result.BatchNormLayers > 0 ? $"; BatchNorm statistics of {result.BatchNormLayers} layers recomputed at every λ" : ""));
    }

    private static string Epochs(int epochs) => epochs == 1 ? "1 epoch" : $"{epochs} epochs";

    private static string PercentagePoints(double value) =>
        double.IsNaN(value) ? "n/a" : (100 * value).ToString("F2", CultureInfo.InvariantCulture) + " pp";

    /// <summary>Moves a training bar (reported synchronously from the training thread).</summary>
    private sealed class TrainingBar(ProgressContext context, ProgressTask task) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            task.MaxValue = value.TotalSteps;
            task.Value = value.Step;
            // Steps of small networks take milliseconds: redraw now and then, and at the end.
            if (value.Step % 20 == 0 || value.Step == value.TotalSteps) context.Refresh();
        }
    }

    /// <summary>Moves the interpolation bar.</summary>
    private sealed class StudyBar(ProgressContext context, ProgressTask task) : IProgress<BarrierProgress>
    {
        public void Report(BarrierProgress value)
        {
            task.Value = value.Done;
            task.Description = $"interpolations: {value.Method} λ = {value.Lambda.ToString("0.###", CultureInfo.InvariantCulture)}";
            context.Refresh();
        }
    }
}
