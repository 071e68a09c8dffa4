using System;
using System.CommandLine;
using GmnGen.Cli.SelfCheck;
using GmnGen.Metanet;
using Spectre.Console;
using TorchSharp;

namespace GmnGen.Cli.Commands;

/// <summary><c>gmn selfcheck</c>: the metanet's key properties on a device, printed as pass or fail.</summary>
public static class SelfCheckCommand
{
    /// <summary>The command and its options.</summary>
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda (auto takes CUDA when TorchSharp finds a GPU).", DefaultValueFactory = _ => "auto" };
        var seed = new Option<long>("--seed") { Description = "Seed of the random networks and metanet.", DefaultValueFactory = _ => 7 };
        var command = new Command("selfcheck", "Check the metanet on a device against the CPU (outputs, gradients, automorphism invariance, batching); exit 0 when every check passes.") { device, seed };
        command.SetAction(parse =>
        {
            try
            {
                var target = DeviceChoices.Parse(parse.GetValue(device)!).Resolve();
                AnsiConsole.MarkupLine($"device: [bold]{target}[/] (CUDA available: {torch.cuda.is_available()}); TorchSharp {typeof(torch).Assembly.GetName().Version}");
                AnsiConsole.MarkupLine($"OpenMP spin-waits: {Markup.Escape(GmnGen.Runtime.OpenMpSpin.Describe())}");
                var results = SelfChecks.Run(target, parse.GetValue(seed));
                var table = new Table().AddColumns("check", "relative difference", "tolerance", "result");
                foreach (var r in results)
                    table.AddRow(Markup.Escape(r.Name), r.Difference.ToString("E2"), r.Tolerance.ToString("E0"), r.Passed ? "[green]pass[/]" : "[red]FAIL[/]");
                AnsiConsole.Write(table);
                bool all = System.Linq.Enumerable.All(results, r => r.Passed);
                AnsiConsole.MarkupLine(all ? "[green]all checks passed[/]" : "[red]some checks failed[/]");
                return all ? 0 : 1;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                Console.Error.WriteLine($"gmn selfcheck: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
