using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using GmnGen.Tasks.Prediction;
using GmnGen.Tasks.Reporting;
using GmnGen.Tasks.Zoo;

namespace GmnGen.Tasks.Evaluation;

/// <summary>What the experiment runs.</summary>
/// <param name="Methods">Predictors by name: "GMN", "StatNN", "DeepSets", "GMN+probes", "Probes" (case-insensitive).</param>
/// <param name="Splits">"random", "low-data", "ood-width".</param>
/// <param name="Seeds">One fit per method, split and seed; a seed also draws the split.</param>
/// <param name="Predictor">The shared training protocol and sizes (its Seed is replaced per run).</param>
/// <param name="LowDataFraction">Share of the random split's training runs the low-data split keeps.</param>
/// <param name="CurveRuns">Training-set sizes (in runs) of the learning curve on the random split; empty for none.</param>
public sealed record ExperimentOptions(
    IReadOnlyList<string> Methods,
    IReadOnlyList<string> Splits,
    IReadOnlyList<long> Seeds,
    PredictorOptions Predictor,
    double LowDataFraction = 0.1,
    IReadOnlyList<int>? CurveRuns = null)
{
    /// <summary>The learning curve's sizes, smallest first (none when <see cref="CurveRuns"/> is null).</summary>
    public IReadOnlyList<int> CurveSizes => (CurveRuns ?? []).Distinct().Order().ToList();

    /// <summary>Every method the experiment knows, in report order. "GMN+probes" and "Probes" also read what each
    /// network does on fixed probe inputs (<see cref="ZooProbes"/>), not only its weights.</summary>
    public static IReadOnlyList<string> AllMethods { get; } = ["GMN", "StatNN", "DeepSets", "GMN+probes", "Probes"];

    /// <summary>The methods run unless others are asked for: the ones that read weights alone.</summary>
    public static IReadOnlyList<string> DefaultMethods { get; } = ["GMN", "StatNN", "DeepSets"];

    /// <summary>The methods that need the zoo loaded with probe inputs.</summary>
    public static IReadOnlyList<string> ProbeMethods { get; } = ["GMN+probes", "Probes"];

    /// <summary>Whether any method asked for reads probe features.</summary>
    public bool NeedsProbes => Methods.Any(m => ProbeMethods.Contains(m, StringComparer.OrdinalIgnoreCase));

    /// <summary>Every split the experiment knows, in report order.</summary>
    public static IReadOnlyList<string> AllSplits { get; } = ["random", "low-data", "ood-width"];

    /// <summary>Checks names and ranges; throws naming the bad value and the valid ones.</summary>
    public void Validate()
    {
        foreach (var method in Methods)
            if (!AllMethods.Contains(method, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"Unknown method '{method}'; expected some of {string.Join(", ", AllMethods)}.");
        foreach (var split in Splits)
            if (!AllSplits.Contains(split))
                throw new ArgumentException($"Unknown split '{split}'; expected some of {string.Join(", ", AllSplits)}.");
        if (Methods.Count == 0 || Splits.Count == 0 || Seeds.Count == 0)
            throw new ArgumentException("The experiment needs at least one method, one split and one seed.");
        if (!(LowDataFraction is > 0 and < 1)) throw new ArgumentException($"LowDataFraction must be in (0, 1), not {LowDataFraction}.");
        if (CurveSizes.Any(n => n < 2)) throw new ArgumentException($"Learning-curve sizes must be at least 2 training runs, not {string.Join(", ", CurveSizes.Where(n => n < 2))}.");
        Predictor.Validate();
    }

    /// <summary>A fresh, untrained predictor called <paramref name="method"/>.</summary>
    public static IPropertyPredictor Create(string method, PredictorOptions options) => method.ToLowerInvariant() switch
    {
        "gmn" => new GmnPredictor(options),
        "statnn" => new StatNnPredictor(options),
        "deepsets" => new DeepSetsPredictor(options),
        "gmn+probes" => new GmnProbesPredictor(options),
        "probes" => new ProbesPredictor(options),
        _ => throw new ArgumentException($"Unknown method '{method}'; expected one of {string.Join(", ", AllMethods)}."),
    };
}

/// <summary>Reported when a fit starts and after each of its epochs.</summary>
public sealed record ExperimentProgress(int FitsDone, int FitsTotal, string Split, string Method, long Seed, EpochRecord? Epoch);

/// <summary>
/// Accuracy prediction from weights: every method is trained and scored on the same splits of the
/// same zoo, per seed; test scores are R² and Kendall's tau. A finished fit is stored in the cache
/// (when one is given), so an interrupted experiment resumes without redoing it.
/// </summary>
public static class AccuracyExperiment
{
    /// <summary>
    /// Runs every method × split × seed on <paramref name="members"/>. <paramref name="create"/> makes a
    /// predictor from a method name (default: <see cref="ExperimentOptions.Create"/>).
    /// </summary>
    public static ExperimentSummary Run(
        IReadOnlyList<ZooMember> members,
        ExperimentOptions options,
        string title,
        IReadOnlyList<(string Key, string Value)> settings,
        ExperimentCache? cache = null,
        IProgress<ExperimentProgress>? progress = null,
        Func<string, PredictorOptions, IPropertyPredictor>? create = null)
    {
        create ??= ExperimentOptions.Create;
        options.Validate();
        var timer = Stopwatch.StartNew();
        var runs = members.Select(m => m.Checkpoint.Run).ToList();
        var widths = members.Select(m => m.Architecture.Width).ToList();
        var samples = members.Select(m => m.ToSample()).ToList();
        var methods = ExperimentOptions.AllMethods.Where(m => options.Methods.Contains(m, StringComparer.OrdinalIgnoreCase)).ToList();

        var splitInfos = new Dictionary<string, SplitInfo>();
        var jobs = new List<(DataSplit Split, long Seed, string Method)>();
        foreach (var splitName in ExperimentOptions.AllSplits.Where(options.Splits.Contains))
        {
            foreach (long seed in options.Seeds)
            {
                var split = MakeSplit(splitName, runs, widths, seed, options.LowDataFraction);
                // Sizes of the first seed's split go in the report (random splits differ by a run or so per seed).
                splitInfos.TryAdd(splitName, new SplitInfo(split.Name, split.Description, split.Train.Count, split.Validation.Count, split.Test.Count));
                jobs.AddRange(methods.Select(method => (split, seed, method)));
            }
        }
        // The learning curve: the random split with nested subsets of its training runs, per seed.
        var curveJobs = new List<(DataSplit Split, long Seed, string Method, int TrainRuns)>();
        foreach (int size in options.CurveSizes)
            foreach (long seed in options.Seeds)
            {
                var split = DataSplits.Subset(DataSplits.Random(runs, seed), runs, size, seed);
                curveJobs.AddRange(methods.Select(method => (split, seed, method, size)));
            }
        jobs.AddRange(curveJobs.Select(j => (j.Split, j.Seed, j.Method)));

        // Fits run one after another: fits on two threads once crashed inside Tensor.add (the
        // finalizer race of docs/native-memory.md, since fixed; threads have not been retried). To use
        // both cores, run one process per seed into the same cache (what run.sh does): finished fits are shared.
        var results = new MethodRun[jobs.Count];
        for (int j = 0; j < jobs.Count; j++)
        {
            var (split, seed, method) = jobs[j];
            progress?.Report(new ExperimentProgress(j, jobs.Count, split.Name, method, seed, null));
            int done = j;
            var run = cache?.TryRead(split.Name, method, seed);
            if (run is null)
            {
                run = Fit(create(method, options.Predictor with { Seed = seed }), split, samples, (int)seed,
                    new Relay(e => progress?.Report(new ExperimentProgress(done, jobs.Count, split.Name, method, seed, e))));
                cache?.Write(run);   // only new fits: other processes may be reading the cached ones
            }
            Runtime.NativeAllocator.ReturnFreeMemory();   // between fits, so that a long experiment's RSS does not creep
            results[j] = run;
            progress?.Report(new ExperimentProgress(j + 1, jobs.Count, split.Name, method, seed, null));
        }
        var splits = ExperimentOptions.AllSplits.Where(splitInfos.ContainsKey).Select(s => splitInfos[s]).ToList();
        int standard = jobs.Count - curveJobs.Count;
        var curve = curveJobs.Select((job, i) => new CurveRun(job.TrainRuns, job.Split.Train.Count, results[standard + i])).ToList();
        return new ExperimentSummary(title, settings, splits, results[..standard], timer.Elapsed, samples.Select(s => s.Target).ToList(), curve);
    }

    /// <summary>The named split of the zoo for <paramref name="seed"/>.</summary>
    public static DataSplit MakeSplit(string name, IReadOnlyList<int> runs, IReadOnlyList<int> widths, long seed, double lowDataFraction) => name switch
    {
        "random" => DataSplits.Random(runs, seed),
        "low-data" => DataSplits.LowData(DataSplits.Random(runs, seed), runs, lowDataFraction, seed),
        "ood-width" => DataSplits.OodWidth(runs, widths, seed),
        _ => throw new ArgumentException($"Unknown split '{name}'."),
    };

    private static MethodRun Fit(IPropertyPredictor created, DataSplit split, IReadOnlyList<LabelledGraph> samples, int seed, IProgress<EpochRecord> progress)
    {
        List<LabelledGraph> Pick(IReadOnlyList<int> indices) => indices.Select(i => samples[i]).ToList();
        var test = Pick(split.Test);
        using var predictor = created;
        var fit = predictor.Fit(Pick(split.Train), Pick(split.Validation), progress);
        var predicted = predictor.Predict(test);
        var truth = test.Select(s => s.Target).ToList();
        return new MethodRun(split.Name, predictor.Name, seed, Metrics.R2(truth, predicted), Metrics.KendallTau(truth, predicted),
            test.Select(s => s.Id).ToList(), truth, predicted, fit);
    }

    private sealed class Relay(Action<EpochRecord> action) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => action(value);
    }
}
