using System;
using GmnGen.Storage;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GmnGen.Tasks.Evaluation;
using GmnGen.Tasks.Prediction;
using GmnGen.Tasks.Zoo;
using GmnGen.Tests.Support;
using TorchSharp;

namespace GmnGen.Tests.Tasks;

public sealed class DataSplitTests
{
    // 60 runs of 3 checkpoints, widths cycling over the varying-CNN widths.
    private static readonly int[] Widths = [4, 6, 8, 12, 16];
    private static readonly List<int> Runs = Enumerable.Range(0, 60).SelectMany(r => new[] { r, r, r }).ToList();
    private static readonly List<int> RunWidths = Runs.Select(r => Widths[r % Widths.Length]).ToList();

    private static void AssertPartition(DataSplit split, bool covers)
    {
        var all = split.Train.Concat(split.Validation).Concat(split.Test).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        if (covers) Assert.Equal(Runs.Count, all.Count);
        // Grouped by run: a run's checkpoints never straddle two parts.
        var partOfRun = new Dictionary<int, string>();
        foreach (var (part, indices) in new[] { ("train", split.Train), ("validation", split.Validation), ("test", split.Test) })
            foreach (int i in indices)
                Assert.Equal(part, partOfRun.TryAdd(Runs[i], part) ? part : partOfRun[Runs[i]]);
    }

    [Fact]
    public void The_random_split_partitions_runs_60_20_20_and_depends_on_the_seed()
    {
        var split = DataSplits.Random(Runs, seed: 1);
        AssertPartition(split, covers: true);
        Assert.Equal(36 * 3, split.Train.Count);
        Assert.Equal(12 * 3, split.Validation.Count);
        Assert.Equal(12 * 3, split.Test.Count);
        Assert.Equal(split.Test, DataSplits.Random(Runs, seed: 1).Test);
        Assert.NotEqual(split.Test, DataSplits.Random(Runs, seed: 2).Test);
    }

    [Fact]
    public void The_low_data_split_keeps_a_tenth_of_the_training_runs_but_at_least_twenty_and_the_same_validation_and_test()
    {
        var random = DataSplits.Random(Runs, seed: 3);
        var low = DataSplits.LowData(random, Runs, 0.1, seed: 3);
        AssertPartition(low, covers: false);
        Assert.Equal(random.Validation, low.Validation);
        Assert.Equal(random.Test, low.Test);
        Assert.Subset(random.Train.ToHashSet(), low.Train.ToHashSet());
        Assert.Equal(20, low.Train.Select(i => Runs[i]).Distinct().Count());   // round(36 × 0.1) = 4 < the floor of 20
        var many = Enumerable.Range(0, 600).ToList();
        var largeLow = DataSplits.LowData(DataSplits.Random(many, seed: 3), many, 0.1, seed: 3);
        Assert.Equal(36, largeLow.Train.Count);   // a tenth of 360 training runs, above the floor
    }

    [Fact]
    public void Learning_curve_subsets_are_nested_grouped_by_run_and_share_validation_and_test()
    {
        var random = DataSplits.Random(Runs, seed: 5);
        var sizes = new[] { 2, 5, 10, 20, 36 };
        var subsets = sizes.Select(n => DataSplits.Subset(random, Runs, n, seed: 5)).ToList();
        for (int i = 0; i < sizes.Length; i++)
        {
            AssertPartition(subsets[i], covers: i == sizes.Length - 1);
            Assert.Equal(sizes[i], subsets[i].Train.Select(m => Runs[m]).Distinct().Count());
            Assert.Equal(random.Validation, subsets[i].Validation);
            Assert.Equal(random.Test, subsets[i].Test);
            if (i > 0) Assert.Subset(subsets[i].Train.ToHashSet(), subsets[i - 1].Train.ToHashSet());
        }
        Assert.Equal(random.Train.Order(), subsets[^1].Train.Order());
        // The low-data split is one point of the same curve.
        Assert.Equal(DataSplits.LowData(random, Runs, 0.1, seed: 5).Train, DataSplits.Subset(random, Runs, 20, seed: 5).Train);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => DataSplits.Subset(random, Runs, 37, seed: 5));
        Assert.Contains("has 36 training runs", e.Message);
    }

    [Fact]
    public void The_ood_split_tests_only_on_widths_strictly_larger_than_any_it_trains_or_selects_on()
    {
        var split = DataSplits.OodWidth(Runs, RunWidths, seed: 4);
        AssertPartition(split, covers: true);
        int largestSeen = split.Train.Concat(split.Validation).Max(i => RunWidths[i]);
        Assert.All(split.Test, i => Assert.True(RunWidths[i] > largestSeen));
        Assert.Equal(8, largestSeen);          // widths 12 and 16 are 40 % of the runs; 16 alone would be 20 % < 25 %
        Assert.Contains("> 8", split.Description);
    }

    [Fact]
    public void The_ood_split_needs_two_widths() =>
        Assert.Throws<ArgumentException>(() => DataSplits.OodWidth(Runs, Runs.Select(_ => 8).ToList(), seed: 0));
}

