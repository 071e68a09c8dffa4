using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>
/// Encodes k scalar features each as sin(w·x + b) with its own learned frequencies (the GMN paper's
/// sin-linear encoding): [n, k] → [n, k·width]. Done as one broadcast product for all k at once.
/// </summary>
public sealed class ScalarEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Parameter frequency;
    private readonly Parameter phase;

    /// <summary>An encoder with random frequencies (normal, standard deviation 2) and phases (uniform in [0, 2π)).</summary>
    /// <param name="features">Number k of scalar features per row.</param>
    /// <param name="width">Sinusoids per feature.</param>
    public ScalarEncoder(int features, int width) : base(nameof(ScalarEncoder))
    {
        // Frequencies spread over a few octaves so that both small and large inputs are resolved.
        frequency = new Parameter(randn(features, width).mul_(Scalars.Of(2.0)));
        phase = new Parameter(rand(features, width).mul_(Scalars.Of(2 * System.Math.PI)));
        RegisterComponents();
        ModuleOwnership.OwnState(this);   // built inside a caller's dispose scope, the state still stays with the module
    }

    /// <summary>The frequencies w [k, width] (the tiled edge encoder reads and trains them, <see cref="EdgeEncoderTape"/>).</summary>
    internal Parameter Frequency => frequency;

    /// <summary>The phases b [k, width].</summary>
    internal Parameter Phase => phase;

    /// <summary>Encodes float <c>[n, k]</c> scalars as <c>[n, k·width]</c>: feature 0's sinusoids first.</summary>
    public override Tensor forward(Tensor scalars) =>
        sin(scalars.unsqueeze(-1).mul(frequency).add_(phase, Scalars.One)).flatten(1);
}
