using TorchSharp;

namespace GmnGen.Runtime;

/// <summary>Makes a module the sole owner of its parameters and buffers.</summary>
/// <remarks>
/// A module built inside a dispose scope (its own constructor's, to free the temporaries that
/// TorchSharp's initialisers leave behind, or a caller's) would otherwise see every parameter it
/// made with <c>new Parameter(…)</c> or a buffer it made with <c>zeros(…)</c> disposed when that scope
/// ends. Detached, they live exactly as long as the module: its <c>Dispose</c> frees them.
/// </remarks>
public static class ModuleOwnership
{
    /// <summary>Detaches every parameter and buffer of <paramref name="module"/> and its children from dispose scopes; returns the module.</summary>
    public static T OwnState<T>(T module) where T : torch.nn.Module
    {
        foreach (var (_, parameter) in module.named_parameters()) parameter.DetachFromDisposeScope();
        foreach (var (_, buffer) in module.named_buffers()) buffer.DetachFromDisposeScope();
        return module;
    }
}
