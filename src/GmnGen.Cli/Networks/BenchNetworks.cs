using GmnGen;
using TorchSharp.Modules;

namespace GmnGen.Cli.Networks;

/// <summary>The Small CNN Zoo architecture (Unterthiner et al. 2020): 63 nodes, 4,970 edges.</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class ZooCnn
{
    [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv1 { get; }
    [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv2 { get; }
    [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv3 { get; }
    [GlobalAvgPool, Linear(10)]                public partial Linear Head { get; }
}

/// <summary>A wider CNN: three convolutions of width 24 and two Linear layers; 11,506 edges
/// (the "~11.6k edges" size the benchmarks compare at).</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class WideCnn
{
    [Conv2d(24, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv1 { get; }
    [Conv2d(24, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv2 { get; }
    [Conv2d(24, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv3 { get; }
    [GlobalAvgPool, Linear(24), ReLU]          public partial Linear Hidden { get; }
    [Linear(10)]                               public partial Linear Head { get; }
}

/// <summary>A small ResNet with a projection shortcut (stride 2, 1×1 convolution) after an identity
/// block, BatchNorm after every main-path convolution: the network that trained to NaN in an earlier
/// version, now a stage of <c>gmn soak</c>.</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class ProjectionResNet
{
    [Conv2d(12, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]   public partial Conv2d Stem { get; }
    [BatchNorm2d, ReLU]                                              public partial BatchNorm2d StemNorm { get; }
    [Conv2d(12, Kernel = 3, Padding = 1, Bias = false)]              public partial Conv2d Block1Conv1 { get; }
    [BatchNorm2d, ReLU]                                              public partial BatchNorm2d Block1Norm1 { get; }
    [Conv2d(12, Kernel = 3, Padding = 1, Bias = false)]              public partial Conv2d Block1Conv2 { get; }
    [BatchNorm2d, Residual(nameof(Block1Conv1)), ReLU]               public partial BatchNorm2d Block1Norm2 { get; }
    [Conv2d(24, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]  public partial Conv2d Block2Conv1 { get; }
    [BatchNorm2d, ReLU]                                              public partial BatchNorm2d Block2Norm1 { get; }
    [Conv2d(24, Kernel = 3, Padding = 1, Bias = false)]              public partial Conv2d Block2Conv2 { get; }
    [BatchNorm2d]                                                    public partial BatchNorm2d Block2Norm2 { get; }
    [Shortcut(nameof(Block2Conv1)), Conv2d(24, Kernel = 1, Stride = 2, Bias = false)] public partial Conv2d Block2Proj { get; }
    [ReLU, GlobalAvgPool, Linear(10)]                                public partial Linear Head { get; }
}

/// <summary>The MLP 784-64-32-10 on flattened images: 52,650 edges, the size the first-call
/// topology build is measured at (gmn bench, table b′).</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class Mlp784
{
    [Flatten, Linear(64), ReLU] public partial Linear Fc1 { get; }
    [Linear(32), ReLU]          public partial Linear Fc2 { get; }
    [Linear(10)]                public partial Linear Head { get; }
}
