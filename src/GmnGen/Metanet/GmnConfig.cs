using System;
using GmnGen.Graphs;

namespace GmnGen.Metanet;

/// <summary>What the metanet pools into its graph-level representation.</summary>
public enum Readout
{
    /// <summary>The per-graph pool of the final edge states.</summary>
    Edges,
    /// <summary>The per-graph pool of the final node states.</summary>
    Nodes,
    /// <summary>Both pools, node states then edge states, concatenated (twice the width).</summary>
    NodesAndEdges,
}

/// <summary>
/// Hyper-parameters of a <see cref="GraphMetanet"/>. The defaults give about 590k trainable
/// parameters (width 128, 4 blocks; the official code has 715k at width 128), the size the GMN paper compares at.
/// </summary>
public sealed record GmnConfig
{
    /// <summary>Width of node and edge states.</summary>
    public int Hidden { get; init; } = 128;
    /// <summary>Number of message-passing blocks.</summary>
    public int Blocks { get; init; } = 4;
    /// <summary>Width of the sinusoidal encoding of each scalar feature.</summary>
    public int ScalarEncoding { get; init; } = 16;
    /// <summary>Also send messages against edge direction (destination to source).</summary>
    public bool ReverseEdges { get; init; }
    /// <summary>Keep a learned graph-level state updated by every block (the paper's general form).</summary>
    public bool GlobalFeature { get; init; }
    /// <summary>Which final states are pooled per graph for the readout; <see cref="Metanet.Readout.NodesAndEdges"/> by default.</summary>
    public Readout Readout { get; init; } = Readout.NodesAndEdges;
    /// <summary>Pool each graph's states by their mean and their standard deviation (per feature), not
    /// the mean alone: second moments are what StatNN's per-tensor statistics see.</summary>
    public bool PoolStandardDeviation { get; init; }
    /// <summary>Also pool each graph's node and edge states per layer index, into slots 0 ..
    /// ReadoutLayers − 1 (deeper layers share the last slot), and concatenate the slots: the layer-wise
    /// statistics StatNN reads, after message passing (0: off). Mean, and std with <see cref="PoolStandardDeviation"/>.</summary>
    public int ReadoutLayers { get; init; }
    /// <summary>The readout also reads, per layer slot (<see cref="ReadoutLayers"/> of them, at least one) and kind of
    /// parameter (weights, biases, norm scales and shifts, running statistics, embeddings), the mean, standard
    /// deviation and 0/25/50/75/100 % quantiles of the standardised input values: what StatNN reads of each
    /// tensor, beside what message passing made of it.</summary>
    public bool ReadoutValueStatistics { get; init; }
    /// <summary>Multiply every weight by √(fan-in of the unit it feeds) before standardising it
    /// (<see cref="FanInScale"/>): layers of any width then present their weights on one scale.</summary>
    public bool FanInScaledValues { get; init; }
    /// <summary>Standard deviation of Gaussian noise added to every standardised edge value while
    /// training (0: none). The values are standardised per edge type, so 0.1 is the neural-graphs
    /// code's "0.1 × the tensor's std" augmentation. Draws come from <see cref="GraphMetanet.SeedAugmentation"/>'s generator.</summary>
    public double ValueNoise { get; init; }
    /// <summary>Probability with which each edge value is set to zero while training (0: never): weight
    /// dropout as an augmentation. The raw weight is zeroed before standardisation, a pruning a trained
    /// network's accuracy barely notices at small rates; survivors are not rescaled (that would change
    /// the network's function). Draws come from
    /// <see cref="GraphMetanet.SeedAugmentation"/>'s generator; must be in [0, 1).</summary>
    public double ValueDropout { get; init; }
    /// <summary>Probe features per node that the node encoder also reads (<see cref="Batching.GraphBatch.NodeProbes"/>,
    /// e.g. <see cref="Probes.NodeProbes.FeaturesPerNode"/>; 0: the metanet reads weights only). With it on, every
    /// batch must carry them.</summary>
    public int ProbeFeatures { get; init; }
    /// <summary>Outputs per graph (1 for a scalar such as test accuracy).</summary>
    public int Outputs { get; init; } = 1;
    /// <summary>Size of the node-type vocabulary (above the largest <see cref="NodeType"/> code: room to grow).</summary>
    public int NodeTypes { get; init; } = 32;
    /// <summary>Size of the edge-type embedding's vocabulary; must exceed the largest <see cref="EdgeType"/> code.</summary>
    public int EdgeTypes { get; init; } = 32;
    /// <summary>Size of the activation-kind embedding's vocabulary; must exceed the largest <see cref="ActivationKind"/> code.</summary>
    public int Activations { get; init; } = 16;

    /// <summary>Checks the settings: positive widths, outputs and scalar encoding, non-negative block and
    /// readout-layer and probe-feature counts, a finite non-negative <see cref="ValueNoise"/>, a <see cref="ValueDropout"/> in [0, 1), and vocabularies that cover
    /// every <see cref="NodeType"/>, <see cref="EdgeType"/> and <see cref="ActivationKind"/>.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message shows the whole config.</exception>
    public void Validate()
    {
        if (Hidden < 1 || Blocks < 0 || ScalarEncoding < 1 || Outputs < 1 || ReadoutLayers < 0 || ProbeFeatures < 0 || !(ValueNoise >= 0) || double.IsInfinity(ValueNoise)
            || !(ValueDropout >= 0 && ValueDropout < 1))
            throw new ArgumentException($"Invalid metanet config: {this}");
        if (NodeTypes <= (int)Enum.GetValues<NodeType>()[^1] || EdgeTypes <= (int)Enum.GetValues<EdgeType>()[^1] || Activations <= (int)Enum.GetValues<ActivationKind>()[^1])
            throw new ArgumentException($"Invalid metanet config: the type vocabularies must cover every NodeType, EdgeType and ActivationKind: {this}");
    }
}
