using System;

namespace GmnGen;

/// <summary>
/// Base of the parameter-free operations (activations, dropout, pooling, flatten). They go in the
/// same attribute list as a layer and run in the order written: those before the layer attribute
/// run before it, those after run after it.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public abstract class OperationAttribute : Attribute;

/// <summary>ReLU activation <c>max(0, x)</c>, elementwise; recorded as the activation of the current neurons or channels (<see cref="GmnGen.Graphs.ActivationKind.ReLU"/>).</summary>
public sealed class ReLUAttribute : OperationAttribute;
/// <summary>Leaky ReLU <c>x ≥ 0 ? x : NegativeSlope·x</c>, elementwise; recorded as the activation of the current neurons or channels.</summary>
public sealed class LeakyReLUAttribute : OperationAttribute
{
    /// <summary>Slope for negative inputs; 0.01 by default (PyTorch's), must be finite. Not encoded in the graph.</summary>
    public double NegativeSlope { get; set; } = 0.01;
}
/// <summary>GELU activation <c>x·Φ(x)</c>, elementwise; recorded as the activation of the current neurons or channels.</summary>
public sealed class GELUAttribute : OperationAttribute;
/// <summary>SiLU (swish) activation <c>x·sigmoid(x)</c>, elementwise; recorded as the activation of the current neurons or channels.</summary>
public sealed class SiLUAttribute : OperationAttribute;
/// <summary>Tanh activation, elementwise; recorded as the activation of the current neurons or channels.</summary>
public sealed class TanhAttribute : OperationAttribute;
/// <summary>Logistic sigmoid activation <c>1 / (1 + e⁻ˣ)</c>, elementwise; recorded as the activation of the current neurons or channels.</summary>
public sealed class SigmoidAttribute : OperationAttribute;

/// <summary>Dropout with probability <see cref="P"/> while training; identity in eval mode.</summary>
public sealed class DropoutAttribute : OperationAttribute
{
    /// <summary>Probability of zeroing each value (the others are scaled by 1/(1−P)); 0.5 by default, in [0, 1).</summary>
    public double P { get; set; } = 0.5;
}

/// <summary>Channel dropout on a sequence <c>[channels, length]</c> (PyTorch's Dropout1d): each
/// channel of each sample is zeroed with probability <see cref="P"/> while training (the others
/// scaled by 1/(1−P)); identity in eval mode. Adds nothing to the graph.</summary>
public sealed class Dropout1dAttribute : OperationAttribute
{
    /// <summary>Probability of zeroing each channel of each sample; 0.5 by default, in [0, 1).</summary>
    public double P { get; set; } = 0.5;
}

/// <summary>Channel dropout on a map <c>[channels, height, width]</c> (PyTorch's Dropout2d), as
/// <see cref="Dropout1dAttribute"/>.</summary>
public sealed class Dropout2dAttribute : OperationAttribute
{
    /// <summary>Probability of zeroing each channel of each sample; 0.5 by default, in [0, 1).</summary>
    public double P { get; set; } = 0.5;
}

/// <summary>Keeps token 0 of a sequence <c>[width, tokens]</c> → <c>[width]</c>: ViT's readout of
/// the class token (<see cref="ClassTokenAttribute"/>).</summary>
public sealed class FirstTokenAttribute : OperationAttribute;

/// <summary>Adds the fixed sinusoidal positional encoding of the Transformer to a sequence
/// <c>[width, tokens]</c> (no parameters; see <see cref="GmnGen.Runtime.SinusoidalEncoding"/>). Each
/// channel gets a signal of its own, so the channels of the residual stream it is added to are no
/// longer interchangeable: the generator emits no permutation group (and no scaling) for them.</summary>
public sealed class SinusoidalPositionsAttribute : OperationAttribute;

/// <summary>Flattens everything but the batch axis. After a spatial map, the next Linear's
/// graph keeps one node per channel with one edge per (channel, position) (see docs/graph-encoding.md).</summary>
public sealed class FlattenAttribute : OperationAttribute;

/// <summary>Mean over all spatial axes: <c>[C, ...] → [C]</c>.</summary>
public sealed class GlobalAvgPoolAttribute : OperationAttribute;

