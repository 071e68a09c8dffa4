using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using GmnGen.Cli.Bench;
using GmnGen.Metanet;
using GmnGen.Runtime;
using Spectre.Console;
using TorchSharp;

namespace GmnGen.Cli.Commands;

/// <summary><c>gmn bench</c>: the machine's matmul rate, graph building, metanet training and
/// inference, measured side by side in one run, printed and written as a markdown report.</summary>
public static class BenchCommand
{
    private static readonly int[] DefaultBatchSizes = [1, 8, 32, 64];

    public static Command Create()
    {
        var batchSizes = new Option<string>("--batch-sizes")
        {
            Description = "Comma-separated graphs per batch for graph building and training.",
            DefaultValueFactory = _ => string.Join(",", DefaultBatchSizes),
        };
        var steps = new Option<int>("--steps")
        {
            Description = "Timed training steps per configuration (after warm-up; fewer when --config-seconds runs out).",
            DefaultValueFactory = _ => 5,
        };
        var warmup = new Option<int>("--warmup")
        {
            Description = "Untimed training steps before the timed ones (all run; up to 3 more while a step still spends over 10 % of its time in the kernel faulting in memory).",
            DefaultValueFactory = _ => 2,
        };
        var maxStepSeconds = new Option<double>("--max-step-seconds")
        {
            Description = "Skip a training configuration whose step is predicted (from the next smaller batch) to take longer than this; 0 runs all.",
            DefaultValueFactory = _ => 15,
        };
        var leakSteps = new Option<int?>("--leak-steps") { Description = "Steps of the leak check on ZooCnn, width 64, batch 8 (default 30; 6 steps of batch 2 with --quick; 0 skips it)." };
        var configSeconds = new Option<double>("--config-seconds")
        {
            Description = "Soft time limit per configuration: no new timed step starts after it (at least 2 run, or 1 that alone took twice as long).",
            DefaultValueFactory = _ => 8,
        };
        var networks = new Option<string?>("--networks") { Description = "Comma-separated declared networks for graph building and training: ZooCnn, WideCnn (default: both)." };
        var widths = new Option<string?>("--widths") { Description = "Comma-separated metanet widths to train (default: the GmnConfig default, 128, and 64)." };
        var inferenceBatch = new Option<int?>("--inference-batch") { Description = "ZooCnn graphs in the inference batch (default 256; 16 with --quick)." };
        var quick = new Option<bool>("--quick") { Description = "Smoke run in about a minute: batch sizes 1 and 4, two timed steps, fewer repetitions, inference on 16 graphs, short leak check." };
        var noReference = new Option<bool>("--no-reference") { Description = "Do not run the plain-PyTorch reference implementation (scripts/reference_gmn.py; off with --quick anyway)." };
        var referenceBatch = new Option<int>("--reference-batch")
        {
            Description = "Graphs per training batch of the reference runs (one per network and width; GmnGen is measured at the same batch size).",
            DefaultValueFactory = _ => 32,
        };
        var trainingPrecisions = new Option<string>("--training-precisions")
        {
            Description = "Comma-separated precisions of the per-edge products that training is measured in: float32, bfloat16 (GraphMetanet.TrainingPrecision; each configuration runs in each, side by side; " +
                          "by default float32 alone where GmnGen switched libtorch's oneDNN off, docs/onednn-zen5.md).",
            DefaultValueFactory = _ => "float32,bfloat16",
        };
        var referenceAllocator = new Option<string>("--reference-allocator")
        {
            Description = "Comma-separated allocator settings the reference runs under, each between two GmnGen measurements: default (Python's and glibc's, " +
                          "what a user of the official code gets) and tuned (GmnGen's own: freed memory stays in the heap, so the ratio does not depend on how fast the machine faults memory in).",
            DefaultValueFactory = _ => "default,tuned",
        };
        var threads = new Option<int?>("--threads") { Description = "torch.set_num_threads before measuring (default: leave torch's default)." };
        var device = new Option<string>("--device") { Description = "Where the matmul, training, inference and the reference run: cpu, cuda or auto.", DefaultValueFactory = _ => "cpu" };
        var output = new Option<string>("--out")
        {
            Description = "Markdown report to write (atomically).",
            DefaultValueFactory = _ => "bench-results.md",
        };

        var command = new Command("bench",
            "Measure, side by side in one run: the 1024³ matmul rate, graph building + collation against a plain copy, " +
            "metanet training throughput and memory per batch size and width, and inference on 256 graphs. Prints tables and writes a markdown report.")
        {
            batchSizes, steps, warmup, configSeconds, maxStepSeconds, networks, widths, trainingPrecisions, inferenceBatch, leakSteps, quick, noReference, referenceBatch, referenceAllocator, threads, device, output,
        };
        command.SetAction(parse =>
        {
            try
            {
                return Run(Resolve(parse));
            }
            catch (Exception e) when (e is ArgumentException || (e is InvalidOperationException && e.Message.Contains("CUDA")))
            {
                Console.Error.WriteLine($"gmn bench: {e.Message}");
                return 2;
            }
        });
        return command;

        BenchSettings Resolve(ParseResult parse)
        {
            bool isQuick = parse.GetValue(quick);
            var sizes = parse.GetResult(batchSizes) is { Implicit: false } || !isQuick ? ParseList(parse.GetValue(batchSizes)!, "--batch-sizes") : [1, 4];
            bool reference = !isQuick && !parse.GetValue(noReference);
            int referenceSize = Positive(parse.GetValue(referenceBatch), "--reference-batch");
            // GmnGen is always measured at the reference's batch size, so that the two stand side by side.
            if (reference && !sizes.Contains(referenceSize)) sizes = [.. sizes, referenceSize];
            var defaultWidth = new GmnConfig().Hidden;
            var widthList = parse.GetValue(widths) is { } w ? ParseList(w, "--widths") : [defaultWidth, 64];
            if (parse.GetValue(threads) is { } n)
            {
                if (n < 1) throw new ArgumentException("--threads must be at least 1.");
                torch.set_num_threads(n);
            }
            var networkList = parse.GetValue(networks) is { } names
                ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(name =>
                    Architecture.All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new ArgumentException($"Unknown network '{name}' in --networks: expected {string.Join(" or ", Architecture.All.Select(a => a.Name))}.")).Distinct().ToArray()
                : Architecture.All;
            return new BenchSettings
            {
                BatchSizes = sizes,
                Networks = networkList,
                Widths = widthList,
                // With oneDNN off (docs/onednn-zen5.md) bfloat16 products take libtorch's slow fallback: only when asked for.
                TrainingPrecisions = parse.GetResult(trainingPrecisions) is null or { Implicit: true } && !OneDnn.Enabled
                    ? [ProductPrecision.Float32]
                    : ParsePrecisions(parse.GetValue(trainingPrecisions)!),
                Steps = isQuick && parse.GetResult(steps) is null or { Implicit: true } ? 2 : Positive(parse.GetValue(steps), "--steps"),
                WarmupSteps = Math.Max(0, parse.GetValue(warmup)),
                ConfigSeconds = isQuick ? Math.Min(parse.GetValue(configSeconds), 3) : parse.GetValue(configSeconds),
                MaxStepSeconds = isQuick && parse.GetResult(maxStepSeconds) is null or { Implicit: true } ? 5 : Math.Max(0, parse.GetValue(maxStepSeconds)),
                LeakSteps = Math.Max(0, parse.GetValue(leakSteps) ?? (isQuick ? 6 : 30)),
                BuildReps = isQuick ? 5 : 15,
                MatmulReps = isQuick ? 5 : 15,
                InferenceBatch = Positive(parse.GetValue(inferenceBatch) ?? (isQuick ? 16 : 256), "--inference-batch"),
                InferenceReps = isQuick ? 1 : 3,
                Quick = isQuick,
                Reference = reference,
                ReferenceBatch = referenceSize,
                ReferenceAllocators = ParseAllocators(parse.GetValue(referenceAllocator)!),
                OutputPath = parse.GetValue(output)!,
                CommandLine = CommandLineText(),
                Device = DeviceChoices.Parse(parse.GetValue(device)!).Resolve(),
            };
        }
    }

