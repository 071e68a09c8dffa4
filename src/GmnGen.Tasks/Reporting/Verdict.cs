using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace GmnGen.Tasks.Reporting;

/// <summary>A method judged against some others.</summary>
/// <param name="Candidate">The method judged.</param>
/// <param name="Baselines">The methods it must beat.</param>
public sealed record Comparison(string Candidate, IReadOnlyList<string> Baselines);

/// <summary>How the candidate method compares with the baselines on one split.</summary>
/// <param name="Split">Split name.</param>
/// <param name="HighestR2">The candidate's mean R² is strictly above every baseline's.</param>
/// <param name="HighestTau">The candidate's mean Kendall tau is strictly above every baseline's.</param>
public sealed record SplitVerdict(string Split, bool HighestR2, bool HighestTau)
{
    /// <summary>Highest on both scores.</summary>
    public bool Ahead => HighestR2 && HighestTau;
}

/// <summary>
/// Whether the graph metanet beats the baselines, split by split, and one paragraph saying so from the
/// figures alone. A tie is not a lead, and a missing or NaN score is never counted in anyone's favour.
/// </summary>
public static class Verdict
{
    /// <summary>The method the experiment is about.</summary>
    public const string DefaultCandidate = "GMN";

    /// <summary>
    /// What the reports compare: the GMN against the methods that read weights alone (StatNN, DeepSets), and
    /// "GMN+probes", which also reads each network's activations on probe inputs, against the probes-only
    /// baseline and the plain GMN (do the weights add to the probes, do the probes add to the weights).
    /// </summary>
    public static IReadOnlyList<Comparison> Comparisons { get; } =
    [
        new(DefaultCandidate, ["StatNN", "DeepSets"]),
        new("GMN+probes", ["Probes", DefaultCandidate]),
    ];

    /// <summary>
    /// One verdict per split (in row order) on which the candidate and at least one baseline have rows.
    /// </summary>
    /// <param name="rows">Aggregated results.</param>
    /// <param name="candidate">The method judged.</param>
    /// <param name="baselines">The methods it is judged against (null: every other method).</param>
    public static IReadOnlyList<SplitVerdict> PerSplit(IReadOnlyList<ResultRow> rows, string candidate = DefaultCandidate, IReadOnlyCollection<string>? baselines = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var verdicts = new List<SplitVerdict>();
        foreach (var split in rows.Select(r => r.Split).Distinct())
        {
            var (own, others) = Partition(rows, split, candidate, baselines);
            if (own is null || others.Count == 0) continue;
            verdicts.Add(new SplitVerdict(split, Highest(own.R2Mean, others.Select(b => b.R2Mean)),
                Highest(own.TauMean, others.Select(b => b.TauMean))));
        }
        return verdicts;
    }

    /// <summary>
    /// A paragraph such as "GMN is ahead of every baseline on both R² and Kendall τ in 2 of 3 splits
    /// (random, low-data). On ood-width, DeepSets has the higher Kendall τ (0.610 vs 0.580 for GMN)."
    /// It also says where a lead is smaller than the spread over seeds, and which splits could not be compared.
    /// </summary>
    /// <param name="rows">Aggregated results.</param>
    /// <param name="candidate">The method judged.</param>
    /// <param name="baselines">The methods it is judged against (null: every other method).</param>
    public static string Describe(IReadOnlyList<ResultRow> rows, string candidate = DefaultCandidate, IReadOnlyCollection<string>? baselines = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var splits = rows.Select(r => r.Split).Distinct().ToList();
        if (!rows.Any(r => r.Method == candidate)) return $"{candidate} has no results, so there is nothing to compare.";

        var verdicts = PerSplit(rows, candidate, baselines);
        var text = new StringBuilder();
        if (verdicts.Count == 0)
            text.Append("No split has both ").Append(candidate).Append(" and a baseline, so there is nothing to compare.");
        else
        {
            var ahead = verdicts.Where(v => v.Ahead).Select(v => v.Split).ToList();
            text.Append(candidate);
            if (ahead.Count == 0)
                text.Append(verdicts.Count == 1 ? " is not ahead of every baseline on both R² and Kendall τ on its one compared split."
                    : $" is not ahead of every baseline on both R² and Kendall τ in any of the {verdicts.Count} splits.");
            else if (ahead.Count == verdicts.Count)
                text.Append(" is ahead of every baseline on both R² and Kendall τ in ")
                    .Append(verdicts.Count == 1 ? "the one compared split" : $"all {verdicts.Count} splits")
                    .Append($" ({string.Join(", ", ahead)}).");
            else
                text.Append($" is ahead of every baseline on both R² and Kendall τ in {ahead.Count} of {verdicts.Count} splits ({string.Join(", ", ahead)}).");
        }

        foreach (var verdict in verdicts)
        {
            var (own, others) = Partition(rows, verdict.Split, candidate, baselines);
            if (verdict.Ahead)
                AppendNarrowLeads(text, verdict.Split, own!, others);
            else
                AppendShortfalls(text, verdict, own!, others, candidate);
        }

        foreach (var split in splits)
        {
            var (own, others) = Partition(rows, split, candidate, baselines);
            if (own is null) text.Append($" {candidate} has no results on {split}.");
            else if (others.Count == 0) text.Append($" No baseline ran on {split}.");
        }
        if (rows.Count > 0 && rows.All(r => r.Seeds == 1))
            text.Append(" Every figure comes from a single seed, so there is no spread to judge the margins against.");
        return text.ToString();
    }

