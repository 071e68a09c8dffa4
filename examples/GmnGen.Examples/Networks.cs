using GmnGen;
using TorchSharp.Modules;

namespace GmnGen.Examples;

/// <summary>The Small CNN Zoo architecture (Unterthiner et al. 2020): three stride-2 convolutions,
/// global average pooling and a linear head; 4,970 parameters.</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class ZooCnn
{
    [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv1 { get; }
    [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv2 { get; }
    [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv3 { get; }
    [GlobalAvgPool, Linear(10)]                public partial Linear Head { get; }
}

/// <summary>A multilayer perceptron on flattened images: 784 input neurons, two hidden layers.</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class FashionMlp
{
    [Flatten, Linear(64), ReLU]  public partial Linear Hidden1 { get; }
    [Linear(32), ReLU]           public partial Linear Hidden2 { get; }
    [Dropout(P = 0.1), Linear(10)] public partial Linear Output { get; }
}

/// <summary>A CNN with BatchNorm: its running statistics are graph edges and move with their channels.</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class BatchNormCnn
{
    [Conv2d(16, Kernel = 3, Padding = 1)]      public partial Conv2d Conv1 { get; }
    [BatchNorm2d, ReLU, MaxPool2d(2)]          public partial BatchNorm2d Norm1 { get; }
    [Conv2d(32, Kernel = 3, Padding = 1)]      public partial Conv2d Conv2 { get; }
    [BatchNorm2d, ReLU, MaxPool2d(2)]          public partial BatchNorm2d Norm2 { get; }
    [GlobalAvgPool, Linear(10)]                public partial Linear Head { get; }
}
