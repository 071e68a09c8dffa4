using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Modules;

/// <summary>Gives a GroupNorm PyTorch's initial affine parameters.</summary>
/// <remarks>
/// TorchSharp 0.107's <c>nn.GroupNorm</c> leaves its weight and bias uninitialised (whatever the
/// allocator returns, NaN now and then), where PyTorch sets them to ones and zeros. Generated
/// constructors pass every GroupNorm through <see cref="Reset"/>.
/// </remarks>
public static class GroupNormInit
{
    /// <summary>Sets weight to 1 and bias to 0, and returns the module.</summary>
    public static TorchSharp.Modules.GroupNorm Reset(TorchSharp.Modules.GroupNorm norm)
    {
        using var _ = no_grad();
        norm.weight?.fill_(1);
        norm.bias?.zero_();
        return norm;
    }
}