    private static void AppendShortfalls(StringBuilder text, SplitVerdict verdict, ResultRow own, List<ResultRow> baselines, string candidate)
    {
        var clauses = new List<string>();
        if (!verdict.HighestR2) clauses.Add(Shortfall("R²", own.R2Mean, baselines, r => r.R2Mean, candidate));
        if (!verdict.HighestTau) clauses.Add(Shortfall("Kendall τ", own.TauMean, baselines, r => r.TauMean, candidate));
        // "StatNN has the higher R² (…) and the higher Kendall τ (…)" rather than naming StatNN twice.
        if (clauses.Count == 2 && Leader(clauses[0]) is { } leader && Leader(clauses[1]) == leader)
            clauses = [$"{clauses[0]} and {clauses[1][(leader.Length + " has ".Length)..]}"];
        text.Append($" On {verdict.Split}, {string.Join("; ", clauses)}.");
    }

    private static string? Leader(string clause)
    {
        int at = clause.IndexOf(" has the higher ", StringComparison.Ordinal);
        return at > 0 ? clause[..at] : null;
    }

    private static string Shortfall(string metric, double mine, List<ResultRow> baselines, Func<ResultRow, double> score, string candidate)
    {
        if (double.IsNaN(mine)) return $"{candidate}'s {metric} is undefined";
        var best = Best(baselines, score)!;
        double theirs = score(best);
        var (a, b) = Pair(theirs, mine);
        return theirs == mine
            ? $"{candidate} ties {best.Method} on {metric} ({a})"
            : $"{best.Method} has the higher {metric} ({a} vs {b} for {candidate})";
    }

    // A lead smaller than the seed-to-seed standard deviation of either method is worth flagging.
    private static void AppendNarrowLeads(StringBuilder text, string split, ResultRow own, List<ResultRow> baselines)
    {
        var notes = new List<string>();
        foreach (var (metric, score, spread) in new (string, Func<ResultRow, double>, Func<ResultRow, double>)[]
                 { ("R²", r => r.R2Mean, r => r.R2Std), ("Kendall τ", r => r.TauMean, r => r.TauStd) })
        {
            var runnerUp = Best(baselines, score);
            if (runnerUp is null || own.Seeds < 2 && runnerUp.Seeds < 2) continue;
            double margin = score(own) - score(runnerUp), std = Math.Max(spread(own), spread(runnerUp));
            if (margin < std)
                notes.Add($"the {metric} lead over {runnerUp.Method} ({Format(margin)}) is smaller than the spread over seeds (std up to {Format(std)})");
        }
        if (notes.Count > 0) text.Append($" On {split}, {string.Join(", and ", notes)}.");
    }

    private static (ResultRow? Own, List<ResultRow> Baselines) Partition(IReadOnlyList<ResultRow> rows, string split, string candidate, IReadOnlyCollection<string>? baselines) =>
        (rows.FirstOrDefault(r => r.Split == split && r.Method == candidate),
         rows.Where(r => r.Split == split && r.Method != candidate && (baselines is null || baselines.Contains(r.Method))).ToList());

    private static bool Highest(double mine, IEnumerable<double> others) =>
        !double.IsNaN(mine) && others.Where(o => !double.IsNaN(o)).All(o => mine > o);

    private static ResultRow? Best(List<ResultRow> rows, Func<ResultRow, double> score) =>
        rows.Where(r => !double.IsNaN(score(r))).OrderByDescending(score).FirstOrDefault();

    /// <summary>Both numbers with 3 decimals, or more (up to 6) when 3 would print two different numbers alike.</summary>
    private static (string, string) Pair(double a, double b)
    {
        for (int decimals = 3; decimals < 6; decimals++)
        {
            string x = Format(a, decimals), y = Format(b, decimals);
            if (a == b || x != y) return (x, y);
        }
        return (Format(a, 6), Format(b, 6));
    }

    private static string Format(double value, int decimals = 3) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
