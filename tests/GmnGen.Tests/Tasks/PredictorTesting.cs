using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Probes;
using GmnGen.Tasks.Prediction;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Tasks;

/// <summary>The predictor tests run one after another: each trains models on the 2 cores, and
/// running them side by side would only stretch every one of them.</summary>
[CollectionDefinition(nameof(PredictorCollection))]
public sealed class PredictorCollection;

/// <summary>
/// Shared set-up for the predictor tests: a synthetic zoo whose networks depend on their seed alone
/// (so the tests do not depend on each other's use of torch's global generator), small options per
/// method and a factory by name.
/// </summary>
internal static class PredictorTesting
{
    /// <summary>Small architectures with different tensor counts (TinyMlp 5, RowCnn 5, BatchNormCnn 14).</summary>
    public static readonly string[] Architectures = ["TinyMlp", "BatchNormCnn", "RowCnn"];

    public static readonly string[] Methods = ["GMN", "StatNN", "DeepSets", "GMN+probes", "Probes"];

    public static TheoryData<string> MethodNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Methods) data.Add(name);
        return data;
    }

    /// <summary>Options for quick tests: the test metanet's size (width 32, 2 blocks) and small baselines.</summary>
    public static PredictorOptions Quick(int epochs, long seed = 7) => new()
    {
        Epochs = epochs,
        BatchSize = 10,
        LearningRate = 1e-2,
        Seed = seed,
        Gmn = Small,
        StatNnHidden = 64,
        DeepSetsHidden = 32,
    };

    public static IPropertyPredictor Create(string method, PredictorOptions options) => method switch
    {
        "GMN" => new GmnPredictor(options),
        "StatNN" => new StatNnPredictor(options),
        "DeepSets" => new DeepSetsPredictor(options),
        "GMN+probes" => new GmnProbesPredictor(options),
        "Probes" => new ProbesPredictor(options),
        _ => throw new ArgumentException($"Unknown method '{method}': expected one of {string.Join(", ", Methods)}."),
    };

    /// <summary>
    /// Networks of <see cref="Architectures"/> in turn, each with its state scaled by its own factor
    /// exp(N(0, 0.5²)); the target is the network's mean absolute value over all parameters and
    /// buffers. Samples <c>first .. first + count - 1</c> of one fixed sequence, so disjoint ranges are disjoint networks.
    /// </summary>
    public static List<LabelledGraph> Zoo(int first, int count)
    {
        var samples = new List<LabelledGraph>(count);
        for (int i = first; i < first + count; i++)
        {
            var net = ScaledNetwork(Architectures[i % Architectures.Length], i);
            double target = StateOrder.ConcatenatedValues((nn.Module)net).to(float64).abs().mean().item<double>();
            samples.Add(new LabelledGraph($"{net.GraphLayout.Architecture}-{i}", net.ToParameterGraph(), target, ReadProbes(net)));
        }
        return samples;
    }

    /// <summary>The network on 6 fixed random inputs of its shape (the same ones for every network of an architecture).</summary>
    public static ProbeReading ReadProbes(IGraphNetwork net)
    {
        using var probes = randn([6, .. net.InputShape.Select(d => (long)d)], generator: new Generator(4242));
        return NodeProbes.Read(net, probes);
    }

    /// <summary>Network <paramref name="index"/> of the zoo, before it becomes a graph (to apply symmetries to).</summary>
    public static IGraphNetwork ScaledNetwork(string architecture, int index)
    {
        var net = Network(architecture, seed: 5000 + index);
        double scale = Math.Exp(0.5 * randn(1, generator: new Generator(9000 + (ulong)index), dtype: float64).item<double>());
        using (no_grad())
            foreach (var (_, t) in ((nn.Module)net).state_dict())
                if (t.is_floating_point()) t.mul_(scale);
        return net;
    }

    /// <summary>The same networks with targets replaced by noise from <paramref name="seed"/>: nothing to learn, everything to overfit.</summary>
    public static List<LabelledGraph> WithNoiseTargets(IEnumerable<LabelledGraph> samples, int seed)
    {
        var random = new Random(seed);
        return samples.Select(s => s with { Target = random.NextDouble() }).ToList();
    }

    public static double[] Targets(IEnumerable<LabelledGraph> samples) => samples.Select(s => s.Target).ToArray();

    public static string Curve(FitReport report) => string.Join("\n", report.Curve.Select(r =>
        $"epoch {r.Epoch}: train MSE {r.TrainLoss:E3}, validation MSE {r.ValidationLoss:E3}, R² {r.ValidationR2:F3} at {r.Elapsed.TotalSeconds:F1} s"));
}
