namespace GmnGen.Graphs;

// The integer codes below are features the metanet sees: append new values, never renumber.

/// <summary>What a parameter-graph node stands for (column 2 of the node features).</summary>
public enum NodeType
{
    /// <summary>An input feature of a <c>[features]</c> input (or of any input flattened straight away), or an output neuron of a Linear layer.</summary>
    Neuron = 0,
    /// <summary>The shared node of a Linear layer's bias vector, with a <see cref="EdgeType.LinearBias"/> edge to each of its neurons.</summary>
    Bias = 1,
    /// <summary>An input channel of a <c>[channels, ...]</c> input, or an output channel of a convolution or patch embedding, a DeepSets feature or a self-attention output.</summary>
    Channel = 2,
    /// <summary>The shared node of a convolution's, patch embedding's or DeepSets layer's bias vector, with an edge to each of its channels.</summary>
    ChannelBias = 3,
    /// <summary>A BatchNorm layer's weight (gamma) vector: one node, an edge to each normalised neuron or channel.</summary>
    BatchNormWeight = 4,
    /// <summary>A BatchNorm layer's bias (beta) vector: one node, an edge to each normalised neuron or channel.</summary>
    BatchNormBias = 5,
    /// <summary>A BatchNorm layer's <c>running_mean</c> buffer: one node, an edge to each normalised neuron or channel (not in the official graph).</summary>
    BatchNormRunningMean = 6,
    /// <summary>A BatchNorm layer's <c>running_var</c> buffer: one node, an edge to each normalised neuron or channel (not in the official graph).</summary>
    BatchNormRunningVar = 7,
    /// <summary>A LayerNorm layer's weight vector: one node, an edge to each normalised neuron or channel.</summary>
    LayerNormWeight = 8,
    /// <summary>A LayerNorm layer's bias vector: one node, an edge to each normalised neuron or channel.</summary>
    LayerNormBias = 9,
    /// <summary>A GroupNorm layer's weight: one node per group, with an edge to each channel of its group.</summary>
    GroupNormWeight = 10,
    /// <summary>A GroupNorm layer's bias: one node per group, with an edge to each channel of its group.</summary>
    GroupNormBias = 11,
    /// <summary>An affine InstanceNorm layer's weight vector: one node, an edge to each channel.</summary>
    InstanceNormWeight = 12,
    /// <summary>An affine InstanceNorm layer's bias vector: one node, an edge to each channel.</summary>
    InstanceNormBias = 13,
    /// <summary>One head of a self-attention layer, joined by constant edges to its query/key and value dimensions.</summary>
    AttentionHead = 14,
    /// <summary>One dimension of a self-attention head's queries and keys: it receives that dimension's query and key rows.</summary>
    AttentionQueryKey = 15,
    /// <summary>One dimension of a self-attention head's values: it receives its value row and sends its output-projection column.</summary>
    AttentionValue = 16,
    /// <summary>The node of a self-attention layer's in-projection bias or of its output-projection bias.</summary>
    AttentionBias = 17,
    /// <summary>One token position of a learned positional embedding (ordered), with an edge to every channel.</summary>
    Position = 18,
    /// <summary>A ViT class token: one node with an edge to every channel of the stream.</summary>
    ClassToken = 19,
}

