using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Modules;

/// <summary>Gives a GroupNorm PyTorch's initial affine parameters.</summary>
/// <remarks>
/// TorchSharp 0.107's <c>GroupNorm</c> constructor makes its weight and bias with
/// <c>torch.empty</c> and never initialises them (unlike its LayerNorm and BatchNorm, and unlike
/// PyTorch, which sets 1 and 0): they hold whatever the allocator returns, NaN now and then. That is
/// a plain omission in TorchSharp's source, not memory corruption. Generated constructors pass every
/// GroupNorm through <see cref="Reset"/>.
/// </remarks>
public static class GroupNormInit
{
    /// <summary>Sets weight to 1 and bias to 0, and returns the module.</summary>
    public static TorchSharp.Modules.GroupNorm Reset(TorchSharp.Modules.GroupNorm norm)
    {
        using var _ = no_grad();
        if (norm.weight is { } weight) nn.init.ones_(weight);
        if (norm.bias is { } bias) nn.init.zeros_(bias);
        return norm;
    }
}
