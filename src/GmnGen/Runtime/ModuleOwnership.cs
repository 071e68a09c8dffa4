using System;
using TorchSharp;

namespace GmnGen.Runtime;

/// <summary>Makes a module the sole owner of its parameters and buffers, for exactly as long as it is disposed or alive.</summary>
/// <remarks>
/// <para>A module built inside a dispose scope (its own constructor's, to free the temporaries that
/// TorchSharp's initialisers leave behind, or a caller's) would otherwise see every parameter it
/// made with <c>new Parameter(…)</c> or a buffer it made with <c>zeros(…)</c> disposed when that scope
/// ends. Detached, they live exactly as long as the module: its <c>Dispose</c> frees them.</para>
/// <para>The modules' finalizers are suppressed too. TorchSharp 0.107's LayerNorm, GroupNorm and the BatchNorm and
/// InstanceNorm family dispose their weight, bias and running statistics from the finalizer as well (their
/// <c>Dispose(bool)</c> ignores the flag): once such a module is unreachable, the garbage collector's thread frees
/// tensors that other objects still hold and may be using at that moment (an optimizer's parameter list, the state
/// array a <c>ToParameterGraph()</c> is gathering while the network itself is already out of reach). That showed
/// as "Tensor invalid -- empty handle" or a crashed process, only under load, where collections come at other
/// moments. Nothing is lost: <c>Module</c>'s own finalizer does nothing else, the native module handle is a
/// <c>SafeHandle</c> with its own finalizer, and every tensor still frees itself when it becomes unreachable.
/// ModuleFinalizerTests shows both the hazard and the fix.</para>
/// </remarks>
public static class ModuleOwnership
{
    /// <summary>Detaches every parameter and buffer of <paramref name="module"/> and its children from dispose scopes
    /// and suppresses the finalizers of the module and its children; returns the module.</summary>
    public static T OwnState<T>(T module) where T : torch.nn.Module
    {
        foreach (var (_, parameter) in module.named_parameters()) parameter.DetachFromDisposeScope();
        foreach (var (_, buffer) in module.named_buffers()) buffer.DetachFromDisposeScope();
        GC.SuppressFinalize(module);
        foreach (var (_, child) in module.named_modules()) GC.SuppressFinalize(child);
        return module;
    }
}
