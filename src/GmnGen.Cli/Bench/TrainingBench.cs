using System;
using System.Collections.Generic;
using GmnGen.Batching;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Bench;

/// <summary>
/// (c) and (e) Metanet training throughput and memory: forward, backward and an Adam step of a
/// <see cref="GraphMetanet"/> on one collated batch of random-weight graphs, every step in its own
/// dispose scope. The batch is collated once per configuration (collation is timed in (b)).
/// </summary>
public static class TrainingBench
{
    /// <param name="Tiled">Whether the edge passes ran on the CPU tiles (<see cref="GraphMetanet.TiledTraining"/>), not the libtorch composition.</param>
    public sealed record Result(string Network, int Hidden, int Blocks, ProductPrecision Precision, bool Tiled, int Batch, long Edges, long Parameters,
        int WarmupSteps, int TimedSteps, double MedianSeconds, ProcessCounters PerStep,
        double StartRssMiB, double PeakIncreaseMiB, double PeakMiB, double RssAfterFirstStepMiB, double RssAfterLastStepMiB)
    {
        public double GraphsPerSecond => Batch / MedianSeconds;
        public double EdgesPerSecond => Edges / MedianSeconds;
        public double EffectiveGflops => ReferenceFlops.TrainingStep(Edges, Hidden, Blocks) / MedianSeconds / 1e9;
        /// <summary>RSS growth from the end of the first step to the end of the last.</summary>
        public double RssGrowthMiB => RssAfterLastStepMiB - RssAfterFirstStepMiB;
    }

    /// <summary>Configurations that were not run, and why.</summary>
    public sealed record Skipped(string Network, int Hidden, int Batch, long Edges, string Reason);

    /// <summary>One training setup: a metanet, its Adam optimiser and a collated batch of random graphs.</summary>
    public sealed class Session : IDisposable
    {
        private readonly Tensor targets;
        private readonly Device device;
        private readonly GmnGen.Training.Optimizer optimizer;

        public Session(Architecture architecture, GmnConfig config, int batch, long seed = 1, Device? device = null,
            ProductPrecision precision = ProductPrecision.Float32, bool tiled = true)
        {
            this.device = device ?? CPU;
            manual_seed(seed).Dispose();   // returns a new handle to the global generator
            var graphs = architecture.RandomGraphs(batch);
            Metanet = new GraphMetanet(config) { TrainingPrecision = precision, TiledTraining = tiled };
            Metanet.FitValueNormalization(graphs);
            Metanet.to(this.device);
            Metanet.train();
            Data = GraphBatch.Collate(graphs, this.device);
            Architecture.Release(graphs);
            targets = rand(batch, config.Outputs).to(this.device);
            optimizer = new GmnGen.Training.Adam(Metanet.parameters(), 1e-3);
        }

        public GraphMetanet Metanet { get; }
        public GraphBatch Data { get; }

        /// <summary>One forward + backward + Adam step in its own dispose scope; returns its wall time in seconds.</summary>
        public double Step()
        {
            using var scope = NewDisposeScope();
            return Measure.Seconds(() =>
            {
                optimizer.ZeroGrad();
                var loss = nn.functional.binary_cross_entropy_with_logits(Metanet.forward(Data), targets);
                Metanet.Backward(loss);
                optimizer.Step();
                DeviceSync.Wait(device);
            });
        }

        public void Dispose()
        {
            optimizer.Dispose();
            targets.Dispose();
            Data.Dispose();
            Metanet.Dispose();
        }
    }

    /// <summary>Warm-up steps beyond <see cref="BenchSettings.WarmupSteps"/> while the process is still faulting in memory.</summary>
    public const int MaxExtraWarmupSteps = 3;

    /// <summary>Whether <see cref="GraphMetanet.TiledTraining"/> runs this configuration's edge passes on the tiles: where the
    /// inference tiles apply and the batch has at least <see cref="GraphMetanet.TiledTrainingMinimumSize"/>'s default of edge values.</summary>
    public static bool TilesApply(int hidden, ProductPrecision precision, Device device, long edges) =>
        InferenceBench.TilesApply(hidden, precision, device) && edges * hidden >= MessagePassingBlock.DefaultTiledTrainingMinimumSize;

    /// <summary>Warm-up, then timed steps of one configuration; <paramref name="tiled"/> sets <see cref="GraphMetanet.TiledTraining"/>
    /// (where the tiles do not apply, both settings run the composition).</summary>
    public static Result Run(Architecture architecture, GmnConfig config, ProductPrecision precision, int batch, BenchSettings settings, Action<string>? progress = null,
        bool tiled = true)
    {
        tiled = tiled && TilesApply(config.Hidden, precision, settings.Device, (long)batch * architecture.EdgeCount);
        var memory = MemoryProbe.Start();
        using var session = new Session(architecture, config, batch, device: settings.Device, precision: precision, tiled: tiled);
        string label = $"{architecture.Name} h={config.Hidden} B={batch} {precision}{(tiled ? ", tiles" : "")}";

        // The first steps of a shape are slow for reasons that are not the metanet's (heap growth,
        // Adam state, the VM backing fresh pages): every warm-up step runs, however slow, and while the
        // last one still spent more than a tenth of its time in the kernel (the heap growing into fresh
        // pages), up to MaxExtraWarmupSteps more. A fixed time budget cut slow shapes to one warm-up,
        // and their first timed step then paid the faults (WideCnn h = 128: 7.0 s against 3.1 s).
        double rssAfterFirst = double.NaN;
        int warmups = 0;
        double warm = 0;
        bool lastWarmupFaulting = false;
        while (warmups < settings.WarmupSteps || (warmups > 0 && warmups < settings.WarmupSteps + MaxExtraWarmupSteps && lastWarmupFaulting))
        {
            var counters = ProcessCounters.Read();
            double seconds = session.Step();
            lastWarmupFaulting = (ProcessCounters.Read() - counters).SystemSeconds > 0.1 * seconds;
            warm += seconds;
            if (warmups++ == 0) rssAfterFirst = ProcessMemory.RssMiB;
            progress?.Invoke($"{label}: warm-up step {warmups}, {warm * 1000:F0} ms so far{(lastWarmupFaulting ? " (still faulting in memory)" : "")}");
        }

        var times = new List<double>();
        var before = ProcessCounters.Read();
        double elapsed = 0;
        while (times.Count < settings.Steps && (times.Count < 2 || elapsed < settings.ConfigSeconds)
               && !(times.Count == 1 && times[0] > 2 * settings.ConfigSeconds))
        {
            times.Add(session.Step());
            elapsed += times[^1];
            if (double.IsNaN(rssAfterFirst)) rssAfterFirst = ProcessMemory.RssMiB;
            progress?.Invoke($"{label}: step {times.Count}, {times[^1] * 1000:F0} ms");
        }
        var perStep = (ProcessCounters.Read() - before).Per(times.Count);
        return new Result(architecture.Name, config.Hidden, config.Blocks, precision, tiled, batch, session.Data.EdgeCount, session.Metanet.ParameterCount,
            warmups, times.Count, Measure.Median(times), perStep, memory.StartRssMiB, memory.PeakIncreaseMiB, memory.PeakMiB,
            rssAfterFirst, ProcessMemory.RssMiB);
    }
}
