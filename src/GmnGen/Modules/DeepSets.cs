using System;
using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Modules;

/// <summary>
/// A permutation-equivariant DeepSets layer (Zaheer et al. 2017) over a set stored channels-first,
/// <c>[batch, in, elements]</c>: every element gets <c>y_i = W x_i + P mean_j(x_j) + b</c>, so permuting
/// the elements permutes the outputs alike. <c>weight</c> is the elementwise <c>W [out, in]</c>,
/// <c>pooled_weight</c> the <c>P [out, in]</c> applied to the set's mean.
/// </summary>
public sealed class DeepSets : nn.Module<Tensor, Tensor>
{
    /// <summary>Elementwise weight <c>[out, in]</c>.</summary>
    public Parameter weight { get; }
    /// <summary>Weight <c>[out, in]</c> applied to the mean over the elements.</summary>
    public Parameter pooled_weight { get; }
    /// <summary>Bias <c>[out]</c>, or null.</summary>
    public Parameter? bias { get; }

    /// <summary>A layer with Linear's default initialisation, U(−1/√in, 1/√in), for both weights and the bias.</summary>
    /// <param name="inFeatures">Features per input element.</param>
    /// <param name="outFeatures">Features per output element.</param>
    /// <param name="hasBias">Whether the layer has <see cref="bias"/>.</param>
    public DeepSets(long inFeatures, long outFeatures, bool hasBias = true) : base(nameof(DeepSets))
    {
        // Linear's default initialisation for both weights: U(-1/sqrt(in), 1/sqrt(in)).
        double bound = 1.0 / Math.Sqrt(inFeatures);
        weight = new Parameter(empty(outFeatures, inFeatures).uniform_(-bound, bound));
        pooled_weight = new Parameter(empty(outFeatures, inFeatures).uniform_(-bound, bound));
        bias = hasBias ? new Parameter(empty(outFeatures).uniform_(-bound, bound)) : null;
        register_parameter(nameof(weight), weight);
        register_parameter(nameof(pooled_weight), pooled_weight);
        if (bias is not null) register_parameter(nameof(bias), bias);
        ModuleOwnership.OwnState(this);   // built inside a caller's dispose scope, the state still stays with the module
    }

    /// <summary><c>[batch, in, elements]</c> → <c>[batch, out, elements]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var pooled = input.mean([2], keepdim: true);
        var y = matmul(weight, input).add(matmul(pooled_weight, pooled), Scalars.One);
        if (bias is not null) y = y.add(bias.unsqueeze(-1), Scalars.One);
        return y.MoveToOuterDisposeScope();
    }
}
