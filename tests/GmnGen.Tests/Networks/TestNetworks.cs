using GmnGen;
using TorchSharp.Modules;

namespace GmnGen.Tests.Networks;

/// <summary>The Small CNN Zoo architecture (Unterthiner et al. 2020): 4,970 parameters.</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class ZooCnn
{
    [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv1 { get; }
    [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv2 { get; }
    [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv3 { get; }
    [GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
}

/// <summary>NOTES.md's second golden case: Linear(2,3,no bias), ReLU, LayerNorm(3), Linear(3,1).</summary>
[Network(InputShape = [2])]
public sealed partial class TinyMlp
{
    [Linear(3, Bias = false), ReLU] public partial Linear Fc1 { get; }
    [LayerNorm] public partial LayerNorm Norm { get; }
    [Linear(1)] public partial Linear Fc2 { get; }
}

/// <summary>A CNN with BatchNorm (running statistics are part of the graph and of the symmetries).</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class BatchNormCnn
{
    [Conv2d(8, Kernel = 3, Padding = 1)] public partial Conv2d Conv1 { get; }
    [BatchNorm2d, ReLU, MaxPool2d(2)] public partial BatchNorm2d Bn1 { get; }
    [Conv2d(12, Kernel = 3, Stride = 2, Dilation = 1)] public partial Conv2d Conv2 { get; }
    [BatchNorm2d, SiLU, GlobalAvgPool] public partial BatchNorm2d Bn2 { get; }
    [Linear(10)] public partial Linear Head { get; }
}

/// <summary>An MLP on images: Flatten on the input makes 784 input neurons.</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class ImageMlp
{
    [Flatten, Linear(32), GELU] public partial Linear Fc1 { get; }
    [Dropout(P = 0.1), Linear(16), Tanh] public partial Linear Fc2 { get; }
    [BatchNorm1d] public partial BatchNorm1d Bn { get; }
    [Linear(10)] public partial Linear Out { get; }
}

/// <summary>A 1D CNN over image rows (28 channels of length 28), flattened into its head without pooling.</summary>
[Network(InputShape = [28, 28])]
public sealed partial class RowCnn
{
    [Conv1d(12, Kernel = 5, Stride = 2, Bias = false), LeakyReLU(NegativeSlope = 0.1)] public partial Conv1d Conv1 { get; }
    [Conv1d(6, Kernel = 3, Dilation = 2), Sigmoid, AvgPool1d(2)] public partial Conv1d Conv2 { get; }
    [Flatten, Linear(10, In = 24)] public partial Linear Head { get; }
}

/// <summary>Norms after convolutions: GroupNorm (4 groups of 2 channels), InstanceNorm2d with affine
/// parameters, LayerNorm over the channels of a map.</summary>
[Network(InputShape = [2, 12, 12])]
public sealed partial class NormCnn
{
    [Conv2d(8, Kernel = 3, Padding = 1)] public partial Conv2d Conv1 { get; }
    [GroupNorm(4), ReLU] public partial GroupNorm Gn { get; }
    [Conv2d(6, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv2 { get; }
    [InstanceNorm2d(Affine = true)] public partial InstanceNorm2d Inorm { get; }
    [LayerNorm, GELU] public partial LayerNorm Ln { get; }
    [Flatten, Linear(5)] public partial Linear Head { get; }
}

/// <summary>Norms on 1D maps and on features: InstanceNorm1d without parameters, GroupNorm with one
/// channel per group, GroupNorm on features, LayerNorm after it.</summary>
[Network(InputShape = [4, 16])]
public sealed partial class NormRowCnn
{
    [Conv1d(6, Kernel = 3), ReLU] public partial Conv1d Conv1 { get; }
    [InstanceNorm1d] public partial InstanceNorm1d Inorm { get; }
    [GroupNorm(6), ReLU] public partial GroupNorm Gn1 { get; }
    [GlobalAvgPool, Linear(8)] public partial Linear Fc { get; }
    [GroupNorm(2), Tanh] public partial GroupNorm Gn2 { get; }
    [LayerNorm] public partial LayerNorm Ln { get; }
    [Linear(3)] public partial Linear Out { get; }
}
