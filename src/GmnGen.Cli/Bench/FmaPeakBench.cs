using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace GmnGen.Cli.Bench;

/// <summary>
/// (a′) The CPU's float32 arithmetic peak: fused multiply-adds on registers only (twelve independent accumulators, no
/// memory traffic), on one thread and on the run's thread count at once. Nothing runs faster than this, so it bounds
/// what any float32 implementation of a step can reach: with its FLOPs known, a step cannot take less than
/// FLOPs ÷ peak (the "float32 ceiling" of (f)). Two vCPUs that share one core's FMA units show it here: the
/// two-thread rate stays well below twice the one-thread rate.
/// </summary>
public static class FmaPeakBench
{
    private const int Accumulators = 12;

    /// <param name="Instruction">The widest FMA the loop used ("AVX-512", "AVX2"), null where the CPU has neither.</param>
    public sealed record Result(string? Instruction, int Threads, double Gflops);

    /// <summary>The best of <paramref name="reps"/> timed runs of about <paramref name="seconds"/> each on
    /// <paramref name="threads"/> threads; <see cref="Result.Gflops"/> is NaN where the CPU has no FMA.</summary>
    public static Result Run(int threads, int reps = 3, double seconds = 0.2)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), $"at least one thread, not {threads}");
        var (instruction, lanes, loop) = Avx512F.IsSupported ? ("AVX-512", 16, (Func<long, float>)Loop512)
            : Fma.IsSupported ? ("AVX2", 8, Loop256)
            : ((string?)null, 0, (Func<long, float>?)null);
        if (loop is null) return new Result(null, threads, double.NaN);

        // Calibrated on one thread, so every thread runs the same count.
        loop(10_000);
        var calibration = Stopwatch.StartNew();
        loop(1_000_000);
        long iterations = Math.Max(1_000_000, (long)(1_000_000 * seconds / calibration.Elapsed.TotalSeconds));

        double best = double.PositiveInfinity;
        for (int rep = 0; rep < reps; rep++)
        {
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() => loop(iterations))).ToList();
            var clock = Stopwatch.StartNew();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        double flops = 2.0 * lanes * Accumulators * iterations * threads;
        return new Result(instruction, threads, flops / best / 1e9);
    }

    // Returns the sum so that the JIT keeps the loop.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop512(long iterations)
    {
        var x = Vector512.Create(1.0000001f);
        var y = Vector512.Create(0.9999999f);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(x, y, a0); a1 = Avx512F.FusedMultiplyAdd(x, y, a1); a2 = Avx512F.FusedMultiplyAdd(x, y, a2);
            a3 = Avx512F.FusedMultiplyAdd(x, y, a3); a4 = Avx512F.FusedMultiplyAdd(x, y, a4); a5 = Avx512F.FusedMultiplyAdd(x, y, a5);
            a6 = Avx512F.FusedMultiplyAdd(x, y, a6); a7 = Avx512F.FusedMultiplyAdd(x, y, a7); a8 = Avx512F.FusedMultiplyAdd(x, y, a8);
            a9 = Avx512F.FusedMultiplyAdd(x, y, a9); a10 = Avx512F.FusedMultiplyAdd(x, y, a10); a11 = Avx512F.FusedMultiplyAdd(x, y, a11);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop256(long iterations)
    {
        var x = Vector256.Create(1.0000001f);
        var y = Vector256.Create(0.9999999f);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(x, y, a0); a1 = Fma.MultiplyAdd(x, y, a1); a2 = Fma.MultiplyAdd(x, y, a2);
            a3 = Fma.MultiplyAdd(x, y, a3); a4 = Fma.MultiplyAdd(x, y, a4); a5 = Fma.MultiplyAdd(x, y, a5);
            a6 = Fma.MultiplyAdd(x, y, a6); a7 = Fma.MultiplyAdd(x, y, a7); a8 = Fma.MultiplyAdd(x, y, a8);
            a9 = Fma.MultiplyAdd(x, y, a9); a10 = Fma.MultiplyAdd(x, y, a10); a11 = Fma.MultiplyAdd(x, y, a11);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