    private static int Run(BenchSettings settings)
    {
        var clock = Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        var report = new BenchReport(settings, machine);
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected) console.Profile.Width = Math.Max(console.Profile.Width, 200);
        console.Write(new Rule("gmn bench").LeftJustified());
        console.MarkupLine($"[grey]{Markup.Escape(settings.CommandLine)}[/]");
        console.MarkupLine($"device: [bold]{settings.Device}[/]");
        console.Write(report.MachineTable().ToSpectre());

        if (settings.Device.type == DeviceType.CPU)
        {
            double gib = MemoryTouchBench.DefaultGiB(ProcessMemory.AvailableMiB);
            Stage("(0) memory: first touch", () => report.MemoryTouch = MemoryTouchBench.Run(settings.Quick ? Math.Min(1, gib) : gib));
            console.Write(report.MemoryTouchTable().ToSpectre());
        }

        Stage("(a) matmul 1024³", () => report.Matmul = MatmulBench.Run(settings.MatmulReps, settings.Device));
        console.Write(report.MatmulTable().ToSpectre());
        if (settings.Device.type == DeviceType.CPU)
        {
            Stage("(a′) float32 FMA peak", () =>
            {
                int threads = torch.get_num_threads();
                report.FmaPeak.Add(FmaPeakBench.Run(1));
                if (threads > 1) report.FmaPeak.Add(FmaPeakBench.Run(threads));
            });
            console.Write(report.FmaPeakTable().ToSpectre());
        }

