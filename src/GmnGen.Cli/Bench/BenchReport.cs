using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace GmnGen.Cli.Bench;

/// <summary>Turns the measurements of one run into tables, and writes them as a markdown report.</summary>
public sealed class BenchReport(BenchSettings settings, MachineInfo machine)
{
    public MatmulBench.Result? Matmul { get; set; }
    /// <summary>The same product measured again after everything else: how much the machine's speed drifted during the run.</summary>
    public MatmulBench.Result? MatmulAtEnd { get; set; }
    /// <summary>(a′): the float32 FMA peak on one thread and on the run's threads.</summary>
    public List<FmaPeakBench.Result> FmaPeak { get; } = [];
    public LeakCheckBench.Result? LeakCheck { get; set; }
    public string LoadAtStart { get; } = MachineInfo.LoadAverage();
    public string? LoadAtEnd { get; set; }
    public List<GraphBuildBench.Result> GraphBuilds { get; } = [];
    public List<TopologyBuildBench.Result> TopologyBuilds { get; } = [];
    public List<TrainingBench.Result> Training { get; } = [];
    public List<TrainingBench.Skipped> SkippedTraining { get; } = [];
    public List<InferenceBench.Result> Inference { get; } = [];
    public List<InferenceBench.Skipped> SkippedInference { get; } = [];
    public List<Conv1dBench.Result> Conv1d { get; } = [];
    /// <summary>(f): GmnGen and the reference measured adjacent in time, one pair per network and width.</summary>
    public List<SideBySideBench.Pair> Pairs { get; } = [];
    /// <summary>(0): how the machine hands out memory (null on a GPU run).</summary>
    public MemoryTouchBench.Result? MemoryTouch { get; set; }
    public List<ReferenceBench.Failed> ReferenceFailures { get; } = [];
    /// <summary>Why the reference did not run at all (no python, torch or script), or null.</summary>
    public string? ReferenceUnavailable { get; set; }
    public DateTimeOffset Started { get; } = DateTimeOffset.Now;
    public TimeSpan Elapsed { get; set; }

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static string F(double v, int digits) => double.IsNaN(v) ? "n/a" : v.ToString("N" + digits, Inv);
    private static string Ms(double seconds)
    {
        double ms = seconds * 1000;
        return ms < 1 ? F(ms, 3) : ms < 100 ? F(ms, 2) : F(ms, 0);
    }

    public ReportTable MachineTable() => new ReportTable("Machine", "fact", "value")
        .Row("CPU", machine.CpuModel)
        .Row("logical CPUs (nproc)", machine.LogicalCpus)
        .Row("torch threads", machine.TorchThreads)
        .Row("memory", $"{F(machine.MemoryGiB, 1)} GiB")
        .Row("allocator", machine.AllocatorDescription)
        .Row("GMNGEN_DEFAULT_MALLOC", machine.MallocEnvironment)
        .Row("GLIBC_TUNABLES", machine.GlibcTunables)
        .Row("OMP_WAIT_POLICY", machine.OmpWaitPolicy)
        .Row("OpenMP spin-waits", GmnGen.Runtime.OpenMpSpin.Describe())
        .Row("transparent huge pages", machine.TransparentHugePages)
        .Row("libtorch oneDNN", GmnGen.Runtime.OneDnn.Enabled ? "on" : "off (its convolutions are wrong on this CPU, docs/onednn-zen5.md; bfloat16 products take a slow path and are measured only when asked for)")
        .Row("load average at start", LoadAtStart)
        .Row("load average at end", LoadAtEnd ?? "(running)")
        .Row("runtime", $"{machine.Runtime}, TorchSharp {machine.TorchSharpVersion}")
        .Row("device (matmul, training, inference)", settings.Device.type == TorchSharp.DeviceType.CUDA ? $"{settings.Device} (CUDA)" : "cpu")
        .Row("OS", machine.Os);

