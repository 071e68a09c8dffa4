using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Modules;

/// <summary>
/// A learned positional embedding added to a sequence stored channels-first,
/// <c>[batch, width, tokens]</c>: <c>weight [width, tokens]</c> holds one vector per position.
/// </summary>
public sealed class PositionalEmbedding : nn.Module<Tensor, Tensor>
{
    /// <summary>One vector per position, <c>[width, tokens]</c>; state_dict key <c>weight</c>.</summary>
    public Parameter weight { get; }

    /// <summary>An embedding initialised from N(0, 0.02²), as ViT's.</summary>
    /// <param name="width">Channels of the sequence.</param>
    /// <param name="tokens">Length of the sequence.</param>
    public PositionalEmbedding(long width, long tokens) : base(nameof(PositionalEmbedding))
    {
        // ViT's initialisation: small normal noise (as torch.normal(0, 0.02) draws it, without its implicit Scalars).
        weight = new Parameter(randn(width, tokens).mul_(Scalars.Of(0.02)));
        register_parameter(nameof(weight), weight);
        ModuleOwnership.OwnState(this);   // built inside a caller's dispose scope, the state still stays with the module
    }

    /// <summary>Adds <see cref="weight"/> to every sequence of <c>[batch, width, tokens]</c>; the shape is kept.</summary>
    public override Tensor forward(Tensor input) => input.add(weight, Scalars.One);
}
