namespace GmnGen.Generators.Model;

// The validation step's output: a network that is known to be valid, with every size resolved and
// its graph and symmetries laid out. It holds no locations, so moving code around re-runs nothing
// after validation. Must be immutable with structural equality, or incremental caching breaks.

/// <summary>A sub-module: the property that exposes it, its state_dict name and how to construct it.</summary>
public sealed record ModuleSpec(string Property, string Field, string StateName, string PropertyType, string Accessibility, OpKind Kind, string Constructor, EquatableArray<string> StateTensors);

/// <summary>One line of forward(): a statement, the sample shape after it and, for a module call, the
/// module's state name (the statement reads x as that module's input).</summary>
public sealed record StepSpec(string Statement, string ShapeAfter, string? Observed = null);

/// <summary>See GmnGen.Graphs.NodeBlock.</summary>
public sealed record NodeBlockSpec(int Start, int Count, int Layer, string Type, bool Ordered, string Activation, string Comment);

/// <summary>See GmnGen.Graphs.EdgeBlock.</summary>
public sealed record EdgeBlockSpec(int Layer, string Type, int SrcStart, int SrcCount, int DstStart, int DstCount, EquatableArray<int> Kernel, int ValueOffset, string Comment, bool Diagonal = false);

/// <summary>A state tensor in value-vector order, with the C# expression that reads it from the live module.</summary>
public sealed record StateTensorSpec(string Name, EquatableArray<int> Shape, int Offset, string Accessor);

/// <summary>See GmnGen.Symmetries.TensorAxis.</summary>
public sealed record AxisSpec(string Tensor, int Axis, int Block, int Offset = 0);

/// <summary>See GmnGen.Symmetries.NodeRun.</summary>
public sealed record NodeRunSpec(int Start, int Block);

/// <summary>See GmnGen.Symmetries.PermutationGroup.</summary>
public sealed record GroupSpec(string Name, int Size, EquatableArray<NodeRunSpec> Nodes, EquatableArray<AxisSpec> Actions);

/// <summary>See GmnGen.Symmetries.ScaledAxis.</summary>
public sealed record ScaledAxisSpec(string Tensor, int Axis, int Power, int Block);

/// <summary>See GmnGen.Symmetries.ScalingGroup; <paramref name="Kind"/> names a ScalingKind member.</summary>
public sealed record ScalingSpec(string Name, string Kind, int Size, bool Exact, EquatableArray<ScaledAxisSpec> Actions);

public sealed record NetworkSpec(
    string? Namespace,
    string ClassName,
    EquatableArray<string> ContainingTypes,
    bool IsFileLocal,
    string HintPrefix,
    EquatableArray<int> InputShape,
    EquatableArray<int> OutputShape,
    EquatableArray<ModuleSpec> Modules,
    EquatableArray<StepSpec> Steps,
    int NodeCount,
    EquatableArray<NodeBlockSpec> Nodes,
    EquatableArray<EdgeBlockSpec> Edges,
    EquatableArray<StateTensorSpec> State,
    EquatableArray<GroupSpec> Groups,
    EquatableArray<ScalingSpec> Scalings);

/// <summary>The outcome of validation: a spec when the definition is valid, else a stub when one can
/// be written, and every problem found.</summary>
public sealed record BuildResult(NetworkSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics, StubSpec? Stub = null);
