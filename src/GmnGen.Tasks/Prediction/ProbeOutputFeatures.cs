using System;
using System.Collections.Generic;
using System.Linq;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// The probes-only baseline's row: the network's softmax outputs on the probe inputs
/// (<see cref="GmnGen.Probes.ProbeReading.Outputs"/>, probes × classes), each column standardised with
/// the training split's mean and standard deviation and clipped like StatNN's. A network with fewer outputs
/// than the widest training network is zero-padded (as StatNN pads missing tensors); the zoo's networks all
/// answer the same images with 10 classes.
/// </summary>
internal sealed class ProbeOutputFeatures : IFeatureRows
{
    private readonly double[] mean, std;

    private ProbeOutputFeatures(double[] mean, double[] std)
    {
        this.mean = mean;
        this.std = std;
    }

    public int Width => mean.Length;

    /// <summary>Column statistics of the training split's outputs.</summary>
    /// <exception cref="ArgumentException">A sample has no probe reading.</exception>
    public static ProbeOutputFeatures Fit(IReadOnlyList<LabelledGraph> train)
    {
        int width = train.Max(s => Outputs(s).Length);
        var rows = train.Select(s => Padded(Outputs(s), width)).ToList();
        var mean = new double[width];
        var std = new double[width];
        for (int c = 0; c < width; c++)
        {
            mean[c] = rows.Average(r => (double)r[c]);
            double variance = rows.Average(r => (r[c] - mean[c]) * (r[c] - mean[c]));
            std[c] = Math.Max(Math.Sqrt(variance), 1e-6);
        }
        return new ProbeOutputFeatures(mean, std);
    }

    public float[] Row(LabelledGraph sample)
    {
        var outputs = Outputs(sample);
        if (outputs.Length > Width)
            throw new ArgumentException($"Probes: sample '{sample.Id}' has {outputs.Length} probe outputs, the widest training network {Width}.");
        outputs = Padded(outputs, Width);
        var row = new float[Width];
        for (int c = 0; c < Width; c++) row[c] = Math.Clamp((float)((outputs[c] - mean[c]) / std[c]), -StatNnFeatures.Clip, StatNnFeatures.Clip);
        return row;
    }

    private static float[] Padded(float[] outputs, int width) => outputs.Length == width ? outputs : [.. outputs, .. new float[width - outputs.Length]];

    private static float[] Outputs(LabelledGraph sample) =>
        sample.Probes?.Outputs ?? throw new ArgumentException($"Probes: sample '{sample.Id}' has no probe reading (load the zoo with probe inputs).");
}
