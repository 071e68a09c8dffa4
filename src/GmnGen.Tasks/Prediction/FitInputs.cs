using System;
using System.Collections.Generic;
using System.Linq;

namespace GmnGen.Tasks.Prediction;

/// <summary>The checks every predictor's Fit makes before it builds anything.</summary>
internal static class FitInputs
{
    public static void Check(IReadOnlyList<LabelledGraph> train, IReadOnlyList<LabelledGraph> validation)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        if (train.Count == 0) throw new ArgumentException("The training split is empty.", nameof(train));
        if (validation.Count == 0)
            throw new ArgumentException("The validation split is empty: model selection needs at least one validation network.", nameof(validation));
        foreach (var sample in train.Concat(validation))
            if (!double.IsFinite(sample.Target))
                throw new ArgumentException($"Sample '{sample.Id}' has target {sample.Target}: every target must be a finite number.");
    }
}
