using System;
using System.Collections.Generic;
using System.Linq;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// StatNN's input row: one slot per state-tensor name seen in the training split (e.g. "Conv2.weight",
/// "Norm1.running_var", "Head.bias", in first-seen order), each with the seven
/// <see cref="ParameterStatistics"/> and a present flag. Keying slots by name lines up the same layer
/// across the architectures of a zoo (a CNN with BatchNorm and one without share their "Conv2.weight"
/// slot), where positions would compare a norm's running variance with another net's conv weight.
/// A network's tensors that no training network had have no slot and are left out (StatNN cannot
/// learn what they mean); missing slots are zero with the flag 0. Each column is standardised with the
/// training split's mean and standard deviation.
/// </summary>
internal sealed class StatNnFeatures : IFeatureRows
{
    /// <summary>Columns per tensor slot: the statistics and the present flag.</summary>
    public const int PerSlot = 8;

    private readonly Dictionary<string, int> slotOf;
    private readonly double[] mean, std;

    private StatNnFeatures(Dictionary<string, int> slotOf, double[] mean, double[] std)
    {
        this.slotOf = slotOf;
        this.mean = mean;
        this.std = std;
    }

    public int Slots => slotOf.Count;

    public int Width => Slots * PerSlot;

    public static StatNnFeatures Fit(IReadOnlyList<LabelledGraph> train)
    {
        var slotOf = new Dictionary<string, int>();
        foreach (var sample in train)
            foreach (var tensor in sample.Graph.Topology.Layout.State)
                slotOf.TryAdd(tensor.Name, slotOf.Count);
        var rows = train.Select(s => Raw(s, slotOf)).ToList();
        int width = slotOf.Count * PerSlot;
        var mean = new double[width];
        var std = new double[width];
        for (int c = 0; c < width; c++)
        {
            mean[c] = rows.Average(r => r[c]);
            double variance = rows.Average(r => (r[c] - mean[c]) * (r[c] - mean[c]));
            // A constant column (a flag every network shares) carries nothing: centred to 0, not divided by 0.
            std[c] = variance > 1e-24 ? Math.Sqrt(variance) : 1;
        }
        return new StatNnFeatures(slotOf, mean, std);
    }

    /// <summary>Standardised features are clipped to ±<see cref="Clip"/>.</summary>
    /// <remarks>
    /// A slot that few training networks fill has a tiny standard deviation, and a test network far
    /// outside the training range (a huge running variance, weights blown up by a large learning rate)
    /// then reaches the MLP as a feature of 10⁵ and its prediction with it: on the diverse zoo that made
    /// StatNN's test R² about −10⁶. Clipping keeps such a network's features at "far out".
    /// </remarks>
    public const float Clip = 10;

    /// <summary>The standardised row of one network.</summary>
    public float[] Row(LabelledGraph sample)
    {
        var raw = Raw(sample, slotOf);
        var row = new float[raw.Length];
        for (int c = 0; c < raw.Length; c++) row[c] = Math.Clamp((float)((raw[c] - mean[c]) / std[c]), -Clip, Clip);
        return row;
    }

    private static double[] Raw(LabelledGraph sample, Dictionary<string, int> slotOf)
    {
        var state = sample.Graph.Topology.Layout.State;
        var row = new double[slotOf.Count * PerSlot];
        var statistics = ParameterStatistics.PerTensor(sample.Graph);
        for (int t = 0; t < statistics.Length; t++)
        {
            if (!slotOf.TryGetValue(state[t].Name, out int slot)) continue;
            statistics[t].CopyTo(row, slot * PerSlot);
            row[slot * PerSlot + PerSlot - 1] = 1;
        }
        return row;
    }
}
