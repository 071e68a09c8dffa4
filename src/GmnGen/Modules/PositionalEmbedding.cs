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
    public Parameter weight { get; }

    public PositionalEmbedding(long width, long tokens) : base(nameof(PositionalEmbedding))
    {
        // ViT's initialisation: small normal noise.
        weight = new Parameter(normal(0, 0.02, new long[] { width, tokens }));
        register_parameter(nameof(weight), weight);
    }

    public override Tensor forward(Tensor input) => input + weight;
}
