using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Cli.Networks;
using GmnGen.Graphs;
using TorchSharp;

namespace GmnGen.Cli.Bench;

/// <summary>A declared network the benchmarks build graphs of: a name, its layout and a factory of
/// freshly initialised (random) instances.</summary>
public sealed record Architecture(string Name, ParameterGraphLayout Layout, Func<IGraphNetwork> Create)
{
    public static readonly Architecture Zoo = new(nameof(ZooCnn), ZooCnn.GraphLayout, () => new ZooCnn());
    public static readonly Architecture Wide = new(nameof(WideCnn), WideCnn.GraphLayout, () => new WideCnn());
    public static IReadOnlyList<Architecture> All { get; } = [Zoo, Wide];

    public int EdgeCount => Layout.EdgeCount;
    public int NodeCount => Layout.NodeCount;

    /// <summary><paramref name="count"/> live, randomly initialised networks.</summary>
    public IGraphNetwork[] CreateMany(int count) => Enumerable.Range(0, count).Select(_ => Create()).ToArray();

    /// <summary>Parameter graphs of <paramref name="count"/> random networks; the networks are disposed.</summary>
    public List<ParameterGraph> RandomGraphs(int count)
    {
        var graphs = new List<ParameterGraph>(count);
        for (int i = 0; i < count; i++)
        {
            var net = Create();
            graphs.Add(net.ToParameterGraph());
            (net as IDisposable)?.Dispose();
        }
        return graphs;
    }

    public static void Release(IEnumerable<ParameterGraph> graphs)
    {
        foreach (var g in graphs) g.EdgeValues.Dispose();
    }

    public static void Release(IEnumerable<IGraphNetwork> networks)
    {
        foreach (var n in networks) (n as IDisposable)?.Dispose();
    }
}
