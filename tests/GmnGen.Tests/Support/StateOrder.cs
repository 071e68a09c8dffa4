using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Support;

/// <summary>The documented value order, computed independently of the generator: state_dict
/// order without num_batches_tracked.</summary>
public static class StateOrder
{
    public static IReadOnlyList<(string Name, Tensor Tensor)> Of(nn.Module module) =>
        module.state_dict().Where(kv => !kv.Key.EndsWith("num_batches_tracked"))
            .Select(kv => (kv.Key, kv.Value)).ToList();

    public static Tensor ConcatenatedValues(nn.Module module) =>
        cat(Of(module).Select(s => s.Tensor.detach().reshape(-1)).ToArray(), 0);

    /// <summary>
    /// Sets every float parameter and buffer from <paramref name="seed"/> alone (not from the global
    /// generator, which parallel tests share), at magnitudes like TorchSharp's initialisation so that
    /// float32 rounding stays small: weights N(0, 1/fan_in), biases N(0, 0.1²), norm weights near 1,
    /// running statistics away from 0 and 1 (fresh ones would hide a permutation that forgot them).
    /// </summary>
    public static void Randomise(nn.Module module, long seed)
    {
        using var _ = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (name, t) in module.state_dict())
        {
            if (!t.is_floating_point()) continue;
            var noise = randn(t.shape, generator: generator);
            bool isNorm = t.dim() == 1 && name.EndsWith(".weight"); // Linear/Conv weights are at least 2-D
            if (name.EndsWith("running_var")) t.copy_(noise.abs() * 0.5 + 0.5);
            else if (name.EndsWith("running_mean")) t.copy_(noise * 0.1);
            else if (isNorm) t.copy_(noise * 0.1 + 1.0);
            else if (t.dim() >= 2) t.copy_(noise / System.Math.Sqrt(t.numel() / t.shape[0]));
            else t.copy_(noise * 0.1);
        }
    }
}
