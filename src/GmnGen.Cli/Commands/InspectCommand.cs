using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Reflection;
using GmnGen.Graphs;
using GmnGen.Storage;
using Spectre.Console;
using TorchSharp;

namespace GmnGen.Cli.Commands;

/// <summary><c>gmn inspect</c>: the declared networks of a user's assembly, their graphs and symmetries.</summary>
public static class InspectCommand
{
    /// <summary>The command and its options.</summary>
    public static Command Create()
    {
        var assembly = new Argument<string>("assembly") { Description = "A built assembly (.dll) whose [Network] classes GmnGen generated." };
        var network = new Option<string?>("--network") { Description = "Only this network (class name, or full name)." };
        var graph = new Option<string?>("--graph") { Description = "Also write the network's parameter graph (freshly initialised weights) to this safetensors file (needs --network when the assembly declares several)." };
        var official = new Option<bool>("--official") { Description = "With --graph: the official GMN code's numbering." };
        var command = new Command("inspect", "Print each declared network's graph counts, symmetry groups and number of automorphisms.") { assembly, network, graph, official };
        command.SetAction(parse =>
        {
            try
            {
                return Run(parse.GetValue(assembly)!, parse.GetValue(network), parse.GetValue(graph), parse.GetValue(official));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or IOException or BadImageFormatException)
            {
                Console.Error.WriteLine($"gmn inspect: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static int Run(string path, string? only, string? graphPath, bool official)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No assembly at '{path}'.", path);
        var loaded = Assembly.LoadFrom(Path.GetFullPath(path));
        Type[] all;
        try
        {
            all = loaded.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            all = e.Types.OfType<Type>().ToArray();   // types whose dependencies are missing cannot be networks we can build anyway
        }
        var types = all.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IGraphNetwork).IsAssignableFrom(t)
                                                  && (only is null || t.Name == only || t.FullName == only)).OrderBy(t => t.FullName).ToList();
        if (types.Count == 0)
            throw new ArgumentException(only is null
                ? $"{path} declares no network GmnGen generated (no class implementing IGraphNetwork)."
                : $"{path} declares no network named '{only}'.");
        if (graphPath is not null && types.Count > 1)
            throw new ArgumentException($"{path} declares {types.Count} networks; name one with --network to write its graph.");
        foreach (var type in types)
        {
            var layout = (ParameterGraphLayout)Static(type, nameof(IGraphNetwork.GraphLayout));
            var symmetries = (Symmetries.SymmetrySpec)Static(type, nameof(IGraphNetwork.Symmetries));
            var input = (System.Collections.Generic.IReadOnlyList<int>)Static(type, nameof(IGraphNetwork.InputShape));
            var outputShape = (System.Collections.Generic.IReadOnlyList<int>)Static(type, nameof(IGraphNetwork.OutputShape));
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(type.FullName!)}[/]: [[{string.Join(", ", input)}]] → [[{string.Join(", ", outputShape)}]]; " +
                                   $"{layout.NodeCount:N0} nodes, {layout.EdgeCount:N0} edges, {layout.ValueCount:N0} values ({layout.State.Count} state tensors)");
            var table = new Table().AddColumns("symmetry group", "size", "acts on (tensor:axis)");
            foreach (var group in symmetries.Groups)
                table.AddRow(Markup.Escape(group.Name), group.Size.ToString(), Markup.Escape(string.Join(", ", group.Actions.Select(a => $"{a.Tensor}:{a.Axis}"))));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"automorphisms: 10^{symmetries.Log10Order:F1}; scaling symmetries: {symmetries.Scalings.Count}");
            if (graphPath is null) continue;
            using var net = (torch.nn.Module)Activator.CreateInstance(type)!;
            using var parameterGraph = ((IGraphNetwork)net).ToParameterGraph();
            GraphSetFile.Save(graphPath, [parameterGraph], names: [type.Name], official: official);
            AnsiConsole.MarkupLine($"graph of a freshly initialised {Markup.Escape(type.Name)} → {Markup.Escape(graphPath)}");
        }
        return 0;
    }

    private static object Static(Type type, string property) =>
        type.GetProperty(property, BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
        ?? throw new InvalidOperationException($"{type.FullName} has no static {property}: was it built with this GmnGen's generator?");
}
