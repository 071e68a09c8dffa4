using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Metanet;

namespace GmnGen.Cli.Bench;

/// <summary>
/// (f) GmnGen and the reference on one shape, adjacent in time: the matmul rate, GmnGen (training in
/// each precision and, on ZooCnn, the inference batch in float32), the reference's child process, then
/// GmnGen again. These machines' speed drifts by up to 2× within minutes (the 1024³ matmul rose from 98
/// to 183 GFLOP/s during one run), so a ratio of figures measured minutes apart measures the drift too;
/// dividing by the mean of the GmnGen figures just before and just after the reference cancels a drift
/// that is linear over the pair, and the two show how far it moved.
/// </summary>
public static class SideBySideBench
{
    /// <summary>One shape's measurements around one reference run.</summary>
    /// <param name="MatmulGflops">The 1024³ float32 matmul rate right before the pair.</param>
    /// <param name="Before">GmnGen training at the reference batch, one result per precision, just before the reference.</param>
    /// <param name="After">The same, just after.</param>
    /// <param name="InferenceBefore">GmnGen's float32 forward over the inference batch before the reference (ZooCnn only; null when skipped).</param>
    /// <param name="InferenceAfter">The same, after.</param>
    public sealed record Pair(string Network, int Hidden, double MatmulGflops, ReferenceBench.Result Reference,
        IReadOnlyList<TrainingBench.Result> Before, IReadOnlyList<TrainingBench.Result> After,
        InferenceBench.Result? InferenceBefore, InferenceBench.Result? InferenceAfter)
    {
        /// <summary>GmnGen's training step in <paramref name="precision"/> before and after, or null when it did not run.</summary>
        public (double Before, double After)? TrainingSeconds(ProductPrecision precision)
        {
            var before = Before.FirstOrDefault(r => r.Precision == precision);
            var after = After.FirstOrDefault(r => r.Precision == precision);
            return before is null || after is null ? null : (before.MedianSeconds, after.MedianSeconds);
        }

        /// <summary>GmnGen's forward over the inference batch before and after, or null.</summary>
        public (double Before, double After)? InferenceSeconds =>
            InferenceBefore is null || InferenceAfter is null ? null : (InferenceBefore.ForwardSeconds, InferenceAfter.ForwardSeconds);
    }

    /// <summary>How many times faster GmnGen is: the reference's time over the mean of GmnGen's times
    /// just before and just after it.</summary>
    public static double Speedup(double referenceSeconds, double gmnBefore, double gmnAfter)
    {
        if (!(referenceSeconds > 0) || !(gmnBefore > 0) || !(gmnAfter > 0))
            throw new ArgumentOutOfRangeException(nameof(referenceSeconds), $"times must be positive (reference {referenceSeconds}, GmnGen {gmnBefore} and {gmnAfter})");
        return referenceSeconds / ((gmnBefore + gmnAfter) / 2);
    }

    /// <summary>How far GmnGen's two figures of a pair are apart, as a fraction of their mean: the
    /// machine's drift over the pair plus the measurement's own noise.</summary>
    public static double Spread(double before, double after) => Math.Abs(after - before) / ((before + after) / 2);
}
