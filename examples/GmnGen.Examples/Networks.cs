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

/// <summary>A small ResNet: a stride-2 stem, an identity BasicBlock and a BasicBlock with a projection
/// shortcut (stride 2, 1×1 convolution), BatchNorm after every main-path convolution. The stem's and the
/// first block's channels are one symmetry group (a residual stream), the second block's output and
/// its projection another.</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class SmallResNet
{
    [Conv2d(16, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]      public partial Conv2d Stem { get; }
    [BatchNorm2d, ReLU]                                                  public partial BatchNorm2d StemNorm { get; }
    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false)]                  public partial Conv2d Block1Conv1 { get; }
    [BatchNorm2d, ReLU]                                                  public partial BatchNorm2d Block1Norm1 { get; }
    [Conv2d(16, Kernel = 3, Padding = 1, Bias = false)]                  public partial Conv2d Block1Conv2 { get; }
    [BatchNorm2d, Residual(nameof(Block1Conv1)), ReLU]                   public partial BatchNorm2d Block1Norm2 { get; }
    [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]      public partial Conv2d Block2Conv1 { get; }
    [BatchNorm2d, ReLU]                                                  public partial BatchNorm2d Block2Norm1 { get; }
    [Conv2d(32, Kernel = 3, Padding = 1, Bias = false)]                  public partial Conv2d Block2Conv2 { get; }
    [BatchNorm2d]                                                        public partial BatchNorm2d Block2Norm2 { get; }
    [Shortcut(nameof(Block2Conv1)), Conv2d(32, Kernel = 1, Stride = 2, Bias = false)] public partial Conv2d Block2Proj { get; }
    [ReLU, GlobalAvgPool, Linear(10)]                                    public partial Linear Head { get; }
}

/// <summary>A tiny ViT: 7×7 patches (16 tokens) embedded to width 16, a learned positional embedding,
/// two pre-norm transformer blocks with 2-head self-attention, mean over tokens, a Linear head.</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class TinyVit
{
    [PatchEmbed(16, Patch = 7)]                                           public partial Conv2d Patches { get; }
    [PositionalEmbedding(Length = 16)]                                    public partial GmnGen.Modules.PositionalEmbedding Positions { get; }
    [LayerNorm]                                                           public partial LayerNorm Block1Norm1 { get; }
    [SelfAttention(2), Residual(nameof(Block1Norm1))]                     public partial GmnGen.Modules.SelfAttention Block1Attention { get; }
    [LayerNorm]                                                           public partial LayerNorm Block1Norm2 { get; }
    [Conv1d(32, Kernel = 1), GELU]                                        public partial Conv1d Block1Mlp1 { get; }
    [Conv1d(16, Kernel = 1), Residual(nameof(Block1Norm2))]               public partial Conv1d Block1Mlp2 { get; }
    [LayerNorm]                                                           public partial LayerNorm Block2Norm1 { get; }
    [SelfAttention(2), Residual(nameof(Block2Norm1))]                     public partial GmnGen.Modules.SelfAttention Block2Attention { get; }
    [LayerNorm]                                                           public partial LayerNorm Block2Norm2 { get; }
    [Conv1d(32, Kernel = 1), GELU]                                        public partial Conv1d Block2Mlp1 { get; }
    [Conv1d(16, Kernel = 1), Residual(nameof(Block2Norm2))]               public partial Conv1d Block2Mlp2 { get; }
    [LayerNorm, GlobalAvgPool]                                            public partial LayerNorm FinalNorm { get; }
    [Linear(10)]                                                          public partial Linear Head { get; }
}

/// <summary>DeepSets over the 28 image columns (each a set element of 28 pixels): the network is
/// invariant to shuffling the columns, and its elementwise and pooled weights are distinct edge types.</summary>
[Network(InputShape = [28, 28])]
public sealed partial class ColumnDeepSets
{
    [DeepSets(32), ReLU]        public partial GmnGen.Modules.DeepSets Set1 { get; }
    [DeepSets(32), ReLU]        public partial GmnGen.Modules.DeepSets Set2 { get; }
    [GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
}