/// <summary>Zoo members for experiment tests, built without training.</summary>
internal static class ExperimentTesting
{
    /// <summary>Members over five varying-CNN architectures with random weights; the target is a known
    /// function of the weights (the mean absolute edge value), and each is read on 4 random probe images
    /// (for the probe methods). The caller disposes their graphs.</summary>
    public static List<ZooMember> RandomMembers(int runs)
    {
        var architectures = ZooArchitecture.Of(ZooFamily.VaryingCnn).Where(a => a.Norm == "none").Take(5).ToList();
        using var probes = torch.randn([4, 1, 28, 28], generator: new torch.Generator(99));
        var members = new List<ZooMember>();
        for (int run = 0; run < runs; run++)
        {
            var a = architectures[run % architectures.Count];
            using var model = a.Create();
            StateOrder.Randomise(model, seed: run);
            var graph = ((IGraphNetwork)model).ToParameterGraph();
            double target;
            using (var scope = torch.NewDisposeScope()) target = graph.EdgeValues.abs().mean().item<float>();
            var row = new ZooCheckpoint(ZooCheckpoint.MakeId(run, 1), run, a.Name, a.Kind, a.Width, a.Depth, a.Kernel, a.Norm, a.Activation,
                a.Dropout, "adam", 1e-3, 0, 1, 0.1, 1, 1, 1, run, 1.0, target, $"weights/{run}.safetensors");
            members.Add(new ZooMember(row, a, graph, GmnGen.Probes.NodeProbes.Read((IGraphNetwork)model, a.ShapeInput(probes))));
        }
        return members;
    }
}