    public ReportTable MatmulTable()
    {
        var table = new ReportTable("(a) Dense matrix product, float32 1024³", "when", "threads", "reps", "median ms", "median GFLOP/s", "best GFLOP/s");
        if (Matmul is { } m) table.Row("start of run", m.Threads, m.Reps, Ms(m.MedianSeconds), F(m.MedianGflops, 1), F(m.BestGflops, 1));
        if (MatmulAtEnd is { } e) table.Row("end of run", e.Threads, e.Reps, Ms(e.MedianSeconds), F(e.MedianGflops, 1), F(e.BestGflops, 1));
        return table.Note("After 3 warm-up products. Every \"of matmul\" ratio in this report divides by the median at the start of the run; " +
                          "the end-of-run figure shows how much the machine's speed drifted meanwhile.");
    }

    public ReportTable FmaPeakTable()
    {
        var table = new ReportTable("(a′) float32 arithmetic peak", "instruction", "threads", "GFLOP/s");
        foreach (var p in FmaPeak) table.Row(p.Instruction ?? "none (no FMA)", p.Threads, F(p.Gflops, 0));
        return table.Note("Fused multiply-adds on twelve independent register accumulators, no memory traffic, all threads at once; best of 3 runs of ~0.2 s. " +
                          "No float32 computation runs faster. Two threads at well under twice one thread's rate: the vCPUs share a core's FMA units.");
    }

    /// <summary>The float32 FMA peak on the run's thread count, or NaN when it was not measured.</summary>
    private double PeakGflops => FmaPeak.LastOrDefault() is { } p ? p.Gflops : double.NaN;

    public ReportTable GraphBuildTable() => GraphBuilds.Aggregate(
        new ReportTable("(b) Graph construction for B live networks", "network", "B", "edges", "ToParameterGraph ×B ms", "Collate ms",
            "Collate, new composition ms", "graphs + collate ms", "plain copy ms", "ratio", "≤ 2× copy"),
        (t, r) => t.Row(r.Network, r.Batch, F(r.Edges, 0), Ms(r.GraphsSeconds), Ms(r.CollateSeconds), Ms(r.NewCompositionCollateSeconds), Ms(r.BuildSeconds),
            Ms(r.CopySeconds), F(r.Ratio, 1) + "×", r.Ratio <= 2 ? "yes" : "no"))
        .Note("graphs + collate: `ToParameterGraph()` of every network, then `GraphBatch.Collate` of them, as a training loop does it: the batch's static part " +
              "(node features, shifted edge index, static edge rows, graph ids, counts, degrees) comes from the cache of recent compositions, only the values are concatenated. " +
              "Collate, new composition: the same after `GraphBatch.ClearTopologyCache()`, i.e. building the static part too (a composition not among the last 8). " +
              "plain copy: `torch.cat` of every parameter of the same networks, flattened (one copy of the weights, nothing else). Medians, interleaved repetitions.");

    public ReportTable TopologyBuildTable() => TopologyBuilds.Aggregate(
        new ReportTable("(b′) First ToParameterGraph() of an architecture: its topology built from the generated layout", "network", "nodes", "edges", "reps", "median ms", "min ms"),
        (t, r) => t.Row(r.Network, F(r.Nodes, 0), F(r.Edges, 0), r.Reps, Ms(r.MedianSeconds), Ms(r.MinSeconds)))
        .Note("Each repetition builds the topology of a fresh copy of the layout (node features, edge index, static edge rows, value index, degrees), " +
              "what the first `ToParameterGraph()` of an architecture pays once per process; every later call reuses it. After 3 warm-up builds.");

