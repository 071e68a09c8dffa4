using System;

namespace GmnGen;

/// <summary>
/// Marks a <c>partial</c> class as a GmnGen network. The generator turns its annotated
/// <c>partial</c> properties, in declaration order, into a TorchSharp module, its parameter graph
/// and its permutation symmetries, and reports every invalid definition as a GMNxxxx diagnostic.
/// </summary>
/// <example>
/// <code>
/// [Network(InputShape = [1, 28, 28])]
/// public sealed partial class ZooCnn
/// {
///     [Conv2d(16, Kernel = 3, Stride = 2), ReLU] public partial Conv2d Conv1 { get; }
///     [GlobalAvgPool, Linear(10)]                public partial Linear Head { get; }
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>Shape of one input sample, without the batch axis: <c>[features]</c>,
    /// <c>[channels, length]</c> or <c>[channels, height, width]</c>. Required.</summary>
    public int[] InputShape { get; set; } = [];
}
