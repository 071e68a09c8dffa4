using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Symmetries;

/// <summary>What a <see cref="ScalingGroup"/> multiplies by.</summary>
public enum ScalingKind
{
    /// <summary>A positive factor per unit: ReLU and LeakyReLU are positively homogeneous, and BatchNorm
    /// normalises away the scale of its input.</summary>
    Positive,

    /// <summary>A sign (±1) per unit: Tanh is odd.</summary>
    Sign,
}

/// <summary>
/// One place a scaling acts: the entries of axis <paramref name="Axis"/> of state tensor
/// <paramref name="Tensor"/>, in blocks of <paramref name="Block"/> per unit (a Linear after a
/// flattened C×H×W map reads each channel as H·W columns), are multiplied by the unit's factor raised
/// to <paramref name="Power"/>: 1 where the unit's pre-activation is made, −1 where the next layer
/// reads it, 2 for a BatchNorm's running variance.
/// </summary>
public sealed record ScaledAxis(string Tensor, int Axis, int Power, int Block = 1);

/// <summary>
/// A scaling symmetry of <see cref="Size"/> units (hidden neurons or channels): multiplying every
/// <see cref="Actions"/> entry by the unit's factor to its power leaves the network's function
/// unchanged, exactly, or up to a BatchNorm's eps where <see cref="Exact"/> is false (scaling a
/// BatchNorm's input by c scales its variance by c², against a fixed eps). Unlike permutations,
/// these change the parameter graph's values, so an invariant metanet still has to learn them:
/// applying random ones is a label-preserving augmentation.
/// </summary>
public sealed record ScalingGroup(string Name, ScalingKind Kind, int Size, bool Exact, IReadOnlyList<ScaledAxis> Actions)
{
    /// <summary>
    /// One factor per unit: log-uniform in [1/<paramref name="maxFactor"/>, <paramref name="maxFactor"/>]
    /// for <see cref="ScalingKind.Positive"/>, ±1 with equal odds for <see cref="ScalingKind.Sign"/>.
    /// </summary>
    public Tensor RandomFactors(double maxFactor = 2, Generator? generator = null)
    {
        if (!(maxFactor >= 1) || double.IsInfinity(maxFactor))
            throw new ArgumentOutOfRangeException(nameof(maxFactor), maxFactor, "The largest factor must be finite and at least 1.");
        using var scope = NewDisposeScope();
        using var span = (2 * Math.Log(maxFactor)).ToScalar();   // varies per call: not a Scalars constant
        using var low = Math.Log(maxFactor).ToScalar();
        var u = rand(Size, generator: generator);
        var factors = Kind == ScalingKind.Positive
            ? u.mul_(span).sub_(low).exp_()
            : u.lt(Scalars.Of(0.5)).to(float32).mul_(Scalars.Of(-2.0)).add_(Scalars.One, Scalars.One);   // 1 − 2·[u < ½]
        return factors.MoveToOuterDisposeScope();
    }

    /// <summary>Multiplies the given state tensors in place (without autograd).</summary>
    /// <param name="state">The network's parameters and buffers by state_dict name (or views of a value vector).</param>
    /// <param name="factors">float [Size]: each unit's factor.</param>
    /// <param name="only">Acts only where this returns true: breaking a symmetry on purpose is how tests
    /// show that every action was needed.</param>
    public void Apply(IReadOnlyDictionary<string, Tensor> state, Tensor factors, Func<ScaledAxis, bool>? only = null)
    {
        if (factors.shape.Length != 1 || factors.shape[0] != Size)
            throw new ArgumentException($"Scaling '{Name}' has {Size} units; got factors of shape [{string.Join(", ", factors.shape)}].", nameof(factors));
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (action, tensor) in ActionTargets.Resolve(state, Actions, a => a.Tensor, only, $"Scaling '{Name}'"))
        {
            var f = factors.to(tensor.dtype, tensor.device);
            f = action.Power switch
            {
                1 => f,
                -1 => f.reciprocal(),
                _ => f.pow(Scalars.Of((double)action.Power)),
            };
            if (action.Block > 1) f = f.repeat_interleave(action.Block);
            var shape = Enumerable.Repeat(1L, (int)tensor.dim()).ToArray();
            shape[action.Axis] = f.shape[0];
            tensor.mul_(f.reshape(shape));
        }
    }
}