    public ReportTable TrainingTable()
    {
        var table = new ReportTable("(c) Metanet training: forward + backward + Adam step", "network", "h", "edge products", "edge pass", "B", "edges", "parameters",
            "steps", "ms/step", "graphs/s", "Medges/s", "eff. GFLOP/s", "of matmul", "CPU user s/step", "CPU sys s/step", "page faults/step");
        foreach (var r in Training)
            table.Row(r.Network, r.Hidden, PrecisionName(r.Precision), r.Tiled ? "tiles" : "libtorch", r.Batch, F(r.Edges, 0), F(r.Parameters, 0), $"{r.WarmupSteps}+{r.TimedSteps}", Ms(r.MedianSeconds),
                F(r.GraphsPerSecond, r.GraphsPerSecond < 10 ? 2 : 1), F(r.EdgesPerSecond / 1e6, 3), F(r.EffectiveGflops, 1),
                OfMatmul(r.EffectiveGflops), F(r.PerStep.UserSeconds, 2), F(r.PerStep.SystemSeconds, 2), F(r.PerStep.MinorFaults, 0));
        foreach (var s in SkippedTraining)
            table.Row(s.Network, s.Hidden, "", "", s.Batch, F(s.Edges, 0), "", "skipped", s.Reason, "", "", "", "", "", "", "");
        return table
            .Note("edge products: `GraphMetanet.TrainingPrecision`, the precision of the per-edge products (two per block and the edge encoder's value product) forward and backward; " +
                  "bfloat16 keeps float32 weights, gradients, optimiser state and everything outside the products. Each precision runs right after the other on the same shape.")
            .Note("edge pass: `tiles` is `GraphMetanet.TiledTraining` (the default where the CPU has AVX-512, h is a multiple of 64 and the batch has at least " +
                  $"{Metanet.MessagePassingBlock.DefaultTiledTrainingMinimumSize.ToString("N0", Inv)} edge values, edges × h: each block's edge pass forward on the inference tiles, " +
                  "cut out of the autograd graph, and backward in one pass over tiles of 16 edges that recomputes the forward's activations; gradients through `GraphMetanet.Backward`), " +
                  "`libtorch` the composition of libtorch operations with autograd it replaces, run right after on the same graphs.")
            .Note($"Effective GFLOP/s counts the reference implementation's work: {ReferenceFlops.Formula}. " +
                  "This implementation's blocks do two E × h × h products per block (4·E·h² FLOPs forward: node projections are per node, messages are means of the edge hidden features), " +
                  "so an effective rate above the matmul rate means faster than the reference would be at the machine's matmul rate, not more FLOPs than the CPU's peak.")
            .Note($"steps: warm-up + timed. ms/step is the median of the timed steps. {settings.WarmupSteps} warm-up steps (and up to {TrainingBench.MaxExtraWarmupSteps} more while the last one spent over 10 % of its time in the kernel, faulting in memory), " +
                  $"then up to {settings.Steps} timed steps, no new one after {F(settings.ConfigSeconds, 0)} s (at least 2, or 1 when it alone took over {F(2 * settings.ConfigSeconds, 0)} s). " +
                  "The batch is collated once per configuration; every step runs in its own `torch.NewDisposeScope()`.")
            .Note("CPU user/sys s/step and page faults/step: this process's CPU time and minor page faults per timed step (/proc/self/stat). " +
                  "CPU time above the wall time means both threads were busy; system time is mostly the kernel handing out fresh pages for large tensors.")
            .Note(settings.MaxStepSeconds > 0
                ? $"A configuration predicted (from the next smaller batch of the same network and width, scaled by edges) to need more than {F(settings.MaxStepSeconds, 0)} s per step is skipped; `--max-step-seconds 0` runs all."
                : "No configuration was skipped for time (`--max-step-seconds 0`).");
    }

    public const int InferenceProbeBatch = 16;

    private static string PrecisionName(Metanet.ProductPrecision precision) => precision == Metanet.ProductPrecision.BFloat16 ? "bfloat16" : "float32";

    private string OfMatmul(double gflops) => Matmul is null ? "n/a" : F(100 * gflops / Matmul.MedianGflops, 0) + " %";

    public ReportTable MemoryTable()
    {
        var table = new ReportTable("(e) Memory per training configuration (process RSS)", "network", "h", "B", "RSS at start MiB", "peak MiB",
            "peak − start MiB", "after 1st step MiB", "after last step MiB", "growth MiB");
        foreach (var r in Training)
            table.Row(r.Network, r.Hidden, r.Batch, F(r.StartRssMiB, 0), F(r.PeakMiB, 0), F(r.PeakIncreaseMiB, 0),
                F(r.RssAfterFirstStepMiB, 0), F(r.RssAfterLastStepMiB, 0), F(r.RssGrowthMiB, 1));
        return table.Note("Before each configuration the tool runs a full GC, `malloc_trim(0)`, and resets the process peak (VmHWM) by writing 5 to /proc/self/clear_refs; " +
                          "peak is VmHWM after the configuration, start is VmRSS before it. growth = RSS after the last timed step − RSS after the first step: " +
                          "it includes the heap growing to its working size over the first steps; the leak check below runs long enough to tell that apart from a leak.");
    }

