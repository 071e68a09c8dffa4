using System;
using System.Collections.Generic;
using System.Linq;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// Standardisation of the target with the training split's mean and standard deviation: every
/// method regresses targets of unit scale (accuracies span a few hundredths in some zoos), and
/// predictions are mapped back before anyone sees them.
/// </summary>
internal sealed record TargetScale(double Mean, double Std)
{
    /// <summary>Mean and population standard deviation of the targets (std 1 when they are all equal).</summary>
    public static TargetScale Fit(IReadOnlyList<LabelledGraph> train)
    {
        double mean = train.Average(s => s.Target);
        double std = Math.Sqrt(train.Average(s => (s.Target - mean) * (s.Target - mean)));
        return new TargetScale(mean, std > 1e-12 ? std : 1);
    }

    public float Standardise(double target) => (float)((target - Mean) / Std);

    public double Restore(double standardised) => standardised * Std + Mean;
}
