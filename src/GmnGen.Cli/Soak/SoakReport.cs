using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using GmnGen.Storage;

namespace GmnGen.Cli.Soak;

/// <summary>The soak's findings, computed from its records: crashes, non-finite losses, repeats that
/// did not reproduce, memory and live-tensor growth, and what the finalizer freed.</summary>
public sealed record SoakSummary(int Iterations, int Cycles, int Errors, int NonFinite, int Repeats, int NotReproduced,
    double RssFirstMiB, double RssLastMiB, double ManagedFirstMiB, double ManagedLastMiB, long Finalized, TimeSpan Elapsed)
{
    /// <summary>RSS may grow this much from the end of the second cycle to the end of the last and still count as flat
    /// (allocator caches and the JIT settle over the first cycles).</summary>
    public const double FlatMemoryAllowanceMiB = 64;

    public double RssGrowthMiB => RssLastMiB - RssFirstMiB;

    public bool MemoryFlat => RssGrowthMiB <= FlatMemoryAllowanceMiB;

    public bool Clean => Errors == 0 && NonFinite == 0 && NotReproduced == 0 && Finalized == 0 && MemoryFlat;

    /// <summary>Summarises <paramref name="records"/>; growth is measured from the end of cycle 2 (cycle 1 when there is only one).</summary>
    public static SoakSummary Of(IReadOnlyList<SoakRecord> records, TimeSpan elapsed)
    {
        if (records.Count == 0) throw new ArgumentException("The soak made no record.", nameof(records));
        int cycles = records.Max(r => r.Cycle);
        var ends = records.GroupBy(r => r.Cycle).Select(g => g.Last()).ToList();
        var from = ends[Math.Min(1, ends.Count - 1)];
        var last = records[^1];
        return new SoakSummary(records.Count, cycles, records.Count(r => r.Error.Length > 0), records.Count(r => r.NonFinite),
            records.Count(r => r.Reproduced is not null), records.Count(r => r.Reproduced == false),
            from.RssMiB, last.RssMiB, from.ManagedMiB, last.ManagedMiB,
            last.FinalizedTensors + last.FinalizedScalars + last.FinalizedOther, elapsed);
    }

    /// <summary>One sentence: clean, or what was not.</summary>
    public string Verdict()
    {
        var problems = new List<string>();
        if (Errors > 0) problems.Add($"{Errors} iterations threw");
        if (NonFinite > 0) problems.Add($"{NonFinite} had non-finite losses or diverged");
        if (NotReproduced > 0) problems.Add($"{NotReproduced} of {Repeats} repeats differed from their first run");
        if (Finalized > 0) problems.Add($"the finalizer freed {Finalized} TorchSharp objects");
        if (!MemoryFlat) problems.Add($"resident memory grew by {RssGrowthMiB:F0} MiB (more than {FlatMemoryAllowanceMiB:F0})");
        return problems.Count == 0
            ? $"Clean: {Iterations} iterations in {Cycles} cycles, 0 crashes, 0 non-finite losses, {Repeats} repeats all bit-identical, " +
              $"nothing left to the finalizer, memory flat (RSS {RssFirstMiB:F0} → {RssLastMiB:F0} MiB, managed heap {ManagedFirstMiB:F0} → {ManagedLastMiB:F0} MiB)."
            : "Not clean: " + string.Join("; ", problems) + ".";
    }
}

/// <summary>Writes soak.csv (every record) and soak.md (settings, race, summary, verdict), atomically.</summary>
public static class SoakReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void WriteCsv(string path, IReadOnlyList<SoakRecord> records)
    {
        var csv = new StringBuilder("iteration,cycle,kind,work,seconds,non_finite,reproduced,error,rss_mib,managed_mib,finalized_tensors,finalized_scalars,finalized_other\n");
        foreach (var r in records)
            csv.AppendLine(string.Join(",", r.Iteration, r.Cycle, r.Kind, r.Work, r.Seconds.ToString("F2", Invariant), r.NonFinite,
                r.Reproduced?.ToString() ?? "", Quote(r.Error), r.RssMiB.ToString("F1", Invariant), r.ManagedMiB.ToString("F1", Invariant),
                r.FinalizedTensors, r.FinalizedScalars, r.FinalizedOther));
        AtomicFile.WriteAllText(path, csv.ToString());
    }

    public static string Markdown(SoakSettings settings, string command, RaceOutcome? implicitRace, RaceOutcome? ownedRace, SoakSummary summary,
        IReadOnlyList<SoakRecord> records, string machine)
    {
        var md = new StringBuilder("# gmn soak\n\n");
        md.AppendLine($"Command: `{command}`  ");
        md.AppendLine($"Machine: {machine}  ");
        md.AppendLine($"Settings: {settings.Duration.TotalMinutes:F1} min, {settings.Threads} torch threads, GC pressure {settings.Pressure}, " +
                      $"{settings.ZooRuns} zoo runs repeated, GMN fits of {settings.GmnEpochs} epochs, seed {settings.Seed}; ran {summary.Elapsed.TotalMinutes:F1} min.\n");
        if (implicitRace is not null && ownedRace is not null)
        {
            md.AppendLine("## The race, on purpose\n");
            md.AppendLine("The same multiplication `x · k`, under the same GC pressure:\n");
            md.AppendLine("| Scalar | calls | wrong results | errors | first error |");
            md.AppendLine("|---|--:|--:|--:|---|");
            md.AppendLine($"| implicit (TorchSharp converts `k`, nobody disposes) | {implicitRace.Calls:N0} | {implicitRace.Wrong} | {implicitRace.Errors} | {implicitRace.FirstError} |");
            md.AppendLine($"| owned (`using var s = k.ToScalar()`) | {ownedRace.Calls:N0} | {ownedRace.Wrong} | {ownedRace.Errors} | {ownedRace.FirstError} |\n");
        }
        md.AppendLine("## Iterations\n");
        md.AppendLine("| kind | iterations | errors | non-finite | repeats | not reproduced | mean time |");
        md.AppendLine("|---|--:|--:|--:|--:|--:|--:|");
        foreach (var group in records.GroupBy(r => r.Kind))
            md.AppendLine($"| {group.Key} | {group.Count()} | {group.Count(r => r.Error.Length > 0)} | {group.Count(r => r.NonFinite)} | " +
                          $"{group.Count(r => r.Reproduced is not null)} | {group.Count(r => r.Reproduced == false)} | {group.Average(r => r.Seconds):F1} s |");
        md.AppendLine();
        md.AppendLine($"Memory at the end of cycle {Math.Min(2, summary.Cycles)} → the last: RSS {summary.RssFirstMiB:F0} → {summary.RssLastMiB:F0} MiB " +
                      $"({summary.RssGrowthMiB:+0;-0;0} MiB; flat means at most {SoakSummary.FlatMemoryAllowanceMiB:F0}), managed heap {summary.ManagedFirstMiB:F0} → {summary.ManagedLastMiB:F0} MiB. " +
                      $"TorchSharp objects freed by the finalizer: {summary.Finalized}.\n");
        foreach (var failure in records.Where(r => r.Error.Length > 0).Take(10))
            md.AppendLine($"- iteration {failure.Iteration} ({failure.Kind}, {failure.Work}): {failure.Error}");
        md.AppendLine();
        md.AppendLine("**" + summary.Verdict() + "**");
        return md.ToString();
    }

    private static string Quote(string text) => text.Length == 0 ? "" : "\"" + text.Replace("\"", "\"\"") + "\"";
}