    public ReportTable Conv1dTable() => Conv1d.Aggregate(
        new ReportTable("(g) Conv1d forward + backward: libtorch (what generated code runs) against an explicit im2col", "shape", "B", "reps",
            "libtorch ms", "im2col ms", "im2col / libtorch", "largest difference"),
        (t, r) => t.Row(r.Shape, r.Batch, r.Reps, F(r.LibtorchMs, 3), F(r.Im2colMs, 3), F(r.Ratio, 2) + "×", r.MaxDifference.ToString("E1", Inv)))
        .Note("Medians after 3 warm-up passes, at this run's thread count. Generated Conv1d layers once ran through the im2col because libtorch's " +
              "conv1d was blamed for NaN that an undisposed Scalar freed by the finalizer caused (docs/results.md, known issues); they run libtorch's again.");

    public ReportTable LeakTable()
    {
        var table = new ReportTable("(e) Leak check: RSS along a longer training run", "network", "h", "B", "RSS after step (MiB)", "second-half growth MiB");
        if (LeakCheck is { } l)
            table.Row(l.Network, l.Hidden, l.Batch, string.Join(", ", l.Samples.Select(s => $"{s.Step}: {F(s.RssMiB, 0)}")), F(l.SecondHalfGrowthMiB, 1));
        return table.Note("Every step in its own dispose scope. A leak grows by about the same amount every step; a heap reaching its working size grows early, then stays flat.");
    }

    public ReportTable InferenceTable()
    {
        var table = new ReportTable("(d) Inference: forward only, torch.no_grad", "network", "h", "edge products", "edge pass", "B", "edges", "reps", "collate ms", "forward ms",
            "graphs/s", "eff. GFLOP/s", "of matmul", "CPU user s", "CPU sys s", "page faults", "peak − start MiB", "< 1 s");
        foreach (var r in Inference)
            table.Row(r.Network, r.Hidden, PrecisionName(r.Precision), r.Tiled ? "tiles" : "libtorch", r.Batch, F(r.Edges, 0), r.Cold ? "1 (cold)" : r.Reps.ToString(Inv), Ms(r.CollateSeconds), Ms(r.ForwardSeconds), F(r.GraphsPerSecond, 1),
                F(r.EffectiveGflops, 1), OfMatmul(r.EffectiveGflops), F(r.PerPass.UserSeconds, 2), F(r.PerPass.SystemSeconds, 2), F(r.PerPass.MinorFaults, 0),
                F(r.PeakIncreaseMiB, 0), r.ForwardSeconds < 1 ? "yes" : "no");
        foreach (var s in SkippedInference)
            table.Row(s.Network, s.Hidden, "", "", s.Batch, F(s.Edges, 0), "skipped", s.Reason, "", "", "", "", "", "", "", "", "");
        return table.Note("forward: median of the timed passes after one warm-up pass (CPU time and faults per pass); a pass slower than " +
                          $"{F(settings.ConfigSeconds, 0)} s is measured once, cold (its first pass). collate: `GraphBatch.Collate` of the same graphs, median of 5, timed separately. " +
                          "Effective GFLOP/s counts blocks × 12·E·h² per forward.")
            .Note("edge products: the precision of the two per-edge products per block and the edge encoder's value product (`GraphMetanet.InferencePrecision`); " +
                  "float32 is the default, bfloat16 an opt-in (outputs differ by about 1 % of their size; a test bounds it).")
            .Note("edge pass: `tiles` is `GraphMetanet.TiledInference` (the default where the CPU has AVX-512 and h is a multiple of 64: each block's edge pass in one pass over " +
                  "tiles of 16 edges kept in the CPU's caches), `libtorch` the composition of libtorch operations it replaces, run right after on the same graphs.")
            .Note($"Each width is first run on {InferenceProbeBatch} graphs; the {settings.InferenceBatch}-graph batch is skipped when that run, scaled by edges, predicts more than 80 % of the available memory.");
    }

