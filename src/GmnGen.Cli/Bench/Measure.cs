using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace GmnGen.Cli.Bench;

/// <summary>Wall-clock timing helpers; every figure the tool reports is a median of repetitions.</summary>
public static class Measure
{
    /// <summary>Runs <paramref name="action"/> <paramref name="warmup"/> times untimed, then
    /// <paramref name="reps"/> times timed; returns the times in seconds.</summary>
    public static double[] Repeat(Action action, int warmup, int reps)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[reps];
        for (int i = 0; i < reps; i++) times[i] = Seconds(action);
        return times;
    }

    public static double Seconds(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public static double Median(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Full garbage collection, so the finalizers of dropped tensors run outside the timed region.</summary>
    public static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
