using System.Collections.Generic;
using GmnGen.Batching;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Bench;

/// <summary>(d) Inference: the metanet's forward pass alone, under <c>no_grad</c>, on one batch of
/// random ZooCnn graphs (the goal: 256 graphs in under a second). Collation is timed separately.</summary>
public static class InferenceBench
{
    /// <param name="Tiled">Whether the edge passes ran on the CPU tiles (<see cref="GraphMetanet.TiledInference"/>), not the libtorch composition.</param>
    public sealed record Result(string Network, int Hidden, int Blocks, ProductPrecision Precision, bool Tiled, int Batch, long Edges, int Reps,
        double CollateSeconds, double ForwardSeconds, ProcessCounters PerPass, double PeakIncreaseMiB, double PeakMiB, bool Cold)
    {
        public double GraphsPerSecond => Batch / ForwardSeconds;
        public double EffectiveGflops => ReferenceFlops.Forward(Edges, Hidden, Blocks) / ForwardSeconds / 1e9;
    }

    /// <summary>An inference batch that was not run, and why.</summary>
    public sealed record Skipped(string Network, int Hidden, int Batch, long Edges, string Reason);

    /// <summary>One untimed pass, then up to <paramref name="reps"/> timed passes while within
    /// <paramref name="seconds"/> (at least one). When the untimed pass alone takes longer than
    /// <paramref name="seconds"/>, it is the figure reported (<see cref="Result.Cold"/>). <paramref name="tiled"/> sets
    /// <see cref="GraphMetanet.TiledInference"/> (where the tiles do not apply, both settings run the composition).</summary>
    public static Result Run(Architecture architecture, GmnConfig config, ProductPrecision precision, int batch, int reps, double seconds, Device? device = null,
        bool tiled = true)
    {
        device ??= CPU;
        tiled = tiled && TilesApply(config.Hidden, precision, device);
        var memory = MemoryProbe.Start();
        manual_seed(2).Dispose();   // returns a new handle to the global generator
        var graphs = architecture.RandomGraphs(batch);
        using var metanet = new GraphMetanet(config) { InferencePrecision = precision, TiledInference = tiled };
        metanet.FitValueNormalization(graphs);
        metanet.to(device);
        metanet.eval();
        var collate = Measure.Repeat(() => GraphBatch.Collate(graphs, device).Dispose(), warmup: 1, reps: 5);
        using var data = GraphBatch.Collate(graphs, device);
        Architecture.Release(graphs);
        using var _ = no_grad();
        double Pass() => Measure.Seconds(() =>
        {
            using var scope = NewDisposeScope();
            metanet.forward(data);
            DeviceSync.Wait(device);
        });
        var start = ProcessCounters.Read();
        double first = Pass();
        bool cold = first > seconds;
        var times = new List<double>();
        var before = ProcessCounters.Read();
        double elapsed = 0;
        while (!cold && times.Count < reps && (times.Count == 0 || elapsed < seconds))
        {
            times.Add(Pass());
            elapsed += times[^1];
        }
        if (cold) { times.Add(first); before = start; }
        var perPass = (ProcessCounters.Read() - before).Per(times.Count);
        return new Result(architecture.Name, config.Hidden, config.Blocks, precision, tiled, batch, data.EdgeCount, times.Count,
            Measure.Median(collate), Measure.Median(times), perPass, memory.PeakIncreaseMiB, memory.PeakMiB, cold);
    }

    /// <summary>Whether inference of this width and precision on this device runs on the CPU tiles when they are on.</summary>
    public static bool TilesApply(int hidden, ProductPrecision precision, Device device) =>
        precision == ProductPrecision.Float32 && device.type == DeviceType.CPU && GraphMetanet.TiledInferenceSupported(hidden);
}