/// <summary>Which parameter an edge carries (column 1 of the static edge features).</summary>
public enum EdgeType
{
    /// <summary>A Linear weight <c>W[o, i]</c>: input neuron → output neuron (after Flatten of a map: input channel → output neuron, one edge per position, in the pos columns).</summary>
    LinearWeight = 0,
    /// <summary>A Linear bias entry: the layer's <see cref="NodeType.Bias"/> node → output neuron.</summary>
    LinearBias = 1,
    /// <summary>A convolution or patch-embedding weight entry: input channel → output channel, with its kernel offset in the pos columns.</summary>
    ConvWeight = 2,
    /// <summary>A convolution or patch-embedding bias entry: the layer's <see cref="NodeType.ChannelBias"/> node → output channel.</summary>
    ConvBias = 3,
    /// <summary>A BatchNorm weight entry: the weight node → its neuron or channel.</summary>
    BatchNormWeight = 4,
    /// <summary>A BatchNorm bias entry: the bias node → its neuron or channel.</summary>
    BatchNormBias = 5,
    /// <summary>A BatchNorm running-mean entry: the running-mean node → its neuron or channel.</summary>
    BatchNormRunningMean = 6,
    /// <summary>A BatchNorm running-variance entry: the running-variance node → its neuron or channel.</summary>
    BatchNormRunningVar = 7,
    /// <summary>A LayerNorm weight entry: the weight node → its neuron or channel.</summary>
    LayerNormWeight = 8,
    /// <summary>A LayerNorm bias entry: the bias node → its neuron or channel.</summary>
    LayerNormBias = 9,
    /// <summary>A constant-1 edge of a skip connection (identity residual or projection shortcut): skip node c → main-path node c.</summary>
    Residual = 10,
    /// <summary>A GroupNorm weight entry: its group's weight node → the channel.</summary>
    GroupNormWeight = 11,
    /// <summary>A GroupNorm bias entry: its group's bias node → the channel.</summary>
    GroupNormBias = 12,
    /// <summary>An affine InstanceNorm weight entry: the weight node → its channel.</summary>
    InstanceNormWeight = 13,
    /// <summary>An affine InstanceNorm bias entry: the bias node → its channel.</summary>
    InstanceNormBias = 14,
    /// <summary>A DeepSets elementwise weight <c>W[o, i]</c>: input feature → output feature.</summary>
    DeepSetsWeight = 15,
    /// <summary>A DeepSets pooled weight <c>P[o, i]</c> (applied to the set's mean): input feature → output feature.</summary>
    DeepSetsPooledWeight = 16,
    /// <summary>A DeepSets bias entry: the layer's <see cref="NodeType.ChannelBias"/> node → output feature.</summary>
    DeepSetsBias = 17,
    /// <summary>A query row entry of <c>in_proj_weight</c>: input channel → query/key node.</summary>
    AttentionQuery = 18,
    /// <summary>A key row entry of <c>in_proj_weight</c>: input channel → query/key node.</summary>
    AttentionKey = 19,
    /// <summary>A value row entry of <c>in_proj_weight</c>: input channel → value node.</summary>
    AttentionValue = 20,
    /// <summary>An <c>out_proj.weight</c> entry: value node → output channel.</summary>
    AttentionOutput = 21,
    /// <summary>A query entry of <c>in_proj_bias</c>: the in-projection bias node → query/key node.</summary>
    AttentionQueryBias = 22,
    /// <summary>A key entry of <c>in_proj_bias</c>: the in-projection bias node → query/key node.</summary>
    AttentionKeyBias = 23,
    /// <summary>A value entry of <c>in_proj_bias</c>: the in-projection bias node → value node.</summary>
    AttentionValueBias = 24,
    /// <summary>An <c>out_proj.bias</c> entry: the output-projection bias node → output channel.</summary>
    AttentionOutputBias = 25,
    /// <summary>A constant-1 head-membership edge: head node → one of its query/key or value nodes.</summary>
    AttentionHead = 26,
    /// <summary>A learned positional embedding entry <c>weight[c, t]</c>: position node t → channel c.</summary>
    PositionalEmbedding = 27,
    /// <summary>A class-token entry: the class-token node → its channel.</summary>
    ClassToken = 28,
}

/// <summary>The activation applied to a neuron's or channel's output (column 3 of the node features).</summary>
public enum ActivationKind
{
    /// <summary>No activation (identity); also every bias and norm node.</summary>
    None = 0,
    /// <summary><c>max(0, x)</c>.</summary>
    ReLU = 1,
    /// <summary>Leaky ReLU (its slope is not encoded).</summary>
    LeakyReLU = 2,
    /// <summary>GELU.</summary>
    GELU = 3,
    /// <summary>SiLU (swish), <c>x·sigmoid(x)</c>.</summary>
    SiLU = 4,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 5,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid = 6,
}
