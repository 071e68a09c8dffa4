using System;
using GmnGen.Metanet;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// Hyper-parameters shared by every <see cref="IPropertyPredictor"/> (one training protocol for all
/// methods, so that they differ only in what they see of the weights), plus each method's size.
/// The defaults fit a small CPU budget: a few hundred training graphs of 1k to 15k edges in about a
/// minute for the GMN, seconds for the baselines.
/// </summary>
public sealed record PredictorOptions
{
    /// <summary>Passes over the training split; 15 by default (on a synthetic zoo of 200 networks the GMN's
    /// validation R² levels off after about 10 epochs at the default learning rate, the baselines' sooner).
    /// Every epoch is scored on the validation split and the best one is kept, so more epochs cost time
    /// but cannot pick a worse model on validation.</summary>
    public int Epochs { get; init; } = 15;

    /// <summary>Networks per optimiser step (and per prediction batch); 32 by default.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate of AdamW; 3e-3 by default. With a few hundred networks an epoch is
    /// about ten steps, so the whole fit is a few hundred steps: 1e-3 (Adam's usual rate) undertrains.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>The learning rate decays linearly from <see cref="LearningRate"/> in the first epoch to
    /// this fraction of it in the last (0.1 by default), which settles the fit in the last epochs.</summary>
    public double FinalLearningRateFraction { get; init; } = 0.1;

    /// <summary>AdamW's decoupled weight decay; 1e-4 by default (light: the model is selected on validation anyway).</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Seeds the initial weights and the shuffling; the same seed and data give the same predictions.</summary>
    public long Seed { get; init; }

    /// <summary>Where the predictor trains and predicts; the CPU by default. Graphs may stay on the CPU.</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>
    /// The GMN's size: width 32, 3 blocks by default (38,177 parameters with the mean-and-std readout). The paper's size (width 120,
    /// 4 blocks) trains at about 10 graphs/s on 5k-edge graphs on 2 CPU cores and width 64 at about 25
    /// (docs/benchmarks.md): 300 graphs × 15 epochs would take 8 or 3 minutes. Fitting those two rates,
    /// a block's cost at these widths is mostly terms linear in the width (encodings, gathers, norms),
    /// so width 32 with 3 blocks should do roughly 75 graphs/s: about a minute for 300 graphs of 5k
    /// edges. It keeps 3 rounds of message passing, enough to carry information across a zoo CNN's layers.
    /// <see cref="GmnConfig.Outputs"/> must be 1. Its readout pools mean and standard deviation
    /// (<see cref="GmnConfig.PoolStandardDeviation"/>): on the default zoo that raised the GMN's
    /// validation R² in every split (random 0.605 → 0.735, low-data 0.311 → 0.421, ood-width 0.535 →
    /// 0.771, three seeds; docs/results.md, ablation), where value noise changed nothing. It multiplies
    /// every weight by √fan-in before standardising it (<see cref="GmnConfig.FanInScaledValues"/>): on the
    /// 120-run zoo that raised the validation R² of low-data (0.628 → 0.710) and ood-width (0.722 → 0.764)
    /// and left random level (0.794 → 0.798); on the 1,000-run zoo it left ood-width's validation level
    /// (0.889 → 0.888) and raised Kendall τ on the wider test networks from 0.699 to 0.749 (docs/results.md).
    /// </summary>
    public GmnConfig Gmn { get; init; } = new() { Hidden = 32, Blocks = 3, PoolStandardDeviation = true, FanInScaledValues = true };

    /// <summary>
    /// Label-preserving augmentation of the GMN's training graphs: at every step each graph gets random
    /// scaling and sign symmetries of its network (<see cref="GmnGen.Graphs.ParameterGraph.RandomlyScaled"/>;
    /// positive factors log-uniform in [1/f, f] for this f). The GMN is invariant to permutations by
    /// construction, not to these, so they are what it can still learn from. 1 (off) by default.
    /// </summary>
    public double GmnScalingAugmentation { get; init; } = 1;

    /// <summary>
    /// Weight-space MixUp for the GMN (Shamsian et al. 2024): each training network gets one partner of
    /// its architecture from the training split, aligned to it once by weight matching
    /// (<see cref="GmnGen.Symmetries.Matching.WeightMatching.AlignGraph"/>); at every step each graph is,
    /// with this probability, replaced by (1 − λ)·itself + λ·its aligned partner, λ uniform in [0, 1], and
    /// its target by the same mix of the two targets. 0 (off) by default.
    /// </summary>
    public double GmnWeightMixup { get; init; }

    /// <summary>
    /// Training splits of at least this many graphs get the per-layer readout with
    /// <see cref="GmnPerLayerReadoutSlots"/> slots when <see cref="Gmn"/> sets none
    /// (<see cref="GmnConfig.ReadoutLayers"/> 0); <see cref="int.MaxValue"/> never switches it on.
    /// 1,000 by default: on validation data the 8-slot readout was ahead with 1,548 and 1,800 training
    /// checkpoints and behind with 216 (every split of the 120-run zoo), 300 and 600, level with 180
    /// (docs/results.md), so the switch lies between the 600 and the 1,548 measured.
    /// </summary>
    public int GmnPerLayerReadoutFrom { get; init; } = 1000;

