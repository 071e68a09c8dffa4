using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Prediction;

/// <summary>A copy of a module's state (parameters and buffers), for keeping the best epoch's weights.</summary>
internal sealed class WeightSnapshot : IDisposable
{
    private readonly Dictionary<string, Tensor> state;

    private WeightSnapshot(Dictionary<string, Tensor> state) => this.state = state;

    /// <summary>Copies the module's current state (on its device).</summary>
    public static WeightSnapshot Take(nn.Module module)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();   // the detach() views go with it, the copies stay
        return new WeightSnapshot(module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope()));
    }

    /// <summary>Writes the copied state back into <paramref name="module"/>, in place (optimiser references stay valid).</summary>
    public void Restore(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (name, t) in module.state_dict()) t.copy_(state[name]);
    }

    public void Dispose()
    {
        foreach (var t in state.Values) t.Dispose();
    }
}
