using System;
using System.Collections.Generic;
using System.Linq;

namespace GmnGen.Tasks.Evaluation;

/// <summary>Which zoo members train, select and test a predictor: indices into the zoo's member list.</summary>
/// <param name="Name">"random", "low-data" or "ood-width".</param>
/// <param name="Description">One line for the report.</param>
/// <param name="Train">Members the predictor trains on.</param>
/// <param name="Validation">Members that choose the predictor's epoch (model selection).</param>
/// <param name="Test">Members the reported scores come from.</param>
public sealed record DataSplit(string Name, string Description, IReadOnlyList<int> Train, IReadOnlyList<int> Validation, IReadOnlyList<int> Test);

/// <summary>
/// The three splits of the accuracy-prediction experiment. Members are grouped by training run: all
/// checkpoints of one run land in the same part, so a predictor is never tested on a later snapshot
/// of a network it trained on.
/// </summary>
public static class DataSplits
{
    /// <summary>
    /// Runs shuffled with <paramref name="seed"/>: 60 % train, 20 % validation, 20 % test. The
    /// validation part picks each predictor's epoch; at a few hundred runs a tenth of them (36
    /// checkpoints of a 120-run zoo) made that choice mostly noise, so it is a fifth.
    /// </summary>
    public static DataSplit Random(IReadOnlyList<int> runs, long seed)
    {
        var groups = Shuffled(runs.Distinct().ToList(), seed);
        int test = (int)Math.Round(groups.Count * 0.2), validation = (int)Math.Round(groups.Count * 0.2);
        return Make("random", "runs shuffled: 60 % train, 20 % validation, 20 % test", runs,
            groups.Skip(test + validation), groups.Take(validation), groups.Skip(validation).Take(test));
    }

    /// <summary>The fewest training runs the low-data split keeps (when the random split has them): fewer make its scores mostly noise.</summary>
    public const int LowDataMinimumRuns = 20;

    /// <summary>
    /// The random split with only <paramref name="fraction"/> of its training runs kept, but at least
    /// <see cref="LowDataMinimumRuns"/> (validation and test unchanged).
    /// </summary>
    public static DataSplit LowData(DataSplit random, IReadOnlyList<int> runs, double fraction, long seed)
    {
        int available = random.Train.Select(i => runs[i]).Distinct().Count();
        int keep = Math.Min(available, Math.Max(LowDataMinimumRuns, (int)Math.Round(available * fraction)));
        return Subset(random, runs, keep, seed) with
        {
            Name = "low-data",
            Description = $"the random split with {fraction.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)} of its training runs, at least {LowDataMinimumRuns} ({keep})",
        };
    }

    /// <summary>
    /// The random split with only <paramref name="trainRuns"/> of its training runs (validation and test
    /// unchanged): the first ones of an order drawn from <paramref name="seed"/>, so for one seed smaller
    /// subsets are nested in larger ones (a learning curve), and the low-data split is one of them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 1, or more training runs than the random split has.</exception>
    public static DataSplit Subset(DataSplit random, IReadOnlyList<int> runs, int trainRuns, long seed)
    {
        var order = Shuffled(random.Train.Select(i => runs[i]).Distinct().ToList(), seed ^ 0x10D47A);
        if (trainRuns < 1 || trainRuns > order.Count)
            throw new ArgumentOutOfRangeException(nameof(trainRuns), trainRuns,
                $"The random split of this zoo has {order.Count} training runs; a subset needs 1 to {order.Count}.");
        var kept = order.Take(trainRuns).ToHashSet();
        return random with
        {
            Name = $"curve-{trainRuns}",
            Description = $"the random split with {trainRuns} of its {order.Count} training runs",
            Train = random.Train.Where(i => kept.Contains(runs[i])).ToList(),
        };
    }

    /// <summary>
    /// Out of distribution by width: test on every run whose width is strictly larger than a threshold,
    /// train and validate (85 / 15 %, by run) on the rest. The threshold is the largest width that
    /// still leaves at least a quarter of the runs for testing.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two distinct widths.</exception>
    public static DataSplit OodWidth(IReadOnlyList<int> runs, IReadOnlyList<int> widths, long seed)
    {
        var widthOfRun = runs.Zip(widths).GroupBy(p => p.First).ToDictionary(g => g.Key, g => g.First().Second);
        var distinct = widthOfRun.Values.Distinct().Order().ToList();
        if (distinct.Count < 2) throw new ArgumentException($"The OOD split needs at least two widths; the zoo has only {string.Join(", ", distinct)}.");
        int threshold = distinct.Take(distinct.Count - 1)
            .Where(t => widthOfRun.Values.Count(w => w > t) >= 0.25 * widthOfRun.Count)
            .DefaultIfEmpty(distinct[0]).Max();
        var small = Shuffled(widthOfRun.Where(p => p.Value <= threshold).Select(p => p.Key).Order().ToList(), seed);
        int validation = Math.Max(1, (int)Math.Round(small.Count * 0.15));
        var large = widthOfRun.Where(p => p.Value > threshold).Select(p => p.Key);
        return Make("ood-width", $"train on widths <= {threshold}, test on widths > {threshold} " +
                                 $"({string.Join(", ", distinct.Where(w => w > threshold))})",
            runs, small.Skip(validation), small.Take(validation), large);
    }

    private static DataSplit Make(string name, string description, IReadOnlyList<int> runs,
        IEnumerable<int> trainRuns, IEnumerable<int> validationRuns, IEnumerable<int> testRuns)
    {
        var train = trainRuns.ToHashSet();
        var validation = validationRuns.ToHashSet();
        var test = testRuns.ToHashSet();
        List<int> Members(HashSet<int> part) => Enumerable.Range(0, runs.Count).Where(i => part.Contains(runs[i])).ToList();
        return new DataSplit(name, description, Members(train), Members(validation), Members(test));
    }

    private static List<int> Shuffled(List<int> items, long seed)
    {
        var sorted = items.Order().ToList();   // independent of the order runs were listed in
        new System.Random(unchecked((int)(seed ^ (seed >> 32)))).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sorted));
        return sorted;
    }
}