        Stage("(b) graph construction", () =>
        {
            foreach (var architecture in settings.Networks)
                foreach (var batch in settings.BatchSizes)
                    report.GraphBuilds.Add(GraphBuildBench.Run(architecture, batch, settings.BuildReps));
        });
        console.Write(report.GraphBuildTable().ToSpectre());

        Stage("(b′) first ToParameterGraph of an architecture", () =>
        {
            foreach (var (name, layout) in TopologyBuildBench.Layouts(settings.Networks))
                report.TopologyBuilds.Add(TopologyBuildBench.Run(name, layout, settings.Quick ? 5 : 21));
        });
        console.Write(report.TopologyBuildTable().ToSpectre());

        Stage("(c) training", () =>
        {
            foreach (var hidden in settings.Widths)
                foreach (var architecture in settings.Networks)
                {
                    TrainingBench.Result? previous = null;
                    foreach (var batch in settings.BatchSizes.OrderBy(b => b))
                    {
                        var config = new GmnConfig { Hidden = hidden };
                        long edges = (long)batch * architecture.EdgeCount;
                        if (SkipReason(previous, edges, settings) is { } reason)
                        {
                            report.SkippedTraining.Add(new TrainingBench.Skipped(architecture.Name, hidden, batch, edges, reason));
                            console.MarkupLine($"  [yellow]{Markup.Escape($"{architecture.Name} h={hidden} B={batch}: skipped, {reason}")}[/]");
                            continue;
                        }
                        // The precisions (and float32 on the tiles, then on the libtorch composition) one after another on
                        // the same shape, so that drift hits them alike; the skip rule reads the first run.
                        bool first = true;
                        foreach (var precision in settings.TrainingPrecisions)
                        foreach (bool tiled in TrainingBench.TilesApply(hidden, precision, settings.Device, edges) ? new[] { true, false } : new[] { false })
                        {
                            var result = TrainingBench.Run(architecture, config, precision, batch, settings,
                                line => console.MarkupLine($"  [grey]{Markup.Escape(line)}[/]"), tiled);
                            report.Training.Add(result);
                            if (first) previous = result;
                            first = false;
                        }
                    }
                }
        });
        console.Write(report.TrainingTable().ToSpectre());

        Stage("(d) inference", () =>
        {
            foreach (var hidden in settings.Widths)
            {
                var config = new GmnConfig { Hidden = hidden };
                foreach (var batch in new[] { BenchReport.InferenceProbeBatch, settings.InferenceBatch }.Distinct().Order())
                {
                    long edges = (long)batch * Architecture.Zoo.EdgeCount;
                    var probe = report.Inference.LastOrDefault(r => r.Hidden == hidden);
                    if (probe is not null)
                    {
                        double memory = probe.PeakIncreaseMiB * edges / probe.Edges, available = ProcessMemory.AvailableMiB;
                        if (memory > 0.8 * available)
                        {
                            var reason = $"predicted peak ~{memory / 1024:F1} GiB (B={probe.Batch}: {probe.PeakIncreaseMiB / 1024:F2} GiB) > 80 % of {available / 1024:F1} GiB available";
                            report.SkippedInference.Add(new InferenceBench.Skipped(Architecture.Zoo.Name, hidden, batch, edges, reason));
                            console.MarkupLine($"  [yellow]{Markup.Escape($"h={hidden} B={batch}: skipped, {reason}")}[/]");
                            continue;
                        }
                    }
                    // float32 on the tiles (the default) and, where the tiles apply, on the libtorch composition right after; then bfloat16.
                    foreach (var precision in OneDnn.Enabled ? Enum.GetValues<ProductPrecision>() : [ProductPrecision.Float32])
                    foreach (bool tiled in InferenceBench.TilesApply(hidden, precision, settings.Device) ? new[] { true, false } : new[] { false })
                    {
                        var result = InferenceBench.Run(Architecture.Zoo, config, precision, batch, settings.InferenceReps, settings.ConfigSeconds, settings.Device, tiled);
                        report.Inference.Add(result);
                        console.MarkupLine($"  [grey]h={hidden} B={batch} {precision}{(tiled ? ", tiles" : "")}: {result.ForwardSeconds * 1000:F0} ms, peak +{result.PeakIncreaseMiB:F0} MiB[/]");
                    }
                }
            }
        });
        console.Write(report.InferenceTable().ToSpectre());
        console.Write(report.MemoryTable().ToSpectre());

