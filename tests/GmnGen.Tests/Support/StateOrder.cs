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

    /// <summary>Moves every float parameter and buffer off its initial value (fresh BatchNorm
    /// statistics are 0 and 1 and norm weights 1, which would hide a permutation that forgot them),
    /// keeping magnitudes near TorchSharp's initialisation so float32 rounding stays small.</summary>
    public static void Randomise(nn.Module module, long seed)
    {
        using var _ = no_grad();
        var generator = new Generator((ulong)seed);
        foreach (var (name, t) in module.state_dict())
        {
            if (!t.is_floating_point()) continue;
            var noise = randn(t.shape, generator: generator);
            if (name.EndsWith("running_var")) t.copy_(noise.abs() * 0.5 + 0.5);
            else if (name.EndsWith("running_mean")) t.copy_(noise * 0.1);
            else t.add_(noise * 0.1);
        }
    }
}