    /// <summary>The float32 ceiling of a pair's training row (see the (f) note), or n/a without the peak.</summary>
    private string Ceiling(SideBySideBench.Pair pair, double referenceSeconds)
    {
        var run = pair.Before.FirstOrDefault(t => t.Precision == Metanet.ProductPrecision.Float32);
        if (run is null || double.IsNaN(PeakGflops)) return "n/a";
        double floorSeconds = ReferenceFlops.GmnGenTrainingProducts(run.Edges, run.Hidden, run.Blocks) / (PeakGflops * 1e9);
        return F(referenceSeconds / floorSeconds, 1) + "×";
    }

    public ReportTable MemoryTouchTable()
    {
        var table = new ReportTable("(0) Memory: first touch, mapped, and after handing it back", "GiB", "first touch s", "first touch GiB/s",
            "mapped s", "mapped GiB/s", "after release s", "after release GiB/s");
        if (MemoryTouch is { } m)
            table.Row(F(m.GiB, 1), F(m.FirstTouchSeconds, 2), F(m.FirstTouchGiBPerSecond, 2), F(m.MappedSeconds, 2), F(m.MappedGiBPerSecond, 1),
                F(m.AfterReleaseSeconds, 2), F(m.AfterReleaseGiBPerSecond, 2));
        return table.Note("One float32 buffer (60 % of the available memory, at most 16 GiB; 1 GiB with --quick) filled right after allocation (every page faults in), filled again " +
                          "(already mapped), then freed, handed back with `malloc_trim(0)`, allocated and filled once more: where the allocator did give it back this faults again, " +
                          "on memory the machine has used (in two runs on one machine 2.7 and 21.7 GiB/s: the second kept its pages). " +
                          "Where the first touch is far slower than the mapped one (the kernel zeroing fresh pages, on a VM the host backing them), a configuration that first needs " +
                          "memory pays for it; this stage takes that cost before anything is measured, for GmnGen and the reference alike.");
    }

    public ReportTable ReferenceTable()
    {
        var table = new ReportTable("(f) Against the reference implementation, side by side", "network", "h", "what", "reference allocator", "matmul GFLOP/s",
            "reference steps", "reference s", "reference graphs/s", "GmnGen s before", "GmnGen s after", "spread", "GmnGen ÷ reference", "float32 ceiling");
        foreach (var pair in Pairs)
        {
            var r = pair.Reference;
            string allocator = ReferenceBench.AllocatorName(r.Allocator);
            foreach (var precision in settings.TrainingPrecisions)
                if (pair.TrainingSeconds(precision) is var (before, after))
                    table.Row(pair.Network, pair.Hidden, $"training step, B = {r.Batch}, GmnGen {PrecisionName(precision)}{(pair.Before.Any(t => t.Precision == precision && t.Tiled) ? ", tiles" : "")}", allocator, F(pair.MatmulGflops, 0),
                        $"{r.WarmupSteps}+{r.TimedSteps}", F(r.MedianSeconds, 2), F(r.GraphsPerSecond, 2), F(before, 3), F(after, 3),
                        F(100 * SideBySideBench.Spread(before, after), 0) + " %", F(SideBySideBench.Speedup(r.MedianSeconds, before, after), 1) + "×",
                        precision == Metanet.ProductPrecision.Float32 ? Ceiling(pair, r.MedianSeconds) : "");
            if (r.InferenceSeconds is { } seconds && pair.InferenceSeconds is var (inferBefore, inferAfter))
                table.Row(pair.Network, pair.Hidden, $"inference, B = {r.InferenceBatch}, float32{(pair.InferenceBefore?.Tiled == true ? ", tiles" : "")}", allocator, F(pair.MatmulGflops, 0), r.InferenceWarm == true ? "1+1" : "1 (cold)",
                    F(seconds, 2), F(r.InferenceBatch / seconds, 1), F(inferBefore, 3), F(inferAfter, 3),
                    F(100 * SideBySideBench.Spread(inferBefore, inferAfter), 0) + " %", F(SideBySideBench.Speedup(seconds, inferBefore, inferAfter), 1) + "×", "");
        }
        foreach (var f in ReferenceFailures) table.Row(f.Network, f.Hidden, $"B = {f.Batch}", ReferenceBench.AllocatorName(f.Allocator), "", "failed", f.Reason, "", "", "", "", "", "");
        if (ReferenceUnavailable is { } reason) table.Note("The reference did not run: " + reason + ".");
        var first = Pairs.FirstOrDefault()?.Reference;
        return table
            .Note("reference: `scripts/reference_gmn.py`, the official GMN metanet's computation (explicit concatenations [x_src, x_dst, e] and [x_src, e'] into per-edge MLPs, " +
                  "scatter-mean by index_add) in plain PyTorch" + (first is null ? "" : $" {first.Torch} ({first.Blas})") +
                  ", as a child process with the same thread count, on the same graphs' shapes. " +
                  "Its width h is the official code's; GmnGen's blocks do fewer FLOPs at the same h (see (c)).")
            .Note("Each row is one pair, in this order: the 1024³ matmul (median of 5), GmnGen measured as in (c) and (d), the reference, GmnGen again. " +
                  "GmnGen ÷ reference = reference time ÷ the mean of GmnGen's before and after, which cancels a drift of the machine's speed that is linear over the pair; " +
                  "spread = |after − before| ÷ their mean: the drift and noise the ratio carries. reference steps: warm-up + timed (median). " +
                  "With two allocator settings the order is GmnGen, reference (default), GmnGen, reference (tuned), GmnGen: the middle measurement ends one pair and starts the next.")
            .Note("float32 ceiling: the ratio GmnGen's float32 training step would reach if it were nothing but its per-edge products (" +
                  "2 products per block forward, 4 backward: 3 × blocks × 4·E·h² FLOPs) at the CPU's FMA peak of (a′): reference s ÷ (those FLOPs ÷ peak). " +
                  "No float32 implementation of GmnGen's step does better; a goal above it needs fewer products or a faster arithmetic (bfloat16's vdpbf16ps).")
            .Note("reference allocator: default = Python's and glibc's settings, what a user of the official code gets (each large temporary a fresh mmap, faulted in on every step: " +
                  "where the first touch of memory is slow, stage (0), most of the reference's time); tuned = the settings GmnGen gives its own process (freed memory stays in the heap, " +
                  "passed to the reference as GLIBC_TUNABLES, and OpenMP's shorter spin-waits, GOMP_SPINCOUNT), so that ratio measures the computations and holds whatever the machine's page faults cost.");
    }

