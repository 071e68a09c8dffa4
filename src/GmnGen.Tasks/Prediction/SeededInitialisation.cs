using System;
using System.Collections.Generic;
using GmnGen.Metanet;
using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// Redraws a freshly built module's random parameters from a private generator seeded with the
/// predictor's seed. TorchSharp's constructors draw from the process-wide generator, which code on
/// other threads (tests run in parallel, an experiment may fit methods concurrently) draws from at
/// any moment: seeding it with <c>manual_seed</c> before construction would not make the weights
/// depend on the seed alone, and a lock would only exclude callers that take it. Redrawing afterwards does.
/// </summary>
internal static class SeededInitialisation
{
    /// <summary>
    /// Redraws, with the distributions their constructors use: Linear weights and biases uniform in
    /// ±1/√fan-in (TorchSharp's default), embeddings N(0, 1), <see cref="ScalarEncoder"/> frequencies
    /// N(0, 2²) and phases U(0, 2π). A tensor the constructor set to a constant (LayerNorm's ones,
    /// the zeroed residual layers of a block) was set on purpose and is kept.
    /// </summary>
    /// <exception cref="InvalidOperationException">A non-constant parameter of a module type not listed above
    /// (its draw from the global generator would silently make fits irreproducible).</exception>
    public static void Apply(nn.Module module, long seed)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        var redrawn = new HashSet<string>();
        using var _ = no_grad();
        foreach (var (name, child) in module.named_modules())
        {
            string prefix = name.Length == 0 ? "" : name + ".";
            switch (child)
            {
                case Linear linear:
                {
                    double bound = 1.0 / Math.Sqrt(linear.weight!.shape[1]);
                    Redraw(linear.weight, t => UniformSymmetric(t, bound, generator), prefix + "weight", redrawn);
                    if (linear.bias is not null)
                        Redraw(linear.bias, t => UniformSymmetric(t, bound, generator), prefix + "bias", redrawn);
                    break;
                }
                case Embedding embedding:
                    // The registered parameter: Embedding.weight's getter makes a new handle per call.
                    Redraw(embedding.get_parameter("weight") ?? throw new InvalidOperationException("An Embedding without a registered weight."), t => randn(t.shape, generator: generator), prefix + "weight", redrawn);
                    break;
                case ScalarEncoder encoder:
                    foreach (var (local, p) in encoder.named_parameters())
                        Redraw(p, t => local == "frequency" ? randn(t.shape, generator: generator).mul_(Scalars.Of(2.0)) : rand(t.shape, generator: generator).mul_(Scalars.Of(2 * Math.PI)),
                            prefix + local, redrawn);
                    break;
            }
        }
        foreach (var (name, p) in module.named_parameters())
        {
            if (!redrawn.Contains(name) && !IsConstant(p))
                throw new InvalidOperationException(
                    $"{module.GetName()}: parameter '{name}' was drawn from torch's global generator and {nameof(SeededInitialisation)} " +
                    "does not know its module type, so the fit would not depend on the seed alone; add the type to SeededInitialisation.Apply.");
        }
    }

    private static void Redraw(Tensor parameter, Func<Tensor, Tensor> draw, string name, HashSet<string> redrawn)
    {
        redrawn.Add(name);
        if (IsConstant(parameter)) return;
        using var scope = NewDisposeScope();
        parameter.copy_(draw(parameter).to(parameter.dtype));
    }

    /// <summary>U(−bound, bound), drawn as (rand·2 − 1)·bound (the same numbers as before the explicit Scalars).</summary>
    private static Tensor UniformSymmetric(Tensor like, double bound, Generator generator) =>
        rand(like.shape, generator: generator).mul_(Scalars.Of(2L)).sub_(Scalars.Of(1L)).mul_(Scalars.Of(bound));

    private static bool IsConstant(Tensor t)
    {
        if (t.numel() <= 1) return t.numel() == 0;
        using var scope = NewDisposeScope();
        return t.eq(t.reshape(-1)[0]).all().item<bool>();
    }
}
