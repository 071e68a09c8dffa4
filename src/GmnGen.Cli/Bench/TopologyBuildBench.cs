using System.Collections.Generic;
using System.Linq;
using GmnGen.Cli.Networks;
using GmnGen.Graphs;

namespace GmnGen.Cli.Bench;

/// <summary>
/// (b′) The first <c>ToParameterGraph()</c> of an architecture builds its topology (node features,
/// edge index, static edge rows, degrees) from the generated layout; every later call reuses it.
/// Timed on fresh copies of the layout, so each repetition is a first call.
/// </summary>
public static class TopologyBuildBench
{
    public sealed record Result(string Network, int Nodes, int Edges, int Reps, double MedianSeconds, double MinSeconds);

    /// <summary>The benchmarked CNNs and the 52k-edge MLP 784-64-32-10.</summary>
    public static IEnumerable<(string Name, ParameterGraphLayout Layout)> Layouts(IEnumerable<Architecture> networks) =>
        networks.Select(a => (a.Name, a.Layout)).Append((nameof(Mlp784), Mlp784.GraphLayout));

    public static Result Run(string name, ParameterGraphLayout layout, int reps)
    {
        double Build()
        {
            var fresh = new ParameterGraphLayout(layout.Architecture, layout.NodeCount, layout.Nodes, layout.Edges, layout.State);
            ParameterGraphTopology? topology = null;
            double seconds = Measure.Seconds(() => topology = fresh.Topology);
            foreach (var t in new[] { topology!.NodeFeatures, topology.EdgeIndex, topology.EdgeFeatures, topology.ValueIndex, topology.InDegree, topology.OutDegree })
                t.Dispose();
            return seconds;
        }
        for (int i = 0; i < 3; i++) Build(); // JIT and allocator warm-up: the figure is the build, not the process start
        var times = Enumerable.Range(0, reps).Select(_ => Build()).ToList();
        return new Result(name, layout.NodeCount, layout.EdgeCount, reps, Measure.Median(times), times.Min());
    }
}
