using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using GmnGen.Storage;
using GmnGen.Tasks.Zoo;
using Spectre.Console;

namespace GmnGen.Cli.Commands;

/// <summary><c>gmn graphs</c>: writes a zoo's checkpoints as parameter graphs (with their test accuracies) to one safetensors file.</summary>
public static class GraphsCommand
{
    /// <summary>The command and its options.</summary>
    public static Command Create()
    {
        var zoo = new Option<string>("--zoo") { Description = "Zoo folder (written by gmn zoo).", Required = true };
        var output = new Option<string>("--out") { Description = "safetensors file to write (x, edge_index, edge_attr, node_ptr, edge_ptr, y; scripts/read_graphs.py reads it).", Required = true };
        var official = new Option<bool>("--official") { Description = "The official GMN code's numbering (layers, type codes; no BatchNorm running statistics) instead of GmnGen's." };
        var command = new Command("graphs", "Export a zoo's checkpoints as parameter graphs, targets (test accuracy) included, for PyTorch Geometric.") { zoo, output, official };
        command.SetAction(parse =>
        {
            try
            {
                string folder = parse.GetValue(zoo)!, path = parse.GetValue(output)!;
                using var members = ZooDataset.Load(folder);
                GraphSetFile.Save(path, members.Select(m => m.Graph).ToList(), members.Select(m => m.Checkpoint.TestAccuracy).ToList(),
                    members.Select(m => m.Checkpoint.Id).ToList(), parse.GetValue(official));
                AnsiConsole.MarkupLine($"{members.Count} graphs ({members.Sum(m => (long)m.Graph.EdgeCount):N0} edges) from {Markup.Escape(folder)} → {Markup.Escape(path)}");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or IOException or InvalidDataException)
            {
                Console.Error.WriteLine($"gmn graphs: {e.Message}");
                return 2;
            }
        });
        return command;
    }
}