    /// <summary>Slots of the per-layer readout that <see cref="GmnPerLayerReadoutFrom"/> switches on; 8 by default (4 did worse).</summary>
    public int GmnPerLayerReadoutSlots { get; init; } = 8;

    /// <summary>The GMN's config for a training split of <paramref name="trainingGraphs"/> graphs: <see cref="Gmn"/>, with
    /// the per-layer readout switched on from <see cref="GmnPerLayerReadoutFrom"/> graphs when it sets none.</summary>
    public GmnConfig GmnFor(int trainingGraphs) =>
        Gmn.ReadoutLayers == 0 && trainingGraphs >= GmnPerLayerReadoutFrom ? Gmn with { ReadoutLayers = GmnPerLayerReadoutSlots } : Gmn;

    /// <summary>
    /// Precision of the GMN's per-edge products while it trains (<see cref="GraphMetanet.TrainingPrecision"/>):
    /// float32 by default; bfloat16 multiplies faster on CPUs with AVX-512 BF16 or AMX and keeps float32
    /// weights, gradients and optimiser state. Validation and test predictions are always float32.
    /// </summary>
    public ProductPrecision GmnTrainingPrecision { get; init; } = ProductPrecision.Float32;

    /// <summary>Width of each hidden layer of StatNN's MLP; 256 by default (Unterthiner et al. use a few hundred units).</summary>
    public int StatNnHidden { get; init; } = 256;

    /// <summary>Hidden layers of StatNN's MLP; 2 by default.</summary>
    public int StatNnLayers { get; init; } = 2;

    /// <summary>Width of DeepSets' per-parameter encoder (phi) and of its readout (rho); 64 by default
    /// (about 9k parameters). phi runs on every parameter (about 100k to 500k per batch), so its width is what DeepSets costs.</summary>
    public int DeepSetsHidden { get; init; } = 64;

    /// <summary>Layers of phi (per parameter, before pooling) and of rho (per network, after); 2 each by default.</summary>
    public int DeepSetsLayers { get; init; } = 2;

    /// <summary>Width of DeepSets' learned edge-type embedding; 8 by default.</summary>
    public int DeepSetsTypeEmbedding { get; init; } = 8;

    /// <summary>Checks ranges; throws naming the option and what was expected.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"{nameof(Epochs)} must be at least 1, not {Epochs}.");
        if (BatchSize < 1) throw new ArgumentException($"{nameof(BatchSize)} must be at least 1, not {BatchSize}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentException($"{nameof(LearningRate)} must be a positive number, not {LearningRate}.");
        if (!(FinalLearningRateFraction is > 0 and <= 1))
            throw new ArgumentException($"{nameof(FinalLearningRateFraction)} must be in (0, 1], not {FinalLearningRateFraction}.");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            throw new ArgumentException($"{nameof(WeightDecay)} must be 0 or positive, not {WeightDecay}.");
        if (!(GmnScalingAugmentation >= 1) || double.IsInfinity(GmnScalingAugmentation))
            throw new ArgumentException($"{nameof(GmnScalingAugmentation)} must be a finite factor of at least 1 (1: off), not {GmnScalingAugmentation}.");
        if (!(GmnWeightMixup is >= 0 and <= 1))
            throw new ArgumentException($"{nameof(GmnWeightMixup)} is a probability in [0, 1], not {GmnWeightMixup}.");
        if (GmnPerLayerReadoutFrom < 0 || GmnPerLayerReadoutSlots < 1)
            throw new ArgumentException($"{nameof(GmnPerLayerReadoutFrom)} must be 0 or more and {nameof(GmnPerLayerReadoutSlots)} at least 1, not {GmnPerLayerReadoutFrom} and {GmnPerLayerReadoutSlots}.");
        ArgumentNullException.ThrowIfNull(Device, nameof(Device));
        ArgumentNullException.ThrowIfNull(Gmn, nameof(Gmn));
        Gmn.Validate();
        if (Gmn.Outputs != 1)
            throw new ArgumentException($"{nameof(Gmn)}.{nameof(GmnConfig.Outputs)} must be 1 (one predicted scalar per network), not {Gmn.Outputs}.");
        if (StatNnHidden < 1 || StatNnLayers < 0)
            throw new ArgumentException($"StatNN needs {nameof(StatNnHidden)} ≥ 1 and {nameof(StatNnLayers)} ≥ 0, not {StatNnHidden} and {StatNnLayers}.");
        if (DeepSetsHidden < 1 || DeepSetsLayers < 1 || DeepSetsTypeEmbedding < 1)
            throw new ArgumentException($"DeepSets needs {nameof(DeepSetsHidden)}, {nameof(DeepSetsLayers)} and {nameof(DeepSetsTypeEmbedding)} ≥ 1, not {DeepSetsHidden}, {DeepSetsLayers} and {DeepSetsTypeEmbedding}.");
    }

    /// <summary>The given options, or the defaults, checked.</summary>
    internal static PredictorOptions ValidatedOrDefault(PredictorOptions? options)
    {
        options ??= new PredictorOptions();
        options.Validate();
        return options;
    }
}
