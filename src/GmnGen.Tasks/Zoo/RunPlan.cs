using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Training;

namespace GmnGen.Tasks.Zoo;

/// <summary>How one zoo run trains: its architecture and hyper-parameters, all drawn from its seed.</summary>
/// <param name="Run">Run index inside the zoo (0-based).</param>
/// <param name="Seed">This run's seed (weights, data subset, shuffling, dropout).</param>
/// <param name="Architecture">The declared architecture trained.</param>
/// <param name="Optimizer">Adam or SGD with momentum 0.9.</param>
/// <param name="LearningRate">Log-uniform; plan 2: Adam 1e-3..3e-2, SGD 1e-2..3e-1 (plan 1: 3e-4 and 3e-3 upwards).</param>
/// <param name="WeightDecay">0 for half the runs, else log-uniform 1e-5..1e-2.</param>
/// <param name="InitScale">Factor on the default initialisation of conv and linear weights, log-uniform 0.5..2 (plan 1: 0.3..3).</param>
/// <param name="TrainFraction">Fraction of the 60,000 training images this run sees (a seeded subset).</param>
/// <param name="Epochs">Passes over that subset.</param>
/// <param name="TotalSteps">Optimiser steps: ceil(Epochs × subset / batch).</param>
/// <param name="CheckpointSteps">Steps after which the weights are kept, ascending, ending at <see cref="TotalSteps"/>.</param>
public sealed record RunPlan(
    int Run,
    long Seed,
    ZooArchitecture Architecture,
    OptimizerKind Optimizer,
    double LearningRate,
    double WeightDecay,
    double InitScale,
    double TrainFraction,
    int Epochs,
    int TotalSteps,
    IReadOnlyList<int> CheckpointSteps)
{
    /// <summary>Training images in the subset.</summary>
    public int TrainImages => (int)Math.Round(TrainFraction * 60_000);
}

/// <summary>
/// Draws run plans. The spreads are wide on purpose: a zoo's accuracies must range from chance to good.
/// Plan 2 (the default since issue 12) keeps the ranges of plan 1 where runs learn and drops where they
/// mostly did not: on a plan-1 zoo of 120 runs the median checkpoint scored 27 %, 37 % scored below 20 %
/// (chance is 10 %), and a checkpoint's accuracy followed its step count (median 11 % below 16 steps,
/// 61 % beyond 128), so R² mostly measured "trained or not".
/// </summary>
public static class RunPlanner
{
    /// <summary>The distributions of one plan version.</summary>
    private sealed record Distributions(double[] Fractions, (double Low, double High) AdamRate, (double Low, double High) SgdRate,
        (double Low, double High) InitScale, int FirstCheckpointDivisor);

    private static readonly Distributions Plan1 = new([0.05, 0.1, 0.2, 0.4], (3e-4, 3e-2), (3e-3, 3e-1), (0.3, 3), 16);

    // No 5 % subsets (mean final accuracy 36 % in plan 1), no learning rates from the slowest third of
    // the log range and no initial scales below 0.5 (both learned least), first checkpoint at 1/8 of the steps.
    private static readonly Distributions Plan2 = new([0.1, 0.2, 0.4], (1e-3, 3e-2), (1e-2, 3e-1), (0.5, 2), 8);

    /// <summary>The plan of run <paramref name="run"/>: a function of the settings and the index only.</summary>
    public static RunPlan Plan(ZooSettings settings, int run)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(run);
        var d = settings.Plan switch
        {
            1 => Plan1,
            2 => Plan2,
            _ => throw new ArgumentException($"Zoo settings name run plan {settings.Plan}; this version knows plans 1..{ZooSettings.CurrentPlan}."),
        };
        var architectures = ZooArchitecture.Of(settings.Family);
        long seed = Mix(settings.Seed, run);
        var random = new Random(unchecked((int)seed));

        var architecture = architectures[random.Next(architectures.Count)];
        var optimizer = random.NextDouble() < 0.5 ? OptimizerKind.Adam : OptimizerKind.Sgd;
        var rate = optimizer == OptimizerKind.Adam ? d.AdamRate : d.SgdRate;
        double learningRate = LogUniform(random, rate.Low, rate.High);
        double weightDecay = random.NextDouble() < 0.5 ? 0 : LogUniform(random, 1e-5, 1e-2);
        double initScale = LogUniform(random, d.InitScale.Low, d.InitScale.High);
        double fraction = d.Fractions[random.Next(d.Fractions.Length)];
        int epochs = 1 + random.Next(4);

        int images = (int)Math.Round(fraction * 60_000);
        int totalSteps = (int)Math.Ceiling((double)epochs * images / settings.BatchSize);
        return new RunPlan(run, seed, architecture, optimizer, learningRate, weightDecay, initScale, fraction, epochs,
            totalSteps, CheckpointSteps(totalSteps, settings.Checkpoints, d.FirstCheckpointDivisor));
    }

    /// <summary>
    /// Geometric spacing from total/<paramref name="firstDivisor"/> to total: early checkpoints of a run
    /// sit near chance accuracy, late ones near its best, which spreads the zoo's accuracies.
    /// </summary>
    public static IReadOnlyList<int> CheckpointSteps(int totalSteps, int count, int firstDivisor = 8)
    {
        if (count == 1) return [totalSteps];
        var steps = Enumerable.Range(0, count)
            .Select(i => (int)Math.Round(totalSteps * Math.Pow(firstDivisor, -(double)(count - 1 - i) / (count - 1))))
            .Select(s => Math.Clamp(s, 1, totalSteps));
        return steps.Distinct().ToList();
    }

    private static double LogUniform(Random random, double low, double high) =>
        Math.Exp(Math.Log(low) + random.NextDouble() * (Math.Log(high) - Math.Log(low)));

    /// <summary>SplitMix64 of the master seed and the run index: independent, well-spread seeds per run.</summary>
    private static long Mix(long seed, int run)
    {
        ulong z = unchecked((ulong)seed + 0x9E3779B97F4A7C15UL * (ulong)(run + 1));
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (long)((z ^ (z >> 31)) & 0x7FFFFFFFFFFFFFFFUL);
    }
}