public sealed class AccuracyExperimentTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "gmngen-exp-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    /// <summary>Predicts the mean absolute edge value: the (known) target itself, so scores are perfect.</summary>
    private sealed class MeanAbsPredictor(List<string> log, string name) : IPropertyPredictor
    {
        public string Name => name;
        public FitReport Fit(IReadOnlyList<LabelledGraph> train, IReadOnlyList<LabelledGraph> validation, IProgress<EpochRecord>? progress = null)
        {
            log.Add(name);
            return new FitReport([new EpochRecord(1, 0, 0, 1, TimeSpan.Zero)], 1, TimeSpan.Zero, 0);
        }
        public double[] Predict(IReadOnlyList<LabelledGraph> samples) =>
            samples.Select(s => (double)s.Graph.EdgeValues.abs().mean().item<float>()).ToArray();
        public void Dispose() { }
    }

    [Fact]
    public void Every_method_split_and_seed_is_fitted_scored_and_cached()
    {
        var members = ExperimentTesting.RandomMembers(30);
        var options = new ExperimentOptions(["GMN", "StatNN"], ExperimentOptions.AllSplits, [0, 1], new PredictorOptions());
        var log = new List<string>();
        IPropertyPredictor Create(string method, PredictorOptions _) => new MeanAbsPredictor(log, method);
        var cache = new ExperimentCache(root, "fingerprint");

        var first = AccuracyExperiment.Run(members, options, "t", [], cache, create: Create);

        Assert.Equal(2 * 3 * 2, log.Count);
        Assert.Equal(12, first.Runs.Count);
        Assert.Equal(ExperimentOptions.AllSplits, first.Splits.Select(s => s.Name));
        Assert.All(first.Runs, r =>
        {
            Assert.Equal(1.0, r.R2, 6);
            Assert.Equal(1.0, r.KendallTau, 6);
            Assert.Equal(r.Ids.Count, r.Predicted.Count);
        });

        log.Clear();
        var second = AccuracyExperiment.Run(members, options, "t", [], cache, create: Create);
        Assert.Empty(log);
        Assert.Equal(first.Runs.Select(r => (r.Split, r.Method, r.Seed, r.R2)), second.Runs.Select(r => (r.Split, r.Method, r.Seed, r.R2)));
        Assert.Equal(first.Runs[0].Predicted, second.Runs[0].Predicted);

        var other = AccuracyExperiment.Run(members, options, "t", [], new ExperimentCache(root, "another zoo"), create: Create);
        Assert.Equal(12, log.Count);
    }

    /// <summary>
    /// run.sh starts one experiment process per seed into one cache. A process that found a fit
    /// cached used to write it again, and every process removed the cache's temporary files when it
    /// started: one process deleted another's write in flight, which then died ("Could not find file
    /// '.curve-12-gmn-0.json.….tmp'"). Now cached fits are left alone and only old temporaries go.
    /// </summary>
    [Fact]
    public void Cached_fits_are_not_rewritten_and_a_young_temporary_file_survives_another_process_starting()
    {
        var members = ExperimentTesting.RandomMembers(30);
        var options = new ExperimentOptions(["StatNN"], ["random"], [0], new PredictorOptions());
        IPropertyPredictor Create(string method, PredictorOptions _) => new MeanAbsPredictor([], method);
        var cache = new ExperimentCache(root, "shared");
        AccuracyExperiment.Run(members, options, "t", [], cache, create: Create);
        var folder = Directory.GetDirectories(root).Single();
        var fit = Directory.GetFiles(folder, "*.json").Single();
        var written = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(fit, written);

        var inFlight = Path.Combine(folder, ".random-gmn-1.json.0123456789abcdef0123456789abcdef.tmp");
        var leftBehind = Path.Combine(folder, ".random-gmn-2.json.fedcba9876543210fedcba9876543210.tmp");
        File.WriteAllText(inFlight, "");
        File.WriteAllText(leftBehind, "");
        File.SetLastWriteTimeUtc(leftBehind, DateTime.UtcNow - AtomicFile.StaleAfter - TimeSpan.FromMinutes(1));
        var again = new ExperimentCache(root, "shared");   // what a second process does when it starts
        AccuracyExperiment.Run(members, options, "t", [], again, create: Create);

        Assert.Equal(written, File.GetLastWriteTimeUtc(fit));
        Assert.True(File.Exists(inFlight), "a write in flight was deleted");
        Assert.False(File.Exists(leftBehind), "a temporary left by a killed process stayed");
    }

    [Fact]
    public void A_learning_curve_fits_every_size_seed_and_method_once_and_caches_them_apart_from_the_splits()
    {
        var members = ExperimentTesting.RandomMembers(30);
        try
        {
            var options = new ExperimentOptions(["GMN", "StatNN"], ["random"], [0, 1], new PredictorOptions(), CurveRuns: [5, 2, 10]);
            var log = new List<string>();
            IPropertyPredictor Create(string method, PredictorOptions _) => new MeanAbsPredictor(log, method);
            var cache = new ExperimentCache(root, "curve");

            var summary = AccuracyExperiment.Run(members, options, "t", [], cache, create: Create);

            Assert.Equal(2 * 2 + 3 * 2 * 2, log.Count);
            Assert.Equal(4, summary.Runs.Count);   // the curve's fits are not among the splits' runs
            Assert.Equal([2, 2, 2, 2, 5, 5, 5, 5, 10, 10, 10, 10], summary.Curve!.Select(c => c.TrainRuns).Order());
            Assert.All(summary.Curve!, c => Assert.Equal(c.TrainRuns, c.TrainCheckpoints));   // one checkpoint per run here
            Assert.All(summary.Curve!, c => Assert.Equal($"curve-{c.TrainRuns}", c.Run.Split));
            log.Clear();
            AccuracyExperiment.Run(members, options, "t", [], cache, create: Create);
            Assert.Empty(log);
            Assert.Throws<ArgumentOutOfRangeException>(() => AccuracyExperiment.Run(members, options with { CurveRuns = [30] }, "t", [], cache, create: Create));
        }
        finally
        {
            foreach (var member in members) member.Graph.Dispose();
        }
    }

    [Fact]
    public void Unknown_methods_and_splits_are_named_with_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => new ExperimentOptions(["GNN"], ["random"], [0], new PredictorOptions()).Validate());
        Assert.Contains("'GNN'", e.Message);
        Assert.Contains("DeepSets", e.Message);
        e = Assert.Throws<ArgumentException>(() => new ExperimentOptions(["GMN"], ["ood"], [0], new PredictorOptions()).Validate());
        Assert.Contains("ood-width", e.Message);
    }
}
