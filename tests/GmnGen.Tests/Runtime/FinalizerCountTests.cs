using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Runtime;
using GmnGen.Tasks.Evaluation;
using GmnGen.Tasks.Prediction;
using GmnGen.Tasks.Reporting;
using GmnGen.Tasks.Zoo;
using GmnGen.Tests.Data;
using GmnGen.Tests.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Runtime;

/// <summary>
/// A zoo run, a GMN fit and an experiment leave nothing to the finalizer. Two counts, both must be
/// zero: the scalars, generators and tensors the finalizer freed while the workload ran
/// (<see cref="FinalizerWatch"/>, process-wide, hence the collection that runs alone), and the
/// tensors the workload made on this thread without disposing or owning them: a catch-all dispose
/// scope around it collects those (it also keeps them from the finalizer), so the test can name
/// their shapes.
/// </summary>
[Collection(nameof(GlobalGeneratorCollection))]
public sealed class FinalizerCountTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "gmngen-finalizer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static void AssertLeavesNothing(Action workload)
    {
        _ = SharedFashionMnist.Data;   // loaded once for every test, not part of any workload
        using var watch = FinalizerWatch.Start();
        List<string> escaped;
        using (var catchAll = NewDisposeScope())
        {
            workload();
            escaped = catchAll.DisposablesView.OfType<Tensor>()
                .Select(t => $"{t.dtype} [{string.Join(", ", t.shape)}]").ToList();
        }
        var finalized = watch.Collect();
        Assert.True(escaped.Count == 0, $"{escaped.Count} tensors neither disposed nor owned: {string.Join("; ", escaped.Take(20))}");
        Assert.True(finalized.Count == 0, $"the finalizer freed {FinalizerWatch.Describe(finalized)}");
    }

    [Fact]
    public void A_zoo_build_leaves_nothing_to_the_finalizer()
    {
        // Both families: BatchNorm, GroupNorm, LayerNorm, residual blocks, attention, 1-D convolutions.
        var settings = Enumerable.Range(1, 10_000).Select(seed => new ZooSettings(ZooFamily.VaryingCnn | ZooFamily.Diverse, seed, Checkpoints: 2, TestImages: 300))
            .First(s => Enumerable.Range(0, 3).All(r => RunPlanner.Plan(s, r).TotalSteps <= 100));
        AssertLeavesNothing(() => ZooBuilder.Build(Path.Combine(root, "zoo"), settings, 3, Shard.All, SharedFashionMnist.Data));
    }

    [Theory]
    [MemberData(nameof(PredictorTesting.MethodNames), MemberType = typeof(PredictorTesting))]
    public void A_fit_and_its_predictions_leave_nothing_to_the_finalizer(string method)
    {
        var train = PredictorTesting.Zoo(0, 24);
        var validation = PredictorTesting.Zoo(24, 6);
        try
        {
            AssertLeavesNothing(() =>
            {
                using var predictor = PredictorTesting.Create(method, PredictorTesting.Quick(epochs: 2));
                predictor.Fit(train, validation);
                predictor.Predict(validation);
            });
        }
        finally
        {
            foreach (var sample in train.Concat(validation)) sample.Graph.Dispose();
        }
    }

    /// <summary>
    /// The batch cache keys hold the topologies of the compositions collated last. A layout built
    /// at run time (here by hand, as PredictorFeatureTests does) whose last holder is that cache
    /// becomes garbage when later batches push it out: its topology's six tensors went to the
    /// finalizer inside the watched window of whichever workload collated next (two CI runs of the
    /// GMN fit above failed with "the finalizer freed Tensor × 6"). The watch starts from an empty
    /// cache, so earlier work is finalized before the count begins.
    /// </summary>
    [Fact]
    public void A_layout_that_only_the_batch_cache_still_holds_is_not_counted_as_the_workloads()
    {
        CollateOnceAndDrop();
        var graphs = PredictorTesting.Zoo(0, 2 * GraphBatch.TopologyCacheSize);
        try
        {
            AssertLeavesNothing(() =>
            {
                // Distinct compositions, more than the cache holds: everything cached before is evicted.
                for (int i = 0; i < graphs.Count; i++)
                {
                    using var batch = GraphBatch.Collate(graphs.Take(i + 1).Select(s => s.Graph).ToList(), CPU);
                }
            });
        }
        finally
        {
            foreach (var sample in graphs) sample.Graph.Dispose();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void CollateOnceAndDrop()
    {
        var layout = PredictorFeatureTests.ResidualLayout(withResidual: true);
        using var weight = randn(2, 2);
        using var bias = randn(2);
        using var graph = ParameterGraph.Gather(layout, [weight, bias]);
        using var batch = GraphBatch.Collate([graph], CPU);
    }

    [Fact]
    public void An_experiment_with_its_report_leaves_nothing_to_the_finalizer()
    {
        var members = ExperimentTesting.RandomMembers(30);
        try
        {
            var options = new ExperimentOptions(ExperimentOptions.AllMethods, ["random"], [0], PredictorTesting.Quick(epochs: 1));
            AssertLeavesNothing(() =>
            {
                var summary = AccuracyExperiment.Run(members, options, "finalizer count", [], new ExperimentCache(Path.Combine(root, "cache"), "fingerprint"));
                ReportWriter.Write(Path.Combine(root, "report"), summary);
            });
        }
        finally
        {
            foreach (var member in members) member.Graph.Dispose();
        }
    }
}