        if (settings.Reference)
        {
            Stage("(f) reference implementation", () => RunReference(settings, report, console));
            console.Write(report.ReferenceTable().ToSpectre());
        }

        if (settings.LeakSteps > 0)
        {
            Stage("(e) leak check", () => report.LeakCheck = LeakCheckBench.Run(Architecture.Zoo, new GmnConfig { Hidden = 64 }, settings.Quick ? 2 : 8, settings.LeakSteps));
            console.Write(report.LeakTable().ToSpectre());
        }

        Stage("(g) Conv1d: libtorch against im2col", () => report.Conv1d.AddRange(Conv1dBench.Run(settings.Quick ? 5 : 30)));
        console.Write(report.Conv1dTable().ToSpectre());

        Stage("(a) matmul 1024³ again", () => report.MatmulAtEnd = MatmulBench.Run(settings.MatmulReps, settings.Device));
        report.LoadAtEnd = MachineInfo.LoadAverage();
        console.Write(report.MatmulTable().ToSpectre());

        report.Elapsed = clock.Elapsed;
        report.Write(settings.OutputPath);
        console.MarkupLine($"Report written to [bold]{Markup.Escape(Path.GetFullPath(settings.OutputPath))}[/] ({clock.Elapsed.TotalSeconds:F0} s).");
        return 0;

