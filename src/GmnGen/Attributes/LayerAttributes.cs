using System;

namespace GmnGen;

/// <summary>
/// Base of the attributes that declare a layer with parameters. Exactly one goes on each
/// annotated property, and its kind must match the property's TorchSharp module type.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public abstract class ParametricLayerAttribute : Attribute
{
    /// <summary>Name of the sub-module, i.e. the state_dict key prefix. Defaults to the property name.</summary>
    public string? Name { get; set; }
}

/// <summary>Fully connected layer <c>y = x Wᵀ + b</c> with <c>W: [out, in]</c>.</summary>
/// <param name="outFeatures">Number of output neurons.</param>
public sealed class LinearAttribute(int outFeatures) : ParametricLayerAttribute
{
    /// <summary>Number of output neurons (rows of <c>W</c>); must be positive. Each is a <c>Neuron</c> node of the graph.</summary>
    public int OutFeatures { get; } = outFeatures;
    /// <summary>Expected input features; checked against the inferred shape when set.</summary>
    public int In { get; set; }
    /// <summary>Whether the layer has a bias vector <c>b [out]</c> (one <c>Bias</c> node in the graph); true by default.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>1D convolution over <c>[channels, length]</c>; weight <c>[out, in, kernel]</c>.</summary>
public sealed class Conv1dAttribute(int outChannels) : ParametricLayerAttribute
{
    /// <summary>Number of output channels; must be positive. Each is a <c>Channel</c> node of the graph.</summary>
    public int OutChannels { get; } = outChannels;
    /// <summary>Kernel length; 3 by default, must be positive and fit the padded input.</summary>
    public int Kernel { get; set; } = 3;
    /// <summary>Step between kernel positions; 1 by default, must be positive. Not encoded in the graph.</summary>
    public int Stride { get; set; } = 1;
    /// <summary>Zero padding added to both ends of the sequence; 0 by default, must not be negative. Not encoded in the graph.</summary>
    public int Padding { get; set; }
    /// <summary>Spacing between kernel taps; 1 by default (a plain convolution), must be positive. Not encoded in the graph.</summary>
    public int Dilation { get; set; } = 1;
    /// <summary>Whether the layer has a bias vector <c>[out]</c> (one <c>ChannelBias</c> node in the graph); true by default.</summary>
    public bool Bias { get; set; } = true;
    /// <summary>Expected input channels; checked against the inferred shape when set.</summary>
    public int In { get; set; }
}

/// <summary>2D convolution over <c>[channels, height, width]</c> with a square kernel;
/// weight <c>[out, in, kernel, kernel]</c>.</summary>
public sealed class Conv2dAttribute(int outChannels) : ParametricLayerAttribute
{
    /// <summary>Number of output channels; must be positive. Each is a <c>Channel</c> node of the graph.</summary>
    public int OutChannels { get; } = outChannels;
    /// <summary>Side of the square kernel; 3 by default, must be positive and fit the padded input.</summary>
    public int Kernel { get; set; } = 3;
    /// <summary>Step between kernel positions; 1 by default, must be positive. Not encoded in the graph.</summary>
    public int Stride { get; set; } = 1;
    /// <summary>Zero padding added to each side of both spatial axes; 0 by default, must not be negative. Not encoded in the graph.</summary>
    public int Padding { get; set; }
    /// <summary>Spacing between kernel taps; 1 by default (a plain convolution), must be positive. Not encoded in the graph.</summary>
    public int Dilation { get; set; } = 1;
    /// <summary>Whether the layer has a bias vector <c>[out]</c> (one <c>ChannelBias</c> node in the graph); true by default.</summary>
    public bool Bias { get; set; } = true;
    /// <summary>Expected input channels; checked against the inferred shape when set.</summary>
    public int In { get; set; }
}

/// <summary>Batch normalisation over <c>[features]</c> or <c>[channels, length]</c>.</summary>
public sealed class BatchNorm1dAttribute : ParametricLayerAttribute
{
    /// <summary>Expected channels; checked against the inferred shape when set.</summary>
    public int Features { get; set; }
    /// <summary>Added to the variance before its square root; 1e-5 by default, must be positive and finite.</summary>
    public double Eps { get; set; } = 1e-5;
    /// <summary>Weight of the current batch's statistics in the running mean and variance (PyTorch's convention:
    /// <c>running = (1 − momentum)·running + momentum·batch</c>); 0.1 by default, in [0, 1].</summary>
    public double Momentum { get; set; } = 0.1;
}

/// <summary>Batch normalisation over <c>[channels, height, width]</c>.</summary>
public sealed class BatchNorm2dAttribute : ParametricLayerAttribute
{
    /// <summary>Expected channels; checked against the inferred shape when set.</summary>
    public int Features { get; set; }
    /// <summary>Added to the variance before its square root; 1e-5 by default, must be positive and finite.</summary>
    public double Eps { get; set; } = 1e-5;
    /// <summary>Weight of the current batch's statistics in the running mean and variance (PyTorch's convention:
    /// <c>running = (1 − momentum)·running + momentum·batch</c>); 0.1 by default, in [0, 1].</summary>
    public double Momentum { get; set; } = 0.1;
}

/// <summary>Layer normalisation over the feature (channel) axis, with affine weight and bias. On
/// <c>[features]</c> it is PyTorch's LayerNorm; on <c>[channels, length]</c> or
/// <c>[channels, height, width]</c> it normalises each position over its channels (channels-last
/// LayerNorm, as in ConvNeXt), so it can sit after any layer.</summary>
public sealed class LayerNormAttribute : ParametricLayerAttribute
{
    /// <summary>Expected features; checked against the inferred shape when set.</summary>
    public int Features { get; set; }
    /// <summary>Added to the variance before its square root; 1e-5 by default, must be positive and finite.</summary>
    public double Eps { get; set; } = 1e-5;
}

/// <summary>Group normalisation over <c>[channels]</c>, <c>[channels, length]</c> or
/// <c>[channels, height, width]</c>: the channels split into <see cref="Groups"/> contiguous groups,
/// each normalised over its channels and positions, then a per-channel affine weight and bias.
/// <see cref="Groups"/> must divide the channels.</summary>
/// <param name="groups">Number of groups (1 normalises over all channels, the channel count normalises each channel alone).</param>
public sealed class GroupNormAttribute(int groups) : ParametricLayerAttribute
{
    /// <summary>Number of contiguous channel groups; must be positive and divide the channels.</summary>
    public int Groups { get; } = groups;
    /// <summary>Expected channels; checked against the inferred shape when set.</summary>
    public int Features { get; set; }
    /// <summary>Added to the variance before its square root; 1e-5 by default, must be positive and finite.</summary>
    public double Eps { get; set; } = 1e-5;
}

/// <summary>Instance normalisation over <c>[channels, length]</c>: each channel normalised over its
/// positions. Without <see cref="Affine"/> (PyTorch's default) it has no parameters.</summary>
public sealed class InstanceNorm1dAttribute : ParametricLayerAttribute
{
    /// <summary>Expected channels; checked against the inferred shape when set.</summary>
    public int Features { get; set; }
    /// <summary>Added to the variance before its square root; 1e-5 by default, must be positive and finite.</summary>
    public double Eps { get; set; } = 1e-5;
    /// <summary>Learn a per-channel weight and bias.</summary>
    public bool Affine { get; set; }
}

/// <summary>Instance normalisation over <c>[channels, height, width]</c>: each channel normalised over
/// its positions. Without <see cref="Affine"/> (PyTorch's default) it has no parameters.</summary>
public sealed class InstanceNorm2dAttribute : ParametricLayerAttribute
{
    /// <summary>Expected channels; checked against the inferred shape when set.</summary>
    public int Features { get; set; }
    /// <summary>Added to the variance before its square root; 1e-5 by default, must be positive and finite.</summary>
    public double Eps { get; set; } = 1e-5;
    /// <summary>Learn a per-channel weight and bias.</summary>
    public bool Affine { get; set; }
}

/// <summary>Permutation-equivariant DeepSets layer over a set <c>[features, elements]</c>:
/// <c>y_i = W x_i + P mean_j(x_j) + b</c> (property type <see cref="GmnGen.Modules.DeepSets"/>).
/// Its elementwise and pooled weights are distinct edge types in the graph.</summary>
/// <param name="outFeatures">Output features per element.</param>
public sealed class DeepSetsAttribute(int outFeatures) : ParametricLayerAttribute
{
    /// <summary>Output features per element (rows of <c>W</c> and <c>P</c>); must be positive. Each is a <c>Channel</c> node of the graph.</summary>
    public int OutFeatures { get; } = outFeatures;
    /// <summary>Expected input features; checked against the inferred shape when set.</summary>
    public int In { get; set; }
    /// <summary>Whether the layer has a bias vector <c>b [out]</c> (one <c>ChannelBias</c> node in the graph); true by default.</summary>
    public bool Bias { get; set; } = true;
}

/// <summary>ViT patch embedding of <c>[channels, height, width]</c>: a Conv2d with kernel and stride
/// <see cref="Patch"/> whose output map is flattened into a sequence <c>[out, patches]</c>
/// (property type <c>Conv2d</c>, state <c>weight</c>, <c>bias</c>). The patch must divide both
/// image sides.</summary>
/// <param name="outChannels">Width of the embedding.</param>
public sealed class PatchEmbedAttribute(int outChannels) : ParametricLayerAttribute
{
    /// <summary>Width of the embedding: the Conv2d's output channels, one <c>Channel</c> node each; must be positive.</summary>
    public int OutChannels { get; } = outChannels;
    /// <summary>Side of the square patch, the convolution's kernel and stride; 4 by default, must be positive and divide both image sides.</summary>
    public int Patch { get; set; } = 4;
    /// <summary>Whether the convolution has a bias vector <c>[out]</c> (one <c>ChannelBias</c> node in the graph); true by default.</summary>
    public bool Bias { get; set; } = true;
    /// <summary>Expected input channels; checked against the inferred shape when set.</summary>
    public int In { get; set; }
}

/// <summary>Learned positional embedding added to a sequence <c>[width, tokens]</c>
/// (property type <see cref="GmnGen.Modules.PositionalEmbedding"/>, state <c>weight [width, tokens]</c>).
/// In the graph: one ordered node per position, with an edge to every channel.</summary>
public sealed class PositionalEmbeddingAttribute : ParametricLayerAttribute
{
    /// <summary>Expected number of tokens; checked against the inferred shape when set.</summary>
    public int Length { get; set; }
}

/// <summary>ViT's learned class token, put in front of a sequence <c>[width, tokens]</c> →
/// <c>[width, tokens + 1]</c> (property type <see cref="GmnGen.Modules.ClassToken"/>, state
/// <c>weight [width]</c>). In the graph: one node with an edge to every channel. Read it out with
/// <see cref="FirstTokenAttribute"/>.</summary>
public sealed class ClassTokenAttribute : ParametricLayerAttribute;

/// <summary>Multi-head self-attention over a sequence <c>[width, tokens]</c> (property type
/// <see cref="GmnGen.Modules.SelfAttention"/>, PyTorch's MultiheadAttention state names). The heads
/// must divide the width.</summary>
/// <param name="heads">Number of heads.</param>
public sealed class SelfAttentionAttribute(int heads) : ParametricLayerAttribute
{
    /// <summary>Number of attention heads; must be positive and divide the width.</summary>
    public int Heads { get; } = heads;
    /// <summary>Whether the projections have biases (<c>in_proj_bias [3·width]</c> and <c>out_proj.bias [width]</c>); true by default.</summary>
    public bool Bias { get; set; } = true;
}
