using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Prediction;

/// <summary>A fixed-width feature row per network, with its statistics from the training split.</summary>
internal interface IFeatureRows
{
    /// <summary>Values per row.</summary>
    int Width { get; }
    /// <summary>The sample's row (standardised); throws naming the sample when it cannot be made.</summary>
    float[] Row(LabelledGraph sample);
}

/// <summary>An MLP on feature rows: StatNN on the standardised per-tensor statistics (<see cref="StatNnFeatures"/>),
/// the probes-only baseline on the outputs for the probe inputs (<see cref="ProbeOutputFeatures"/>).</summary>
internal sealed class StatNnRegressor : IRegressor<float[]>
{
    private readonly IFeatureRows features;
    private readonly Mlp mlp;
    private readonly Device device;

    private StatNnRegressor(IFeatureRows features, Mlp mlp, Device device)
    {
        this.features = features;
        this.mlp = mlp;
        this.device = device;
    }

    public nn.Module Module => mlp;

    /// <summary>Slots and standardisation from the training split; a seeded MLP.</summary>
    public static StatNnRegressor Create(IReadOnlyList<LabelledGraph> train, PredictorOptions options) => Create(StatNnFeatures.Fit(train), options);

    /// <summary>A seeded MLP (StatNN's sizes) on <paramref name="features"/>.</summary>
    public static StatNnRegressor Create(IFeatureRows features, PredictorOptions options)
    {
        var mlp = new Mlp(features.Width, options.StatNnHidden, options.StatNnLayers, 1);
        SeededInitialisation.Apply(mlp, options.Seed);
        mlp.to(options.Device);
        return new StatNnRegressor(features, mlp, options.Device);
    }

    public float[] Encode(LabelledGraph sample) => features.Row(sample);

    public Tensor Forward(IReadOnlyList<float[]> batch)
    {
        // clone: a tensor made from a managed array may sit at any alignment, and MKL's multi-threaded
        // matmul rounds differently by alignment, which made fits with the same seed differ.
        var rows = tensor(batch.SelectMany(r => r).ToArray(), [batch.Count, features.Width]).clone().to(device);
        return mlp.forward(rows).reshape(-1);
    }

    public void Dispose() => mlp.Dispose();
}