        void Stage(string name, Action action)
        {
            var watch = Stopwatch.StartNew();
            console.MarkupLine($"[bold]{Markup.Escape(name)}[/] …");
            action();
            console.MarkupLine($"[grey]{Markup.Escape(name)} took {watch.Elapsed.TotalSeconds:F1} s[/]");
        }
    }

    /// <summary>(f) For every network and width at the reference batch: the matmul rate, GmnGen, the
    /// reference (training and, on ZooCnn graphs, its forward pass over the inference batch) in its own
    /// process, then GmnGen again (<see cref="SideBySideBench"/>).</summary>
    private static void RunReference(BenchSettings settings, BenchReport report, IAnsiConsole console)
    {
        var script = ReferenceBench.FindScript();
        if (ReferenceBench.Unavailable(script) is { } reason)
        {
            report.ReferenceUnavailable = reason;
            console.MarkupLine($"  [yellow]{Markup.Escape("reference skipped: " + reason)}[/]");
            return;
        }
        void Progress(string line) => console.MarkupLine($"  [grey]{Markup.Escape(line)}[/]");
        foreach (var hidden in settings.Widths)
            foreach (var architecture in settings.Networks)
            {
                var config = new GmnConfig { Hidden = hidden };
                // Inference only where stage (d) ran the batch (it skips one predicted not to fit in memory).
                bool infer = architecture == Architecture.Zoo && report.Inference.Any(r => r.Hidden == hidden && r.Batch == settings.InferenceBatch);
                (List<TrainingBench.Result> Training, InferenceBench.Result? Inference) MeasureGmnGen(string when)
                {
                    var training = settings.TrainingPrecisions
                        .Select(precision => TrainingBench.Run(architecture, config, precision, settings.ReferenceBatch, settings, line => Progress($"{when}: {line}")))
                        .ToList();
                    var inference = infer
                        ? InferenceBench.Run(architecture, config, ProductPrecision.Float32, settings.InferenceBatch, settings.InferenceReps, settings.ConfigSeconds, settings.Device)
                        : null;
                    if (inference is not null) Progress($"{when}: inference of {inference.Batch}: {inference.ForwardSeconds:F2} s");
                    return (training, inference);
                }

                var matmul = MatmulBench.Run(5, settings.Device);
                Progress($"{architecture.Name} h={hidden}: matmul {matmul.MedianGflops:F0} GFLOP/s");
                // GmnGen, then each reference run followed by GmnGen again: every reference run lies between two GmnGen
                // measurements (with two allocator settings, the one in the middle serves both pairs).
                var before = MeasureGmnGen("GmnGen before");
                foreach (var allocator in settings.ReferenceAllocators)
                {
                    string name = ReferenceBench.AllocatorName(allocator);
                    var (result, failure) = ReferenceBench.Run(script!, architecture.Name, hidden, settings.ReferenceBatch, torch.get_num_threads(),
                        // Tuned, the first steps still fault the heap in (a timed first step took twice the next ones): two warm-up steps.
                        warmup: allocator == ReferenceAllocator.Tuned ? 2 : 1, steps: settings.Steps, maxSeconds: 4 * settings.ConfigSeconds, infer ? settings.InferenceBatch : 0, timeout: TimeSpan.FromMinutes(15),
                        allocator, device: settings.Device.type == DeviceType.CUDA ? "cuda" : "cpu");
                    if (failure is not null)
                    {
                        report.ReferenceFailures.Add(failure);
                        Progress($"{architecture.Name} h={hidden}: reference ({name} allocator) failed, {failure.Reason}");
                        continue;
                    }
                    Progress($"reference ({name} allocator) {architecture.Name} h={hidden} B={result!.Batch}: {result.MedianSeconds:F2} s/step, {result.GraphsPerSecond:F2} graphs/s" +
                             (result.InferenceSeconds is { } s ? $"; inference of {result.InferenceBatch}: {s:F2} s" : ""));
                    var after = MeasureGmnGen("GmnGen after");
                    report.Pairs.Add(new SideBySideBench.Pair(architecture.Name, hidden, matmul.MedianGflops, result, before.Training, after.Training, before.Inference, after.Inference));
                    before = after;
                }
            }
    }

    private static IReadOnlyList<ProductPrecision> ParsePrecisions(string text) =>
        ParseChoices(text, "--training-precisions", ("float32", ProductPrecision.Float32), ("bfloat16", ProductPrecision.BFloat16));

    private static IReadOnlyList<ReferenceAllocator> ParseAllocators(string text) =>
        ParseChoices(text, "--reference-allocator", ("default", ReferenceAllocator.Default), ("tuned", ReferenceAllocator.Tuned));

    /// <summary>A comma-separated list of <paramref name="choices"/>' names (case-insensitive, repeats dropped).</summary>
    private static T[] ParseChoices<T>(string text, string option, params (string Name, T Value)[] choices)
    {
        string expected = string.Join(" or ", choices.Select(c => c.Name));
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException($"{option} needs at least one of {expected}.");
        return names.Select(name => choices.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } choice
            ? choice.Value
            : throw new ArgumentException($"Unknown value '{name}' in {option}: expected {expected}.")).Distinct().ToArray();
    }

    /// <summary>Why a configuration is skipped: its step or its memory, predicted from the next smaller
    /// batch's by scaling with the edge count, would exceed the time limit or 80 % of the available memory.</summary>
    private static string? SkipReason(TrainingBench.Result? previous, long edges, BenchSettings settings)
    {
        if (previous is null) return null;
        double scale = (double)edges / previous.Edges;
        double memory = previous.PeakIncreaseMiB * scale, available = ProcessMemory.AvailableMiB;
        if (memory > 0.8 * available)
            return $"predicted peak ~{memory / 1024:F1} GiB (B={previous.Batch}: {previous.PeakIncreaseMiB / 1024:F1} GiB) > 80 % of {available / 1024:F1} GiB available";
        double seconds = previous.MedianSeconds * scale;
        return settings.MaxStepSeconds > 0 && seconds > settings.MaxStepSeconds
            ? $"predicted ~{seconds:F0} s/step (B={previous.Batch}: {previous.MedianSeconds:F1} s) > {settings.MaxStepSeconds:F0} s"
            : null;
    }

    private static int[] ParseList(string text, string option)
    {
        try
        {
            var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Distinct().ToArray();
            if (values.Length == 0 || values.Any(v => v < 1)) throw new FormatException();
            return values;
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{option} expects positive integers separated by commas, got '{text}'.");
        }
    }

    private static int Positive(int value, string option) =>
        value >= 1 ? value : throw new ArgumentException($"{option} must be at least 1, got {value}.");

    /// <summary>Environment variables that change what the benchmark measures.</summary>
    private static readonly string[] Levers = ["GMNGEN_DEFAULT_MALLOC", "THP_MEM_ALLOC_ENABLE", "GLIBC_TUNABLES", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS", "MKL_NUM_THREADS"];

    /// <summary>The command as typed (program name <c>gmn</c>), preceded by the environment levers that are set.</summary>
    private static string CommandLineText()
    {
        var environment = Levers.Where(v => Environment.GetEnvironmentVariable(v) is not null)
            .Select(v => $"{v}={Quote(Environment.GetEnvironmentVariable(v)!)} ");
        var args = Environment.GetCommandLineArgs().Skip(1).Select(Quote);
        return string.Concat(environment) + "gmn " + string.Join(" ", args);
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_=,./:".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";
}
