using System;
using System.Collections.Generic;
using System.Linq;

namespace GmnGen.Tasks.Merging;

/// <summary>
/// Barriers of a curve over λ ∈ [0, 1] (Frankle et al., 2020; Entezari et al., 2022): how far the curve
/// rises above (loss) or falls below (accuracy) the straight line between its two endpoints.
/// </summary>
public static class Barrier
{
    /// <summary><paramref name="points"/> evenly spaced values from 0 to 1, both included (exactly 0 and 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 points.</exception>
    public static IReadOnlyList<double> Lambdas(int points)
    {
        if (points < 2) throw new ArgumentOutOfRangeException(nameof(points), points, "A curve from λ = 0 to 1 needs at least 2 points.");
        return Enumerable.Range(0, points).Select(i => i == points - 1 ? 1.0 : (double)i / (points - 1)).ToList();
    }

    /// <summary>Loss barrier: max over λ of loss(λ) − ((1−λ)·loss(0) + λ·loss(1)); 0 or more, NaN when a value is NaN.</summary>
    /// <param name="lambdas">Ascending, from exactly 0 to exactly 1.</param>
    /// <param name="losses">The loss at each λ.</param>
    public static double OfLoss(IReadOnlyList<double> lambdas, IReadOnlyList<double> losses) =>
        Worst(lambdas, losses, (value, line) => value - line);

    /// <summary>Accuracy barrier: max over λ of ((1−λ)·acc(0) + λ·acc(1)) − acc(λ); 0 or more, NaN when a value is NaN.</summary>
    /// <param name="lambdas">Ascending, from exactly 0 to exactly 1.</param>
    /// <param name="accuracies">The accuracy at each λ.</param>
    public static double OfAccuracy(IReadOnlyList<double> lambdas, IReadOnlyList<double> accuracies) =>
        Worst(lambdas, accuracies, (value, line) => line - value);

    private static double Worst(IReadOnlyList<double> lambdas, IReadOnlyList<double> values, Func<double, double, double> excess)
    {
        ArgumentNullException.ThrowIfNull(lambdas);
        ArgumentNullException.ThrowIfNull(values);
        if (lambdas.Count != values.Count) throw new ArgumentException($"{lambdas.Count} values of λ but {values.Count} values on the curve.", nameof(values));
        if (lambdas.Count < 2 || lambdas[0] != 0 || lambdas[^1] != 1)
            throw new ArgumentException("The curve must run from λ = 0 to λ = 1 (its endpoints define the line).", nameof(lambdas));
        for (int i = 1; i < lambdas.Count; i++)
            if (!(lambdas[i] > lambdas[i - 1])) throw new ArgumentException($"λ must ascend; {lambdas[i]} follows {lambdas[i - 1]}.", nameof(lambdas));
        if (values.Any(double.IsNaN)) return double.NaN;
        double start = values[0], end = values[^1], worst = double.NegativeInfinity;
        for (int i = 0; i < values.Count; i++)
            worst = Math.Max(worst, excess(values[i], (1 - lambdas[i]) * start + lambdas[i] * end));
        return worst;
    }
}
