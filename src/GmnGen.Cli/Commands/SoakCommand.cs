using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using GmnGen.Cli.Bench;
using GmnGen.Cli.Soak;
using GmnGen.Data;
using GmnGen.Storage;

namespace GmnGen.Cli.Commands;

/// <summary>
/// <c>gmn soak</c>: zoo runs, GMN fits and a projection ResNet, repeated in one process under GC
/// pressure; reports crashes, non-finite losses, repeats that do not reproduce, memory growth and
/// what the finalizer freed (runs/soak/soak.md, soak.csv).
/// </summary>
public static class SoakCommand
{
    public static Command Create()
    {
        var minutes = new Option<double>("--minutes") { Description = "How long to cycle (the cycle in progress finishes). The recorded soak ran 20.", DefaultValueFactory = _ => 2 };
        var threads = new Option<int>("--threads") { Description = "torch intra-op threads.", DefaultValueFactory = _ => 2 };
        var pressure = new Option<string>("--pressure") { Description = "GC load from a background thread: none, allocate (allocates without pause) or collect (also a full collection every 10 ms).", DefaultValueFactory = _ => "allocate" };
        var race = new Option<long>("--race-calls") { Description = "First show the race: this many multiplications with TorchSharp's implicit Scalars and as many with owned ones (0: skip). The implicit arm can crash the process.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Folder for soak.md, soak.csv and the work files.", DefaultValueFactory = _ => "runs/soak" };
        var seed = new Option<long>("--seed") { Description = "Seed of the zoo and of every fit.", DefaultValueFactory = _ => 0 };
        var zooRuns = new Option<int>("--zoo-runs") { Description = "Zoo runs in the GMN's training zoo; the cycles retrain them in turn.", DefaultValueFactory = _ => 6 };
        var epochs = new Option<int>("--gmn-epochs") { Description = "Epochs of each GMN fit.", DefaultValueFactory = _ => 3 };
        var data = new Option<string?>("--data") { Description = $"Fashion-MNIST folder (default ${FashionMnist.DirectoryVariable} or {FashionMnist.DefaultDirectory})." };

        var command = new Command("soak",
            "Repeat zoo runs, GMN fits and a ResNet with a projection shortcut in one process under GC pressure, and report crashes, " +
            "non-finite losses, repeats that do not reproduce bit for bit, memory growth and TorchSharp objects left to the finalizer.")
        {
            minutes, threads, pressure, race, output, seed, zooRuns, epochs, data,
        };
        command.SetAction(parse =>
        {
            try
            {
                var settings = new SoakSettings(TimeSpan.FromMinutes(parse.GetValue(minutes)), parse.GetValue(threads), ParsePressure(parse.GetValue(pressure)!),
                    parse.GetValue(race), parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(zooRuns), parse.GetValue(epochs));
                if (settings.Threads < 1) throw new ArgumentException($"--threads must be at least 1, not {settings.Threads}.");
                if (settings.ZooRuns < 2) throw new ArgumentException($"--zoo-runs must be at least 2 (the GMN needs training and validation runs), not {settings.ZooRuns}.");
                if (settings.GmnEpochs < 1) throw new ArgumentException($"--gmn-epochs must be at least 1, not {settings.GmnEpochs}.");
                if (settings.RaceCalls < 0) throw new ArgumentException($"--race-calls must not be negative, not {settings.RaceCalls}.");
                return Run(settings, parse.GetValue(data), string.Join(" ", ["gmn", .. Environment.GetCommandLineArgs()[1..]]));
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or InvalidOperationException)
            {
                Console.Error.WriteLine($"gmn soak: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static PressureKind ParsePressure(string text) => text.Trim().ToLowerInvariant() switch
    {
        "none" => PressureKind.None,
        "allocate" => PressureKind.Allocate,
        "collect" => PressureKind.Collect,
        _ => throw new ArgumentException($"--pressure must be none, allocate or collect, not '{text}'."),
    };

    private static int Run(SoakSettings settings, string? dataDirectory, string commandLine)
    {
        using var data = FashionMnist.Load(dataDirectory);
        var clock = Stopwatch.StartNew();
        var records = new System.Collections.Generic.List<SoakRecord>();
        string csv = Path.Combine(settings.Output, "soak.csv");
        var (implicitRace, ownedRace, _) = SoakRunner.Run(settings, data, Console.WriteLine, record =>
        {
            records.Add(record);
            SoakReport.WriteCsv(csv, records);   // after every iteration: a crash still leaves the log
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{record.Iteration,4} cycle {record.Cycle,3} {record.Kind,-8} {record.Work,-8} {record.Seconds,6:F1} s  " +
                $"{(record.Error.Length > 0 ? "ERROR " + record.Error : record.NonFinite ? "NON-FINITE" : record.Reproduced == false ? "DIFFERS" : "ok")}  " +
                $"RSS {record.RssMiB:F0} MiB, managed {record.ManagedMiB:F0} MiB, finalized {record.FinalizedTensors + record.FinalizedScalars + record.FinalizedOther}"));
        });
        if (implicitRace is not null && ownedRace is not null)
            Console.WriteLine($"race: implicit Scalars {implicitRace.Wrong} wrong and {implicitRace.Errors} errors in {implicitRace.Calls:N0} calls; owned {ownedRace.Wrong} and {ownedRace.Errors}");
        var summary = SoakSummary.Of(records, clock.Elapsed);
        var machine = MachineInfo.Read();
        string description = $"{machine.CpuModel}, {machine.LogicalCpus} CPUs, {machine.MemoryGiB:F0} GiB, load {MachineInfo.LoadAverage()}";
        AtomicFile.WriteAllText(Path.Combine(settings.Output, "soak.md"),
            SoakReport.Markdown(settings, commandLine, implicitRace, ownedRace, summary, records, description));
        Console.WriteLine(summary.Verdict());
        Console.WriteLine($"report: {Path.Combine(settings.Output, "soak.md")}");
        return summary.Clean ? 0 : 1;
    }
}