/// <summary>Max pooling over <c>[channels, length]</c>. Stride defaults to the kernel.</summary>
public sealed class MaxPool1dAttribute(int kernel) : OperationAttribute
{
    /// <summary>Length of the pooling window; must be positive and fit the padded input.</summary>
    public int Kernel { get; } = kernel;
    /// <summary>Step between windows; defaults to <see cref="Kernel"/> (non-overlapping windows) when not set,
    /// and must be positive when set. Not encoded in the graph.</summary>
    public int Stride { get; set; }
    /// <summary>Implicit padding on both ends of the sequence (never chosen by the max); 0 by default, at most half the kernel. Not encoded in the graph.</summary>
    public int Padding { get; set; }
}
/// <summary>Max pooling over <c>[channels, height, width]</c>. Stride defaults to the kernel.</summary>
public sealed class MaxPool2dAttribute(int kernel) : OperationAttribute
{
    /// <summary>Side of the square pooling window; must be positive and fit the padded input.</summary>
    public int Kernel { get; } = kernel;
    /// <summary>Step between windows; defaults to <see cref="Kernel"/> (non-overlapping windows) when not set,
    /// and must be positive when set. Not encoded in the graph.</summary>
    public int Stride { get; set; }
    /// <summary>Implicit padding on each side of both spatial axes (never chosen by the max); 0 by default, at most half the kernel. Not encoded in the graph.</summary>
    public int Padding { get; set; }
}
/// <summary>Average pooling over <c>[channels, length]</c>. Stride defaults to the kernel.</summary>
public sealed class AvgPool1dAttribute(int kernel) : OperationAttribute
{
    /// <summary>Length of the pooling window; must be positive and fit the padded input.</summary>
    public int Kernel { get; } = kernel;
    /// <summary>Step between windows; defaults to <see cref="Kernel"/> (non-overlapping windows) when not set,
    /// and must be positive when set. Not encoded in the graph.</summary>
    public int Stride { get; set; }
    /// <summary>Implicit padding on both ends of the sequence (zeros, counted in the averages); 0 by default, at most half the kernel. Not encoded in the graph.</summary>
    public int Padding { get; set; }
}
/// <summary>Average pooling over <c>[channels, height, width]</c>. Stride defaults to the kernel.</summary>
public sealed class AvgPool2dAttribute(int kernel) : OperationAttribute
{
    /// <summary>Side of the square pooling window; must be positive and fit the padded input.</summary>
    public int Kernel { get; } = kernel;
    /// <summary>Step between windows; defaults to <see cref="Kernel"/> (non-overlapping windows) when not set,
    /// and must be positive when set. Not encoded in the graph.</summary>
    public int Stride { get; set; }
    /// <summary>Implicit padding on each side of both spatial axes (zeros, counted in the averages); 0 by default, at most half the kernel. Not encoded in the graph.</summary>
    public int Padding { get; set; }
}

/// <summary>
/// Identity residual: adds the tensor that entered property <paramref name="from"/> (before any of
/// its operations) to the current one, whose shape must be the same. Put it where the sum happens,
/// e.g. <c>[BatchNorm2d, Residual(nameof(Conv1)), ReLU]</c> for a ResNet BasicBlock. The channels on
/// both sides become one symmetry group, across every residual of the stream.
/// </summary>
/// <param name="from">The property (this one or an earlier one) whose input the skip starts from.</param>
public sealed class ResidualAttribute(string from) : OperationAttribute
{
    /// <summary>Name of the property (this one or an earlier one; write <c>nameof(...)</c>) whose input the skip starts from.</summary>
    public string From { get; } = from;
}

/// <summary>
/// Projection shortcut: the property's layer and operations read the input of property
/// <paramref name="from"/> instead of the current tensor, and their result is added to the current
/// tensor (the main path) once the property's operations are done, e.g.
/// <c>[Shortcut(nameof(Block2Conv1)), Conv2d(32, Kernel = 1, Stride = 2)]</c>. The shapes must match.
/// </summary>
/// <remarks>
/// A branch of several layers, such as torchvision's 1×1 convolution and BatchNorm, runs from the
/// property carrying <c>[Shortcut]</c> through the one carrying <see cref="AddShortcutAttribute"/>,
/// where the sum happens; operations after <c>[AddShortcut]</c> act on the sum, e.g.
/// <c>[BatchNorm2d, AddShortcut, ReLU]</c>. Without an <c>[AddShortcut]</c>, the branch is the
/// <c>[Shortcut]</c> property alone and the sum follows its last operation.
/// </remarks>
/// <param name="from">The property (this one or an earlier one) whose input the shortcut reads.</param>
public sealed class ShortcutAttribute(string from) : OperationAttribute
{
    /// <summary>Name of the property (this one or an earlier one; write <c>nameof(...)</c>) whose input the branch reads.</summary>
    public string From { get; } = from;
}

/// <summary>
/// Ends the open projection shortcut (<see cref="ShortcutAttribute"/>) here: the branch's result is
/// added to the main path, and the operations after it act on the sum, so the next block's skip
/// reads the activated sum, e.g. <c>[BatchNorm2d, AddShortcut, ReLU]</c> on a shortcut's BatchNorm.
/// </summary>
public sealed class AddShortcutAttribute : OperationAttribute;