    public IEnumerable<ReportTable> Tables()
    {
        yield return MachineTable();
        if (MemoryTouch is not null) yield return MemoryTouchTable();
        yield return MatmulTable();
        if (FmaPeak.Count > 0) yield return FmaPeakTable();
        yield return GraphBuildTable();
        yield return TopologyBuildTable();
        yield return TrainingTable();
        yield return InferenceTable();
        if (settings.Reference) yield return ReferenceTable();
        yield return MemoryTable();
        yield return LeakTable();
        if (Conv1d.Count > 0) yield return Conv1dTable();
    }

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine("# gmn bench").AppendLine();
        md.AppendLine($"Run {Started:yyyy-MM-dd HH:mm:ss zzz}, {F(Elapsed.TotalSeconds, 0)} s in all.").AppendLine();
        md.AppendLine("```sh").AppendLine(settings.CommandLine).AppendLine("```").AppendLine();
        md.AppendLine($"Settings: networks {string.Join(", ", settings.Networks.Select(n => n.Name))}; batch sizes {string.Join(", ", settings.BatchSizes)}; widths {string.Join(", ", settings.Widths)}; " +
                      $"up to {settings.WarmupSteps} warm-up + {settings.Steps} timed steps; inference batch {settings.InferenceBatch}; " +
                      $"step limit {(settings.MaxStepSeconds > 0 ? F(settings.MaxStepSeconds, 0) + " s" : "none")}{(settings.Quick ? "; --quick" : "")}.");
        md.AppendLine("The machine may be shared and noisy: compare the ratios within this report rather than absolute figures across runs.").AppendLine();
        foreach (var table in Tables()) table.WriteMarkdown(md);
        return md.ToString();
    }

    /// <summary>Writes the report to a temporary file beside <paramref name="path"/>, then renames it over the target.</summary>
    public void Write(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, ToMarkdown(), new UTF8Encoding(false));
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
