using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Modules;

/// <summary>
/// ViT's learned class token: <c>weight [width]</c> is put in front of a sequence stored
/// channels-first, <c>[batch, width, tokens]</c> → <c>[batch, width, tokens + 1]</c> (PyTorch keeps
/// it as <c>cls_token [1, 1, width]</c>; the values are the same).
/// </summary>
public sealed class ClassToken : nn.Module<Tensor, Tensor>
{
    /// <summary>The token <c>[width]</c>, state_dict key <c>weight</c>.</summary>
    public Parameter weight { get; }

    /// <summary>A class token initialised from N(0, 0.02²), as ViT's.</summary>
    /// <param name="width">Channels of the sequence.</param>
    public ClassToken(long width) : base(nameof(ClassToken))
    {
        // ViT's initialisation: small normal noise (torch.normal(0, 0.02), without its implicit Scalars).
        weight = new Parameter(randn(width).mul_(Scalars.Of(0.02)));
        register_parameter(nameof(weight), weight);
        ModuleOwnership.OwnState(this);   // built inside a caller's dispose scope, the state still stays with the module
    }

    /// <summary>Puts the token in front of every sequence: <c>[batch, width, tokens]</c> → <c>[batch, width, tokens + 1]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var token = weight.reshape(1, -1, 1).expand(input.shape[0], -1, 1);
        return cat([token, input], 2).MoveToOuterDisposeScope();
    }
}
