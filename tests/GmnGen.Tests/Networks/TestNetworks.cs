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

/// <summary>Max pooling after Tanh and after ReLU, flattened into the head: max pooling commutes with a
/// positive factor per channel but not with a sign flip, so only the ReLU channels get a scaling.</summary>
[Network(InputShape = [1, 12, 12])]
public sealed partial class PoolCnn
{
    [Conv2d(6, Padding = 1), Tanh, MaxPool2d(2)] public partial Conv2d Conv1 { get; }
    [Conv2d(8, Padding = 1), ReLU, MaxPool2d(2)] public partial Conv2d Conv2 { get; }
    [Flatten, Linear(10)] public partial Linear Head { get; }
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

/// <summary>ResNet BasicBlock style: a stem, an identity block and a projection block (stride 2),
/// BatchNorm after every main-path convolution.</summary>
[Network(InputShape = [3, 8, 8])]
public sealed partial class ResNet
{
    [Conv2d(8, Padding = 1, Bias = false)] public partial Conv2d Stem { get; }
    [BatchNorm2d, ReLU] public partial BatchNorm2d StemBn { get; }
    [Conv2d(8, Padding = 1, Bias = false)] public partial Conv2d Block1Conv1 { get; }
    [BatchNorm2d, ReLU] public partial BatchNorm2d Block1Bn1 { get; }
    [Conv2d(8, Padding = 1, Bias = false)] public partial Conv2d Block1Conv2 { get; }
    [BatchNorm2d, Residual(nameof(Block1Conv1)), ReLU] public partial BatchNorm2d Block1Bn2 { get; }
    [Conv2d(12, Stride = 2, Padding = 1, Bias = false)] public partial Conv2d Block2Conv1 { get; }
    [BatchNorm2d, ReLU] public partial BatchNorm2d Block2Bn1 { get; }
    [Conv2d(12, Padding = 1, Bias = false)] public partial Conv2d Block2Conv2 { get; }
    [BatchNorm2d] public partial BatchNorm2d Block2Bn2 { get; }
    [Shortcut(nameof(Block2Conv1)), Conv2d(12, Kernel = 1, Stride = 2, Bias = false)] public partial Conv2d Block2Proj { get; }
    [ReLU, GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
}

/// <summary>Pre-norm residual MLP blocks: one residual stream of width 8 through both blocks, its
/// LayerNorm parameters included.</summary>
[Network(InputShape = [6])]
public sealed partial class ResidualMlp
{
    [Linear(8)] public partial Linear Embed { get; }
    [LayerNorm] public partial LayerNorm Norm1 { get; }
    [Linear(16), GELU] public partial Linear Up1 { get; }
    [Linear(8), Residual(nameof(Norm1))] public partial Linear Down1 { get; }
    [LayerNorm] public partial LayerNorm Norm2 { get; }
    [Linear(16), GELU] public partial Linear Up2 { get; }
    [Linear(8), Residual(nameof(Norm2))] public partial Linear Down2 { get; }
    [Linear(3)] public partial Linear Out { get; }
}

/// <summary>DeepSets over the 28 columns of an image, each a set element with 28 features (its pixels):
/// two equivariant layers, then the set mean and a Linear head.</summary>
[Network(InputShape = [28, 28])]
public sealed partial class DeepSetsNet
{
    [DeepSets(16), ReLU] public partial GmnGen.Modules.DeepSets Set1 { get; }
    [DeepSets(8, Bias = false), ReLU] public partial GmnGen.Modules.DeepSets Set2 { get; }
    [GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
}

/// <summary>A small ViT on 28×28 images: 7×7 patches (16 tokens), a learned positional embedding,
/// two pre-norm transformer blocks (2-head self-attention and a token-wise MLP, each with a
/// residual), a final LayerNorm, mean pooling over tokens and a Linear head.</summary>
[Network(InputShape = [1, 28, 28])]
public sealed partial class TinyVit
{
    [PatchEmbed(8, Patch = 7)] public partial Conv2d Patches { get; }
    [PositionalEmbedding(Length = 16)] public partial GmnGen.Modules.PositionalEmbedding Positions { get; }
    [LayerNorm] public partial LayerNorm Block1Norm1 { get; }
    [SelfAttention(2), Residual(nameof(Block1Norm1))] public partial GmnGen.Modules.SelfAttention Block1Attention { get; }
    [LayerNorm] public partial LayerNorm Block1Norm2 { get; }
    [Conv1d(16, Kernel = 1), GELU] public partial Conv1d Block1Mlp1 { get; }
    [Conv1d(8, Kernel = 1), Residual(nameof(Block1Norm2))] public partial Conv1d Block1Mlp2 { get; }
    [LayerNorm] public partial LayerNorm Block2Norm1 { get; }
    [SelfAttention(2), Residual(nameof(Block2Norm1))] public partial GmnGen.Modules.SelfAttention Block2Attention { get; }
    [LayerNorm] public partial LayerNorm Block2Norm2 { get; }
    [Conv1d(16, Kernel = 1), GELU] public partial Conv1d Block2Mlp1 { get; }
    [Conv1d(8, Kernel = 1), Residual(nameof(Block2Norm2))] public partial Conv1d Block2Mlp2 { get; }
    [LayerNorm, GlobalAvgPool] public partial LayerNorm FinalNorm { get; }
    [Linear(10)] public partial Linear Head { get; }
}

/// <summary>GroupNorm on a residual stream: the stream's channels meet GroupNorms of 4 and of 2
/// groups, so only permutations inside blocks of 2 channels keep both partitions.</summary>
[Network(InputShape = [2, 6, 6])]
public sealed partial class GroupNormResNet
{
    [Conv2d(8, Padding = 1)] public partial Conv2d Stem { get; }
    [GroupNorm(4), ReLU] public partial GroupNorm StemNorm { get; }
    [Conv2d(8, Padding = 1)] public partial Conv2d Conv1 { get; }
    [GroupNorm(2), ReLU] public partial GroupNorm Norm1 { get; }
    [Conv2d(8, Padding = 1), Residual(nameof(Conv1))] public partial Conv2d Conv2 { get; }
    [GroupNorm(2), ReLU] public partial GroupNorm Norm2 { get; }
    [GlobalAvgPool, Linear(3)] public partial Linear Head { get; }
}

/// <summary>torchvision's ResNet-18 as trained on CIFAR-10 (a 3×3 stem without max pooling), at an
/// eighth of its widths (8, 16, 32, 64 channels): four stages of two BasicBlocks, the first block of
/// stages 2-4 strided with a 1×1 convolution and BatchNorm projection, the ReLU after every sum. At
/// full width (every convolution ×8) it has torchvision's 11,173,962 parameters (ResNet18Tests).</summary>
[Network(InputShape = [3, 32, 32])]
public sealed partial class ResNet18
{
    [Conv2d(8, Padding = 1, Bias = false)]                                                  public partial Conv2d Conv1 { get; }
    [BatchNorm2d, ReLU]                                                                     public partial BatchNorm2d Bn1 { get; }
    [Conv2d(8, Padding = 1, Bias = false)]                                                  public partial Conv2d Layer1Block1Conv1 { get; }
    [BatchNorm2d, ReLU]                                                                     public partial BatchNorm2d Layer1Block1Bn1 { get; }
    [Conv2d(8, Padding = 1, Bias = false)]                                                  public partial Conv2d Layer1Block1Conv2 { get; }
    [BatchNorm2d, Residual(nameof(Layer1Block1Conv1)), ReLU]                                public partial BatchNorm2d Layer1Block1Bn2 { get; }
    [Conv2d(8, Padding = 1, Bias = false)]                                                  public partial Conv2d Layer1Block2Conv1 { get; }
    [BatchNorm2d, ReLU]                                                                     public partial BatchNorm2d Layer1Block2Bn1 { get; }
    [Conv2d(8, Padding = 1, Bias = false)]                                                  public partial Conv2d Layer1Block2Conv2 { get; }
    [BatchNorm2d, Residual(nameof(Layer1Block2Conv1)), ReLU]                                public partial BatchNorm2d Layer1Block2Bn2 { get; }
    [Conv2d(16, Stride = 2, Padding = 1, Bias = false)]                                     public partial Conv2d Layer2Block1Conv1 { get; }
    [BatchNorm2d, ReLU]                                                                     public partial BatchNorm2d Layer2Block1Bn1 { get; }
    [Conv2d(16, Padding = 1, Bias = false)]                                                 public partial Conv2d Layer2Block1Conv2 { get; }
    [BatchNorm2d]                                                                           public partial BatchNorm2d Layer2Block1Bn2 { get; }
    [Shortcut(nameof(Layer2Block1Conv1)), Conv2d(16, Kernel = 1, Stride = 2, Bias = false)] public partial Conv2d Layer2Block1Downsample { get; }
    [BatchNorm2d, AddShortcut, ReLU]                                                        public partial BatchNorm2d Layer2Block1DownsampleBn { get; }
    [Conv2d(16, Padding = 1, Bias = false)]                                                 public partial Conv2d Layer2Block2Conv1 { get; }
    [BatchNorm2d, ReLU]                                                                     public partial BatchNorm2d Layer2Block2Bn1 { get; }
    [Conv2d(16, Padding = 1, Bias = false)]                                                 public partial Conv2d Layer2Block2Conv2 { get; }
    [BatchNorm2d, Residual(nameof(Layer2Block2Conv1)), ReLU]                                public partial BatchNorm2d Layer2Block2Bn2 { get; }
    [Conv2d(32, Stride = 2, Padding = 1, Bias = false)]                                     public partial Conv2d Layer3Block1Conv1 { get; }
    [BatchNorm2d, ReLU]                                                                     public partial BatchNorm2d Layer3Block1Bn1 { get; }
    [Conv2d(32, Padding = 1, Bias = false)]                                                 public partial Conv2d Layer3Block1Conv2 { get; }
    [BatchNorm2d]                                                                           public partial BatchNorm2d Layer3Block1Bn2 { get; }
    [Shortcut(nameof(Layer3Block1Conv1)), Conv2d(32, Kernel = 1, Stride = 2, Bias = false)] public partial Conv2d Layer3Block1Downsample { get; }
    [BatchNorm2d, AddShortcut, ReLU]                                                        public partial BatchNorm2d Layer3Block1DownsampleBn { get; }
    [Conv2d(32, Padding = 1, Bias = false)]                                                 public partial Conv2d Layer3Block2Conv1 { get; }
    [BatchNorm2d, ReLU]                                                                     public partial BatchNorm2d Layer3Block2Bn1 { get; }
    [Conv2d(32, Padding = 1, Bias = false)]                                                 public partial Conv2d Layer3Block2Conv2 { get; }
    [BatchNorm2d, Residual(nameof(Layer3Block2Conv1)), ReLU]                                public partial BatchNorm2d Layer3Block2Bn2 { get; }
    [Conv2d(64, Stride = 2, Padding = 1, Bias = false)]                                     public partial Conv2d Layer4Block1Conv1 { get; }
    [BatchNorm2d, ReLU]                                                                     public partial BatchNorm2d Layer4Block1Bn1 { get; }
    [Conv2d(64, Padding = 1, Bias = false)]                                                 public partial Conv2d Layer4Block1Conv2 { get; }
    [BatchNorm2d]                                                                           public partial BatchNorm2d Layer4Block1Bn2 { get; }
    [Shortcut(nameof(Layer4Block1Conv1)), Conv2d(64, Kernel = 1, Stride = 2, Bias = false)] public partial Conv2d Layer4Block1Downsample { get; }
    [BatchNorm2d, AddShortcut, ReLU]                                                        public partial BatchNorm2d Layer4Block1DownsampleBn { get; }
    [Conv2d(64, Padding = 1, Bias = false)]                                                 public partial Conv2d Layer4Block2Conv1 { get; }
    [BatchNorm2d, ReLU]                                                                     public partial BatchNorm2d Layer4Block2Bn1 { get; }
    [Conv2d(64, Padding = 1, Bias = false)]                                                 public partial Conv2d Layer4Block2Conv2 { get; }
    [BatchNorm2d, Residual(nameof(Layer4Block2Conv1)), ReLU]                                public partial BatchNorm2d Layer4Block2Bn2 { get; }
    [GlobalAvgPool, Linear(10)]                                                             public partial Linear Fc { get; }
}

/// <summary>torchvision's Bottleneck blocks (1×1 reduce, 3×3, 1×1 expand ×4, BatchNorm after each,
/// ReLU after the sum) on [3, 32, 32], as in ResNet-50's stages: a block projecting 16 → 32 channels
/// (width 8), a strided projection block (→ 64, width 16) and an identity block.</summary>
[Network(InputShape = [3, 32, 32])]
public sealed partial class BottleneckResNet
{
    [Conv2d(16, Padding = 1, Bias = false)]                                           public partial Conv2d Conv1 { get; }
    [BatchNorm2d, ReLU]                                                               public partial BatchNorm2d Bn1 { get; }
    [Conv2d(8, Kernel = 1, Bias = false)]                                             public partial Conv2d Block1Conv1 { get; }
    [BatchNorm2d, ReLU]                                                               public partial BatchNorm2d Block1Bn1 { get; }
    [Conv2d(8, Padding = 1, Bias = false)]                                            public partial Conv2d Block1Conv2 { get; }
    [BatchNorm2d, ReLU]                                                               public partial BatchNorm2d Block1Bn2 { get; }
    [Conv2d(32, Kernel = 1, Bias = false)]                                            public partial Conv2d Block1Conv3 { get; }
    [BatchNorm2d]                                                                     public partial BatchNorm2d Block1Bn3 { get; }
    [Shortcut(nameof(Block1Conv1)), Conv2d(32, Kernel = 1, Bias = false)]             public partial Conv2d Block1Downsample { get; }
    [BatchNorm2d, AddShortcut, ReLU]                                                  public partial BatchNorm2d Block1DownsampleBn { get; }
    [Conv2d(16, Kernel = 1, Bias = false)]                                            public partial Conv2d Block2Conv1 { get; }
    [BatchNorm2d, ReLU]                                                               public partial BatchNorm2d Block2Bn1 { get; }
    [Conv2d(16, Stride = 2, Padding = 1, Bias = false)]                               public partial Conv2d Block2Conv2 { get; }
    [BatchNorm2d, ReLU]                                                               public partial BatchNorm2d Block2Bn2 { get; }
    [Conv2d(64, Kernel = 1, Bias = false)]                                            public partial Conv2d Block2Conv3 { get; }
    [BatchNorm2d]                                                                     public partial BatchNorm2d Block2Bn3 { get; }
    [Shortcut(nameof(Block2Conv1)), Conv2d(64, Kernel = 1, Stride = 2, Bias = false)] public partial Conv2d Block2Downsample { get; }
    [BatchNorm2d, AddShortcut, ReLU]                                                  public partial BatchNorm2d Block2DownsampleBn { get; }
    [Conv2d(16, Kernel = 1, Bias = false)]                                            public partial Conv2d Block3Conv1 { get; }
    [BatchNorm2d, ReLU]                                                               public partial BatchNorm2d Block3Bn1 { get; }
    [Conv2d(16, Padding = 1, Bias = false)]                                           public partial Conv2d Block3Conv2 { get; }
    [BatchNorm2d, ReLU]                                                               public partial BatchNorm2d Block3Bn2 { get; }
    [Conv2d(64, Kernel = 1, Bias = false)]                                            public partial Conv2d Block3Conv3 { get; }
    [BatchNorm2d, Residual(nameof(Block3Conv1)), ReLU]                                public partial BatchNorm2d Block3Bn3 { get; }
    [GlobalAvgPool, Linear(10)]                                                       public partial Linear Fc { get; }
}
