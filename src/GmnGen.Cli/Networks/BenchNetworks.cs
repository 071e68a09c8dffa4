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
