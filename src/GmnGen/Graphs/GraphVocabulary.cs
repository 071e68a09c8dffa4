namespace GmnGen.Graphs;

// The integer codes below are features the metanet sees: append new values, never renumber.

/// <summary>What a parameter-graph node stands for (column 2 of the node features).</summary>
public enum NodeType
{
    Neuron = 0,
    Bias = 1,
    Channel = 2,
    ChannelBias = 3,
    BatchNormWeight = 4,
    BatchNormBias = 5,
    BatchNormRunningMean = 6,
    BatchNormRunningVar = 7,
    LayerNormWeight = 8,
    LayerNormBias = 9,
    GroupNormWeight = 10,
    GroupNormBias = 11,
    InstanceNormWeight = 12,
    InstanceNormBias = 13,
    AttentionHead = 14,
    AttentionQueryKey = 15,
    AttentionValue = 16,
    AttentionBias = 17,
    Position = 18,
    ClassToken = 19,
}

/// <summary>Which parameter an edge carries (column 1 of the static edge features).</summary>
public enum EdgeType
{
    LinearWeight = 0,
    LinearBias = 1,
    ConvWeight = 2,
    ConvBias = 3,
    BatchNormWeight = 4,
    BatchNormBias = 5,
    BatchNormRunningMean = 6,
    BatchNormRunningVar = 7,
    LayerNormWeight = 8,
    LayerNormBias = 9,
    Residual = 10,
    GroupNormWeight = 11,
    GroupNormBias = 12,
    InstanceNormWeight = 13,
    InstanceNormBias = 14,
    DeepSetsWeight = 15,
    DeepSetsPooledWeight = 16,
    DeepSetsBias = 17,
    AttentionQuery = 18,
    AttentionKey = 19,
    AttentionValue = 20,
    AttentionOutput = 21,
    AttentionQueryBias = 22,
    AttentionKeyBias = 23,
    AttentionValueBias = 24,
    AttentionOutputBias = 25,
    AttentionHead = 26,
    PositionalEmbedding = 27,
    ClassToken = 28,
}

/// <summary>The activation applied to a neuron's or channel's output (column 3 of the node features).</summary>
public enum ActivationKind
{
    None = 0,
    ReLU = 1,
    LeakyReLU = 2,
    GELU = 3,
    SiLU = 4,
    Tanh = 5,
    Sigmoid = 6,
}
