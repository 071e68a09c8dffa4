using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using GmnGen.Data;
using GmnGen.Tasks.Zoo;
using Spectre.Console;

namespace GmnGen.Cli.Commands;

/// <summary><c>gmn zoo</c>: trains a model zoo on Fashion-MNIST into a folder (resumable, shardable).</summary>
public static class ZooCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Zoo folder (created; an existing zoo with the same settings is resumed or extended).", DefaultValueFactory = _ => "runs/zoo" };
        var family = new Option<string>("--family") { Description = "Architectures to draw from: cnn (varying CNNs), diverse (MLPs, 2D CNNs, 1D CNNs over rows) or all.", DefaultValueFactory = _ => "cnn" };
        var runs = new Option<int>("--runs") { Description = "Training runs (each keeps --checkpoints checkpoints).", DefaultValueFactory = _ => 100 };
        var checkpoints = new Option<int>("--checkpoints") { Description = "Checkpoints kept per run, at geometrically spaced steps.", DefaultValueFactory = _ => 3 };
        var seed = new Option<long>("--seed") { Description = "Master seed: the zoo is a function of its settings and seed.", DefaultValueFactory = _ => 0 };
        var testImages = new Option<int>("--test-images") { Description = "Fashion-MNIST test images each checkpoint is scored on (the first n).", DefaultValueFactory = _ => 10_000 };
        var shard = new Option<string>("--shard") { Description = "Train only part k of n (k/n): disjoint, deterministic parts whose folders merge by copying into one.", DefaultValueFactory = _ => "1/1" };
        var data = new Option<string?>("--data") { Description = $"Fashion-MNIST folder (default ${FashionMnist.DirectoryVariable} or {FashionMnist.DefaultDirectory})." };

        var plan = new Option<int>("--plan") { Description = $"Run-plan version (distributions of the hyper-parameters): {ZooSettings.CurrentPlan}, or 1 to grow a zoo built before issue 12.", DefaultValueFactory = _ => ZooSettings.CurrentPlan };
        var threads = new Option<int?>("--threads") { Description = "torch.set_num_threads (default: torch's choice, one per core). Two shards with --threads 1 each use 2 cores better than one process for small networks." };

        var command = new Command("zoo", "Train a zoo of small classifiers on Fashion-MNIST and store their checkpoints (safetensors) and a manifest (CSV).")
        {
            output, family, runs, checkpoints, seed, testImages, plan, shard, data, threads,
        };
        command.SetAction(parse =>
        {
            try
            {
                Threads.Apply(parse.GetValue(threads));
                var settings = new ZooSettings(ParseFamily(parse.GetValue(family)!), parse.GetValue(seed), parse.GetValue(checkpoints), parse.GetValue(testImages),
                    Plan: parse.GetValue(plan));
                return Run(parse.GetValue(output)!, settings, parse.GetValue(runs), Shard.Parse(parse.GetValue(shard)!), parse.GetValue(data));
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"gmn zoo: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>"cnn", "diverse" or "all".</summary>
    public static ZooFamily ParseFamily(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cnn" or "varying-cnn" => ZooFamily.VaryingCnn,
        "diverse" => ZooFamily.Diverse,
        "all" => ZooFamily.VaryingCnn | ZooFamily.Diverse,
        _ => throw new ArgumentException($"--family must be cnn, diverse or all, not '{text}'."),
    };

    private static int Run(string directory, ZooSettings settings, int runs, Shard shard, string? dataDirectory)
    {
        using var data = FashionMnist.Load(dataDirectory);
        var architectures = ZooArchitecture.Of(settings.Family);
        AnsiConsole.MarkupLine($"zoo [bold]{Markup.Escape(directory)}[/]: {runs} runs (shard {shard}) over {architectures.Count} architectures, " +
                               $"{settings.Checkpoints} checkpoints each, accuracy on {settings.TestImages:N0} test images, seed {settings.Seed}");

        ZooBuildReport report = null!;
        // Refreshed by hand from the training thread (see ExperimentCommand: no allocating timer thread).
        AnsiConsole.Progress()
            .AutoRefresh(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("training runs", maxValue: Math.Max(1, runs / shard.Count + 1));
                report = ZooBuilder.Build(directory, settings, runs, shard, data, new Progress(context, task));
                task.Value = task.MaxValue;
                context.Refresh();
            });

        var rows = ZooManifest.Read(report.ManifestPath).Where(r => r.HasWeights).ToList();
        AnsiConsole.MarkupLine($"trained {report.RunsTrained} runs in {report.Elapsed.TotalSeconds:F0} s ([bold]{report.RunsPerMinute:F1} runs/min[/], " +
                               $"{report.CheckpointsStored / Math.Max(report.Elapsed.TotalMinutes, 1e-9):F1} checkpoints/min); {report.RunsResumed} runs were already done");
        if (report.CheckpointsDiverged > 0)
            AnsiConsole.MarkupLine($"[yellow]{report.CheckpointsDiverged} checkpoints diverged (non-finite weights): listed in the manifest without weights[/]");
        if (rows.Count > 0)
        {
            var accuracies = rows.Select(r => r.TestAccuracy).Order().ToList();
            AnsiConsole.MarkupLine($"{rows.Count} checkpoints in {Markup.Escape(report.ManifestPath)}; test accuracy min {accuracies[0]:P1}, " +
                                   $"median {accuracies[accuracies.Count / 2]:P1}, max {accuracies[^1]:P1}");
        }
        return 0;
    }

    /// <summary>Moves the Spectre progress bar (reported synchronously from the training thread).</summary>
    private sealed class Progress(ProgressContext context, ProgressTask task) : IProgress<ZooProgress>
    {
        public void Report(ZooProgress value)
        {
            task.MaxValue = value.RunsTotal;
            task.Value = value.RunsDone;
            if (value.LastRun.Count > 0)
                task.Description = $"run {value.LastRun[0].Run} {value.LastRun[0].Architecture} → {value.LastRun[^1].TestAccuracy:P0}";
            context.Refresh();
        }
    }
}
