using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Bench;

/// <summary>
/// (b) Graph construction for a batch of live networks: <c>ToParameterGraph()</c> of each plus
/// <see cref="GraphBatch.Collate"/>, against the least any batching must do, one plain copy of the
/// same parameters (<c>torch.cat</c> of every parameter flattened).
/// </summary>
public static class GraphBuildBench
{
    public sealed record Result(string Network, int Batch, long Edges, int Reps,
        double GraphsSeconds, double CollateSeconds, double NewCompositionCollateSeconds, double BuildSeconds, double CopySeconds)
    {
        /// <summary>Graph building + collation over the plain copy (the goal: at most 2).</summary>
        public double Ratio => BuildSeconds / CopySeconds;
    }

    public static Result Run(Architecture architecture, int batch, int reps)
    {
        var networks = architecture.CreateMany(batch);
        var parameters = networks.SelectMany(n => ((nn.Module)n).parameters()).ToArray();
        architecture.Create().ToParameterGraph(); // the topology is built once per architecture: not part of the figure

        double Graphs()
        {
            using var scope = NewDisposeScope();
            return Measure.Seconds(() => networks.Select(n => n.ToParameterGraph()).ToList());
        }
        double Collate(List<ParameterGraph> graphs)
        {
            using var scope = NewDisposeScope();
            return Measure.Seconds(() => GraphBatch.Collate(graphs).Dispose());
        }
        double CollateNew(List<ParameterGraph> graphs)
        {
            GraphBatch.ClearTopologyCache();
            return Collate(graphs);
        }
        double Build()
        {
            using var scope = NewDisposeScope();
            return Measure.Seconds(() =>
            {
                var graphs = networks.Select(n => n.ToParameterGraph()).ToList();
                GraphBatch.Collate(graphs).Dispose();
            });
        }
        double Copy()
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            return Measure.Seconds(() => cat(parameters.Select(p => p.detach().reshape(-1)).ToArray(), 0));
        }

        var fixedGraphs = networks.Select(n => n.ToParameterGraph()).ToList();
        for (int i = 0; i < 2; i++) { Build(); Copy(); Graphs(); Collate(fixedGraphs); }
        var graphs = new double[reps];
        var collate = new double[reps];
        var collateNew = new double[reps];
        var build = new double[reps];
        var copy = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            // Interleaved, so that machine noise hits both sides of the ratio alike.
            build[i] = Build();
            copy[i] = Copy();
            graphs[i] = Graphs();
            collate[i] = Collate(fixedGraphs);
            collateNew[i] = CollateNew(fixedGraphs);
        }
        Architecture.Release(fixedGraphs);
        Architecture.Release(networks);
        return new Result(architecture.Name, batch, (long)batch * architecture.EdgeCount, reps,
            Measure.Median(graphs), Measure.Median(collate), Measure.Median(collateNew), Measure.Median(build), Measure.Median(copy));
    }
}
