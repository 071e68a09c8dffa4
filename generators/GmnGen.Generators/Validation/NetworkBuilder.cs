using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

/// <summary>
/// Validates a <see cref="NetworkModel"/> and, when it is valid, resolves it into a
/// <see cref="NetworkSpec"/>: walks the layers in order from the input shape, checks every size,
/// and lays out the forward pass, the parameter graph and the symmetry groups.
/// </summary>
internal sealed partial class NetworkBuilder
{
    private const string F = "global::TorchSharp.torch.nn.functional";
    private const string NN = "global::TorchSharp.torch.nn";
    /// <summary>The shared Scalar 1 for the alpha of a residual add: TorchSharp's <c>a + b</c> makes an implicit one per call.</summary>
    private const string ScalarOne = "global::GmnGen.Runtime.Scalars.One";
    private static readonly Regex ModuleName = new("^[A-Za-z_][A-Za-z0-9_]*$");
    /// <summary>Members the emitters add to every network class.</summary>
    internal static readonly HashSet<string> GeneratedMemberNames = new()
    {
        "InputShape", "OutputShape", "GraphLayout", "Symmetries", "ToParameterGraph", "ApplyPermutations", "ApplyRandomAutomorphism", "ApplyRandomScaling", "forward",
    };

    private readonly NetworkModel model;
    private readonly List<DiagnosticInfo> diagnostics = new();
    private readonly List<ModuleSpec> modules = new();
    private readonly List<StepSpec> steps = new();
    private readonly GraphLayoutBuilder graph = new();
    private int[] shape = new int[0];
    /// <summary>Set by Flatten of a spatial map: the channels and spatial extent the next Linear sees.</summary>
    private (int Channels, int[] Spatial)? flattened;
    private bool inputIsNodes;
    /// <summary>The declaration has an error the compiler reports itself (e.g. CS0102), so no GMN diagnostic is added.</summary>
    private bool blockedByCompilerError;

    private NetworkBuilder(NetworkModel model) => this.model = model;

    public static BuildResult Build(NetworkModel model)
    {
        if (model.HasSyntaxErrors) return new BuildResult(null, EquatableArray<DiagnosticInfo>.Empty);
        var builder = new NetworkBuilder(model);
        var spec = builder.Run();
        var diagnostics = builder.diagnostics.ToEquatableArray();
        return spec is not null && diagnostics.Count == 0
            ? new BuildResult(spec, diagnostics)
            : new BuildResult(null, diagnostics, StubBuilder.For(model, diagnostics));
    }

    private NetworkSpec? Run()
    {
        if (!CheckDeclaration()) return null;
        var layers = CheckMembers();
        if (diagnostics.Count > 0 || blockedByCompilerError) return null;

        shape = model.InputShape.ToArray();
        var first = layers[0].Member.Ops[0];
        // Flatten straight on the input makes every input feature a node, like a classic MLP graph.
        bool flatInput = shape.Length > 1 && first.Kind == OpKind.Flatten;
        int inputNodes = flatInput ? (int)Product(shape) : shape[0];
        graph.Current = graph.Track(graph.AddNodes(inputNodes, 0, shape.Length == 1 || flatInput ? "Neuron" : "Channel", ordered: true, "input"), "input", movable: false);
        inputIsNodes = true;

        // A projection shortcut is a side branch: the outputs come from the main path.
        var (inBranch, endedExplicitly) = PlanBranches(layers);
        explicitShortcutEnds = endedExplicitly;
        int lastNodeLayer = -1;
        for (int i = 0; i < layers.Count; i++)
            if (layers[i].Layer.Kind.MakesNodes() && !inBranch[i]) lastNodeLayer = i;
        if (lastNodeLayer < 0)
        {
            Report(Diagnostics.NoLayers, model.ClassLocation, model.ClassName);
            return null;
        }
        var names = new Dictionary<string, string>();
        for (int i = 0; i < layers.Count; i++)
        {
            var (member, layer) = layers[i];
            string stateName = layer.Text("Name") ?? member.Name;
            if (!ModuleName.IsMatch(stateName)) Report(Diagnostics.InvalidName, layer.LocationOf("Name"), stateName, member.Name);
            else if (names.TryGetValue(stateName, out var other)) Report(Diagnostics.DuplicateName, layer.LocationOf("Name"), stateName, member.Name, other);
            else names[stateName] = member.Name;

            SaveSkip(member, layers);
            foreach (var op in member.Ops)
            {
                int before = steps.Count;
                NoteForScaling(op, stateName);
                bool ok = op.Kind.IsParametric()
                    ? AddLayer(member, op, stateName, isLast: i == lastNodeLayer)
                    : AddOperation(member, op, layers.Take(i + 1).Select(l => l.Member.Name));
                if (!ok) return null;
                // Every intermediate map is a tensor: its values per sample must be countable by an int.
                if (!Fits(Product(shape), op.Kind.ToString(), member.Name, "values per sample", op.Location)
                    // The layout indexes nodes, edges and values with ints; norms and biases add to all three.
                    || !Fits(graph.NodeTotal, "network", model.ClassName, "graph nodes in all", op.Location)
                    || !Fits(graph.EdgeTotal, "network", model.ClassName, "graph edges in all", op.Location)
                    || !Fits(graph.StateTotal, "network", model.ClassName, "parameter and buffer values in all", op.Location)) return null;
                if (steps.Count > before) FillShape(); // the sample shape after this statement
            }
            if (!EndPropertyShortcut(member)) return null;
        }
        if (diagnostics.Count > 0) return null;

        var (state, edges) = graph.Values();
        return new NetworkSpec(model.Namespace, model.ClassName, model.ContainingTypes, model.IsFileLocal, model.HintPrefix,
            model.InputShape, shape.ToEquatableArray(), modules.ToEquatableArray(), steps.ToEquatableArray(),
            graph.NodeCount, graph.Nodes, edges, state, graph.Groups, graph.Symmetries.Scalings());
    }

    // ---- declaration-level checks -------------------------------------------------------------

    private bool CheckDeclaration()
    {
        if (!model.IsPartial) Report(Diagnostics.NotPartial, model.ClassLocation, "Class", model.ClassName, " so that the generator can add the module, its graph and its symmetries");
        else if (!model.ContainingTypesArePartial) Report(Diagnostics.NotPartial, model.ClassLocation, "Every type containing", model.ClassName, " (the generator re-declares them)");
        if (model.TypeKeyword != "class") Report(Diagnostics.GenericNetwork, model.ClassLocation, model.ClassName, "a " + model.TypeKeyword);
        else if (model.IsStatic) Report(Diagnostics.GenericNetwork, model.ClassLocation, model.ClassName, "static");
        else if (model.IsGeneric) Report(Diagnostics.GenericNetwork, model.ClassLocation, model.ClassName, "generic or nested in a generic type");
        // A file-local type's parts all live in one file; generated files would declare another type.
        else if (model.IsFileLocal) Report(Diagnostics.GenericNetwork, model.ClassLocation, model.ClassName, "file-local");
        else if (model.BaseTypeName is { } baseName) Report(Diagnostics.GenericNetwork, model.BaseTypeLocation ?? model.ClassLocation, model.ClassName, $"derived from '{baseName}'");
        foreach (var clash in model.ClashingMembers)
            Report(Diagnostics.ReservedName, clash.Location, clash.Description, NameHints.ClashTarget(clash, model.ClassName), NameHints.ClashFix(clash, model.ClassName));
        if (!model.HasInputShape) Report(Diagnostics.MissingInputShape, model.InputShapeLocation ?? model.AttributeLocation, model.ClassName);
        else if (model.InputShape.Count is < 1 or > 3)
            Report(Diagnostics.InvalidInputShape, model.InputShapeLocation, model.ClassName, Text(model.InputShape.Count),
                // The usual slip: a PyTorch-style shape with the batch axis in front.
                model.InputShape.Count == 4 ? $"; InputShape leaves out the batch axis: if {Text(model.InputShape[0])} is the batch, write InputShape = [{Dims(model.InputShape.Skip(1))}]" : "");
        else if (model.InputShape.Any(d => d <= 0)) Report(Diagnostics.InvalidSize, model.InputShapeLocation, "Every dimension of InputShape", model.ClassName, "positive", "[" + string.Join(", ", model.InputShape) + "]");
        // Every later map is checked after its layer (so Flatten never overflows); the input is the first map.
        else Fits(Product(model.InputShape), "InputShape", model.ClassName, "values per sample", model.InputShapeLocation);
        return diagnostics.Count == 0;
    }

    private List<(MemberModel Member, OpModel Layer)> CheckMembers()
    {
        var layers = new List<(MemberModel, OpModel)>();
        bool unresolved = false;
        var duplicated = model.DuplicatedMemberNames();
        foreach (var member in model.Members)
        {
            // Two members of one name: the compiler reports CS0102 on the user's code; nothing can be generated.
            if (duplicated.Contains(member.Name)) { blockedByCompilerError = true; continue; }
            // The compiler reports the unresolved name (CS0246); GmnGen only adds where to look.
            foreach (var attribute in member.UnresolvedAttributes)
                Report(Diagnostics.UnresolvedName, attribute.Location, "Attribute", attribute.Name, member.Name, NameHints.AttributeHint(attribute.Name));
            if (!member.TypeIsResolved)
                Report(Diagnostics.UnresolvedName, member.TypeLocation, "Type", member.TypeName.Replace("global::", ""), member.Name, NameHints.TypeHint(member.TypeName.Replace("global::", "")));
            if (member.UnresolvedAttributes.Count > 0 || !member.TypeIsResolved) { unresolved = true; continue; }
            if (!member.IsPartialDefinition) { Report(Diagnostics.NotPartial, member.Location, "Property", member.Name, ", without a body, so that the generator can implement it"); continue; }
            if (member.IsStatic || member.HasSetter || !member.HasGetter) { Report(Diagnostics.InvalidProperty, member.Location, member.Name); continue; }
            if (member.HasImplementation) { Report(Diagnostics.AlreadyImplemented, member.Location, member.Name); continue; }
            if (GeneratedMemberNames.Contains(member.Name)) { Report(Diagnostics.ReservedName, member.Location, $"Property '{member.Name}'", $"the member '{member.Name}' GmnGen generates for every network", "rename it"); continue; }
            if (member.HiddenModuleMember is { } hidden) { Report(Diagnostics.ReservedName, member.Location, $"Property '{member.Name}'", $"the member '{hidden}' every network inherits from TorchSharp's Module", "rename it"); continue; }
            var parametric = member.Ops.Where(o => o.Kind.IsParametric()).ToList();
            if (parametric.Count != 1) { Report(Diagnostics.LayerCount, member.Location, member.Name, Text(parametric.Count)); continue; }
            var kind = parametric[0].Kind;
            if (member.TypeMetadataName != kind.ModuleTypeName())
            {
                bool supported = System.Enum.GetValues(typeof(OpKind)).Cast<OpKind>()
                    .Any(k => k.IsParametric() && member.TypeMetadataName == k.ModuleTypeName());
                string typeName = member.TypeName.Replace("global::", "");
                if (supported) Report(Diagnostics.LayerTypeMismatch, member.TypeLocation, member.Name, typeName, kind.ToString(), kind.ModuleTypeName());
                else Report(Diagnostics.UnsupportedLayer, member.TypeLocation, member.Name, typeName);
                continue;
            }
            layers.Add((member, parametric[0]));
        }
        if (diagnostics.Count == 0 && layers.Count == 0 && !unresolved && !blockedByCompilerError) Report(Diagnostics.NoLayers, model.ClassLocation, model.ClassName);
        return layers;
    }

    // ---- layers with parameters -----------------------------------------------------------------

    private bool AddLayer(MemberModel member, OpModel op, string name, bool isLast) => op.Kind switch
    {
        OpKind.Linear => AddLinear(member, op, name, isLast),
        OpKind.Conv1d or OpKind.Conv2d => AddConv(member, op, name, isLast),
        OpKind.BatchNorm1d or OpKind.BatchNorm2d => AddBatchNorm(member, op, name),
        OpKind.GroupNorm => AddGroupNorm(member, op, name),
        OpKind.DeepSets => AddDeepSets(member, op, name, isLast),
        OpKind.PatchEmbed => AddPatchEmbed(member, op, name, isLast),
        OpKind.PositionalEmbedding => AddPositionalEmbedding(member, op, name),
        OpKind.ClassToken => AddClassToken(member, op, name),
        OpKind.SelfAttention => AddSelfAttention(member, op, name, isLast),
        OpKind.InstanceNorm1d or OpKind.InstanceNorm2d => AddInstanceNorm(member, op, name),
        _ => AddLayerNorm(member, op, name),
    };

    private bool AddLinear(MemberModel member, OpModel op, string name, bool isLast)
    {
        if (!Positive(op, "OutFeatures", member.Name, out int outFeatures)) return false;
        if (shape.Length != 1)
            return WrongRank(op, member.Name, "[features]", shape.Length == 2
                ? " (add Flatten or GlobalAvgPool before it, or use Conv1d(Kernel = 1) for a layer applied to each position of a sequence)"
                : " (add Flatten or GlobalAvgPool before it)");
        int inFeatures = shape[0];
        int expected = op.Int("In", 0);
        if (expected != 0 && expected != inFeatures)
        {
            if (flattened is { } f)
                Report(Diagnostics.FlattenSizeMismatch, op.LocationOf("In"), member.Name, Text(expected), Dims(new[] { f.Channels }.Concat(f.Spatial)), Text(inFeatures), Text(f.Channels));
            else
                Report(Diagnostics.LayerSizeMismatch, op.LocationOf("In"), member.Name, Text(expected), "input features", Text(inFeatures));
            return false;
        }
        if (!Fits((long)outFeatures * inFeatures, "Linear", member.Name, "weights", op.Location)
            || !Reserve((long)outFeatures * inFeatures + outFeatures, op.Location)) return false;
        bool bias = op.Flag("Bias", true);
        string field = Field(member);
        AddModule(member, op, name, field, $"{NN}.Linear({inFeatures}, {outFeatures}, hasBias: {Bool(bias)})", bias, norm: false);

        int layer = graph.NextLayer();
        var input = graph.Current;
        var output = graph.Track(graph.AddNodes(outFeatures, layer, "Neuron", ordered: isLast, $"{name} neurons"), name + ".neurons", movable: !isLast);
        int[] kernel = flattened?.Spatial ?? new int[0];
        int weight = graph.AddState(name + ".weight", new[] { outFeatures, inFeatures }, field + ".weight");
        graph.AddEdges(layer, "LinearWeight", input, output, kernel, weight, $"{name}.weight");
        int block = kernel.Aggregate(1, (a, k) => a * k);
        graph.Symmetries.Consumed(input.Set, name + ".weight", block);
        ConsumeCurrent(name + ".weight", block);
        graph.Act(output, name + ".weight", 0);
        graph.Symmetries.Produced(output.Set, name + ".weight", bias ? name + ".bias" : null);
        graph.Current = output;
        if (bias) graph.AddBroadcast(layer, "Bias", "LinearBias", name + ".bias", field + ".bias", output, $"{name}.bias");
        shape = new[] { outFeatures };
        flattened = null;
        return true;
    }

    private bool AddConv(MemberModel member, OpModel op, string name, bool isLast)
    {
        int dims = op.Kind == OpKind.Conv1d ? 1 : 2;
        if (!Positive(op, "OutChannels", member.Name, out int outChannels)) return false;
        if (shape.Length != dims + 1) return WrongRank(op, member.Name, dims == 1 ? "[channels, length]" : "[channels, height, width]", "");
        int inChannels = shape[0];
        int expected = op.Int("In", 0);
        if (expected != 0 && expected != inChannels)
        {
            Report(Diagnostics.LayerSizeMismatch, op.LocationOf("In"), member.Name, Text(expected), "input channels", Text(inChannels));
            return false;
        }
        if (!Window(op, member.Name, member.Name, op.Int("Kernel", 3), op.Int("Stride", 1), op.Int("Padding", 0), op.Int("Dilation", 1), out var spatial))
            return false;
        int k = op.Int("Kernel", 3);
        long weights = SaturatingProduct(outChannels, inChannels, System.Math.Pow(k, dims));
        if (!Fits(weights, op.Kind.ToString(), member.Name, "weights", op.Location) || !Reserve(weights + outChannels, op.Location)) return false;
        bool bias = op.Flag("Bias", true);
        string field = Field(member);
        AddModule(member, op, name, field,
            // Positional stride/padding/dilation: named ones are ambiguous with the Padding-enum overload.
            $"{NN}.{op.Kind}({inChannels}, {outChannels}, {k}, {op.Int("Stride", 1)}, {op.Int("Padding", 0)}, {op.Int("Dilation", 1)}, bias: {Bool(bias)})",
            bias, norm: false);

        int layer = graph.NextLayer();
        var input = graph.Current;
        var output = graph.Track(graph.AddNodes(outChannels, layer, "Channel", ordered: isLast, $"{name} channels"), name + ".channels", movable: !isLast);
        var kernel = Enumerable.Repeat(k, dims).ToArray();
        int weight = graph.AddState(name + ".weight", new[] { outChannels, inChannels }.Concat(kernel).ToArray(), field + ".weight");
        graph.AddEdges(layer, "ConvWeight", input, output, kernel, weight, $"{name}.weight");
        graph.Symmetries.Consumed(input.Set, name + ".weight", 1);
        ConsumeCurrent(name + ".weight", 1);
        graph.Act(output, name + ".weight", 0);
        graph.Symmetries.Produced(output.Set, name + ".weight", bias ? name + ".bias" : null);
        graph.Current = output;
        if (bias) graph.AddBroadcast(layer, "ChannelBias", "ConvBias", name + ".bias", field + ".bias", output, $"{name}.bias");
        shape = new[] { outChannels }.Concat(spatial).ToArray();
        return true;
    }

    private bool AddBatchNorm(MemberModel member, OpModel op, string name)
    {
        bool twoD = op.Kind == OpKind.BatchNorm2d;
        if (twoD ? shape.Length != 3 : shape.Length is not (1 or 2))
            return WrongRank(op, member.Name, twoD ? "[channels, height, width]" : "[features] or [channels, length]", "");
        if (!CheckNormInput(member, op, "Features", "channels")) return false;
        if (!Eps(op, member.Name) || !Fraction(op, "Momentum", member.Name, 0.1, inclusiveOne: true)) return false;
        int channels = shape[0];
        string field = Field(member);
        // BatchNormForward is TorchSharp's forward without its implicit Scalars (see its remarks).
        AddModule(member, op, name, field,
            $"{NN}.{op.Kind}({channels}, eps: {Real(op.Real("Eps", 1e-5))}, momentum: {Real(op.Real("Momentum", 0.1))})", bias: true, norm: true,
            $"x = global::GmnGen.Modules.BatchNormForward.Apply({field}, x);");
        int layer = graph.NextLayer();
        var target = graph.Current;
        graph.AddBroadcast(layer, "BatchNormWeight", "BatchNormWeight", name + ".weight", field + ".weight", target, $"{name}.weight");
        graph.AddBroadcast(layer, "BatchNormBias", "BatchNormBias", name + ".bias", field + ".bias", target, $"{name}.bias");
        graph.AddBroadcast(layer, "BatchNormRunningMean", "BatchNormRunningMean", name + ".running_mean", field + ".running_mean", target, $"{name}.running_mean", isBuffer: true);
        graph.AddBroadcast(layer, "BatchNormRunningVar", "BatchNormRunningVar", name + ".running_var", field + ".running_var", target, $"{name}.running_var", isBuffer: true);
        return true;
    }

    private bool AddLayerNorm(MemberModel member, OpModel op, string name)
    {
        if (!CheckNormInput(member, op, "Features", shape.Length == 1 ? "features" : "channels")) return false;
        if (!Eps(op, member.Name)) return false;
        int features = shape[0];
        string field = Field(member);
        // On a map, normalise each position over its channels (channels-last LayerNorm, as ConvNeXt):
        // one parameter per channel, so the channel symmetry survives.
        string statement = shape.Length == 1 ? $"x = {field}.forward(x);" : $"x = {field}.forward(x.movedim(new long[] {{ 1 }}, new long[] {{ -1 }})).movedim(new long[] {{ -1 }}, new long[] {{ 1 }});";
        AddModule(member, op, name, field, $"{NN}.LayerNorm({features}, eps: {Real(op.Real("Eps", 1e-5))})", bias: true, norm: false, statement);
        int layer = graph.NextLayer();
        var target = graph.Current;
        graph.AddBroadcast(layer, "LayerNormWeight", "LayerNormWeight", name + ".weight", field + ".weight", target, $"{name}.weight");
        graph.AddBroadcast(layer, "LayerNormBias", "LayerNormBias", name + ".bias", field + ".bias", target, $"{name}.bias");
        return true;
    }

    private bool AddGroupNorm(MemberModel member, OpModel op, string name)
    {
        if (!Positive(op, "Groups", member.Name, out int groups)) return false;
        if (!CheckNormInput(member, op, "Features", "channels") || !Eps(op, member.Name)) return false;
        int channels = shape[0];
        if (channels % groups != 0)
        {
            Report(Diagnostics.GroupsDoNotDivide, op.LocationOf("Groups"), member.Name, Text(groups), Text(channels), Divisors(channels));
            return false;
        }
        string field = Field(member);
        // TorchSharp's GroupNorm wants a spatial axis: give [features] a length of 1. It also leaves the
        // affine parameters uninitialised: GroupNormInit gives them PyTorch's 1 and 0.
        AddModule(member, op, name, field,
            $"global::GmnGen.Modules.GroupNormInit.Reset({NN}.GroupNorm({groups}, {channels}, eps: {Real(op.Real("Eps", 1e-5))}))", bias: true, norm: false,
            shape.Length == 1 ? $"x = {field}.forward(x.unsqueeze(-1)).squeeze(-1);" : null);
        int layer = graph.NextLayer();
        var target = graph.Current;
        // One node per group and parameter vector: the graph then knows which channels share a
        // group, so its automorphisms move channels only within a group or whole groups at once.
        var weights = graph.AddGrouped(layer, "GroupNormWeight", "GroupNormWeight", name + ".weight", field + ".weight", target, groups, $"{name}.weight");
        var biases = graph.AddGrouped(layer, "GroupNormBias", "GroupNormBias", name + ".bias", field + ".bias", target, groups, $"{name}.bias");
        if (target.Set >= 0) graph.Symmetries.Partition(target.Set, groups, new[] { weights, biases });
        return true;
    }

    private bool AddInstanceNorm(MemberModel member, OpModel op, string name)
    {
        bool twoD = op.Kind == OpKind.InstanceNorm2d;
        if (shape.Length != (twoD ? 3 : 2))
            return WrongRank(op, member.Name, twoD ? "[channels, height, width]" : "[channels, length]", "");
        if (!CheckNormInput(member, op, "Features", "channels") || !Eps(op, member.Name)) return false;
        int channels = shape[0];
        bool affine = op.Flag("Affine", false);
        string field = Field(member);
        AddModule(member, op, name, field, $"{NN}.{op.Kind}({channels}, eps: {Real(op.Real("Eps", 1e-5))}, affine: {Bool(affine)})", bias: affine, norm: false, weight: affine);
        if (!affine) return true; // no parameters: nothing in the graph, and every channel permutation commutes with it
        int layer = graph.NextLayer();
        var target = graph.Current;
        graph.AddBroadcast(layer, "InstanceNormWeight", "InstanceNormWeight", name + ".weight", field + ".weight", target, $"{name}.weight");
        graph.AddBroadcast(layer, "InstanceNormBias", "InstanceNormBias", name + ".bias", field + ".bias", target, $"{name}.bias");
        return true;
    }

    /// <summary>Norm layers hold one parameter per node: they cannot follow Flatten of a spatial map,
    /// where features outnumber the channel nodes.</summary>
    private bool CheckNormInput(MemberModel member, OpModel op, string argument, string noun)
    {
        if (flattened is not null)
            return WrongRank(op, member.Name, "per-channel features", " after Flatten of a spatial map (normalise before Flatten, or pool with GlobalAvgPool)");
        int expected = op.Int(argument, 0);
        if (expected != 0 && expected != shape[0])
        {
            Report(Diagnostics.LayerSizeMismatch, op.LocationOf(argument), member.Name, Text(expected), noun, Text(shape[0]));
            return false;
        }
        return true;
    }

    /// <summary>The next layer reads the current nodes: their open group acts on its input axis.</summary>
    private void ConsumeCurrent(string weight, int block)
    {
        graph.Act(graph.Current, weight, 1, block);
        inputIsNodes = false;
    }

    private void AddModule(MemberModel member, OpModel op, string name, string field, string constructor, bool bias, bool norm, string? statement = null, bool weight = true, string? secondWeight = null, IEnumerable<string>? stateNames = null)
    {
        var state = new List<string>();
        if (weight) state.Add(name + ".weight");
        if (secondWeight is not null) state.Add(name + "." + secondWeight);
        if (bias) state.Add(name + ".bias");
        if (norm) { state.Add(name + ".running_mean"); state.Add(name + ".running_var"); }
        if (stateNames is not null) { state.Clear(); state.AddRange(stateNames.Select(s => name + "." + s)); }
        modules.Add(new ModuleSpec(member.Name, field, name, member.TypeName, member.Accessibility + member.Modifiers, op.Kind, constructor, state.ToEquatableArray()));
        // x is the module's input: ForwardObserved hands it to its observer under the state name.
        steps.Add(new StepSpec(statement ?? $"x = {field}.forward(x);", "", Observed: name));
    }

    // ---- parameter-free operations --------------------------------------------------------------

    private bool AddOperation(MemberModel member, OpModel op, IEnumerable<string> earlier)
    {
        switch (op.Kind)
        {
            case OpKind.Residual: return AddResidual(member, op, earlier);
            case OpKind.Shortcut: return BeginShortcut(member, op, earlier);
            case OpKind.AddShortcut: return AddShortcut(member, op);
            case OpKind.ReLU: return Activation($"{F}.relu(x)", "ReLU");
            case OpKind.LeakyReLU:
                if (!Finite(op, "NegativeSlope", member.Name, 0.01)) return false;
                // Tensor.leaky_relu takes the slope as a Scalar; functional.leaky_relu would make it implicitly.
                return Activation($"x.leaky_relu(global::GmnGen.Runtime.Scalars.Of({Real(op.Real("NegativeSlope", 0.01))}))", "LeakyReLU");
            case OpKind.GELU: return Activation($"{F}.gelu(x)", "GELU");
            case OpKind.SiLU: return Activation($"{F}.silu(x)", "SiLU");
            case OpKind.Tanh: return Activation($"{F}.tanh(x)", "Tanh");
            case OpKind.Sigmoid: return Activation($"{F}.sigmoid(x)", "Sigmoid");
            case OpKind.Dropout:
                if (!Fraction(op, "P", member.Name, 0.5, inclusiveOne: false)) return false;
                return Step($"x = {F}.dropout(x, {Real(op.Real("P", 0.5))}, training);");
            case OpKind.FirstToken:
                // ViT's readout of the class token: token 0 of every channel.
                if (shape.Length != 2) return WrongRank(op, member.Name, "[width, tokens]", "");
                shape = new[] { shape[0] };
                return Step("x = x.select(2, 0);");
            case OpKind.SinusoidalPositions:
                if (shape.Length != 2) return WrongRank(op, member.Name, "[width, tokens]", "");
                // A fixed signal of its own on every channel: the stream's channels stop being
                // interchangeable, so its permutation group is no symmetry any more (nor its scalings).
                graph.Symmetries.Fix(graph.Current.Set);
                return Step($"x = x.add(global::GmnGen.Runtime.SinusoidalEncoding.Of({shape[0]}, {shape[1]}, x), {ScalarOne});");
            case OpKind.Dropout1d or OpKind.Dropout2d:
                // Whole channels are dropped: a channel's mask is shared by its positions, so every symmetry holds.
                int dims = op.Kind == OpKind.Dropout1d ? 1 : 2;
                if (shape.Length != dims + 1) return WrongRank(op, member.Name, dims == 1 ? "[channels, length]" : "[channels, height, width]", "");
                if (!Fraction(op, "P", member.Name, 0.5, inclusiveOne: false)) return false;
                return Step($"x = {F}.{(dims == 1 ? "dropout1d" : "dropout2d")}(x, {Real(op.Real("P", 0.5))}, training);");
            case OpKind.Flatten:
                if (shape.Length > 1)
                {
                    if (!inputIsNodes || graph.Current.Count != Product(shape)) flattened = (shape[0], shape.Skip(1).ToArray());
                    shape = new[] { (int)Product(shape) };
                }
                return Step("x = x.flatten(1);");
            case OpKind.GlobalAvgPool:
                if (shape.Length < 2) return WrongRank(op, member.Name, "[channels, length] or [channels, height, width]", "");
                string axes = shape.Length == 2 ? "2" : "2, 3";
                shape = new[] { shape[0] };
                return Step($"x = x.mean(new long[] {{ {axes} }});");
            default: return AddPool(member, op);
        }
    }

    private bool AddPool(MemberModel member, OpModel op)
    {
        string label = member.Name + " " + op.Kind; // the property names the layer, not the pool
        int dims = op.Kind is OpKind.MaxPool1d or OpKind.AvgPool1d ? 1 : 2;
        if (shape.Length != dims + 1) return WrongRank(op, member.Name, dims == 1 ? "[channels, length]" : "[channels, height, width]", "");
        int kernel = op.Int("Kernel", 1);
        int stride = op.Int("Stride", 0) == 0 && op.Find("Stride") is null ? kernel : op.Int("Stride", 0);
        int padding = op.Int("Padding", 0);
        if (kernel > 0 && padding * 2L > kernel)
        {
            Report(Diagnostics.InvalidSize, op.LocationOf("Padding"), "Padding", label, "at most half the kernel (" + Text(kernel / 2) + ")", Text(padding));
            return false;
        }
        if (!Window(op, member.Name, label, kernel, stride, padding, 1, out var spatial)) return false;
        shape = new[] { shape[0] }.Concat(spatial).ToArray();
        string function = op.Kind.ToString().ToLowerInvariant().Replace("pool", "_pool");
        return Step($"x = {F}.{function}(x, {kernel}, stride: {stride}, padding: {padding});");
    }

    /// <summary>Tells the symmetry builder what <paramref name="op"/> does to the units it is about to
    /// read: only these steps can lie between a unit's layer and its readers for a scaling to hold.</summary>
    private void NoteForScaling(OpModel op, string stateName)
    {
        var step = op.Kind switch
        {
            OpKind.Linear or OpKind.Conv1d or OpKind.Conv2d => (ChannelStep?)null,   // recorded as a reader by the layer
            OpKind.BatchNorm1d or OpKind.BatchNorm2d => ChannelStep.BatchNorm,
            OpKind.ReLU or OpKind.LeakyReLU => ChannelStep.PositivelyHomogeneous,
            OpKind.Tanh => ChannelStep.Odd,
            OpKind.GELU or OpKind.SiLU or OpKind.Sigmoid => ChannelStep.OtherActivation,
            OpKind.Dropout or OpKind.Dropout1d or OpKind.Dropout2d or OpKind.FirstToken or OpKind.Flatten or OpKind.GlobalAvgPool or OpKind.AvgPool1d or OpKind.AvgPool2d => ChannelStep.Linear,
            OpKind.MaxPool1d or OpKind.MaxPool2d => ChannelStep.MaxPool,
            _ => ChannelStep.Other,
        };
        if (step is { } s) graph.Symmetries.Passed(graph.Current.Set, s, stateName);
    }

    private bool Activation(string call, string kind)
    {
        graph.SetActivation(graph.Current, kind);
        return Step($"x = {call};");
    }

    private bool Step(string statement)
    {
        steps.Add(new StepSpec(statement, ""));
        return true;
    }

    private void FillShape() => steps[steps.Count - 1] = steps[steps.Count - 1] with { ShapeAfter = Dims(shape) };

    // ---- shared checks ----------------------------------------------------------------------------

    /// <summary>Checks a sliding window (convolution or pooling) and computes its output extent.</summary>
    /// <param name="label">Names the operation in size messages ("Conv1 MaxPool2d" for a pool on Conv1).</param>
    private bool Window(OpModel op, string member, string label, int kernel, int stride, int padding, int dilation, out int[] spatial)
    {
        spatial = new int[0];
        if (!Positive(op, "Kernel", label, out _, kernel) || !Positive(op, "Stride", label, out _, stride) || !Positive(op, "Dilation", label, out _, dilation))
            return false;
        if (padding < 0)
        {
            Report(Diagnostics.InvalidSize, op.LocationOf("Padding"), "Padding", label, "zero or positive", Text(padding));
            return false;
        }
        long span = (long)dilation * (kernel - 1) + 1;
        var result = new int[shape.Length - 1];
        for (int d = 1; d < shape.Length; d++)
        {
            long padded = shape[d] + 2L * padding;
            if (padded < span)
            {
                Report(Diagnostics.KernelTooLarge, op.LocationOf("Kernel"), op.Kind.ToString(), member, Text(kernel), Text(dilation), Text(span), Text(shape[d]), Text(padded), Text(padding));
                return false;
            }
            long extent = (padded - span) / stride + 1;
            if (!Fits(extent, op.Kind.ToString(), member, "positions", op.Location)) return false;
            result[d - 1] = (int)extent;
        }
        spatial = result;
        return true;
    }

    private bool Positive(OpModel op, string argument, string member, out int value, int? given = null)
    {
        value = given ?? op.Int(argument, 0);
        if (value > 0) return true;
        Report(Diagnostics.InvalidSize, op.LocationOf(argument), argument, member, "positive", Text(value));
        return false;
    }

    private bool Eps(OpModel op, string member)
    {
        double eps = op.Real("Eps", 1e-5);
        if (eps > 0 && !double.IsInfinity(eps)) return true;
        Report(Diagnostics.InvalidSize, op.LocationOf("Eps"), "Eps", member, "positive and finite", Real(eps));
        return false;
    }

    private bool Finite(OpModel op, string argument, string member, double fallback)
    {
        double value = op.Real(argument, fallback);
        if (!double.IsNaN(value) && !double.IsInfinity(value)) return true;
        Report(Diagnostics.InvalidSize, op.LocationOf(argument), argument, member, "finite", Real(value));
        return false;
    }

    private bool Fraction(OpModel op, string argument, string member, double fallback, bool inclusiveOne)
    {
        double value = op.Real(argument, fallback);
        if (value >= 0 && (inclusiveOne ? value <= 1 : value < 1)) return true;
        Report(Diagnostics.InvalidSize, op.LocationOf(argument), argument, member, inclusiveOne ? "in [0, 1]" : "in [0, 1)", Real(value));
        return false;
    }

    private bool WrongRank(OpModel op, string member, string expected, string hint)
    {
        Report(Diagnostics.WrongInputRank, op.Location, op.Kind.ToString(), member, expected, Dims(shape), hint);
        return false;
    }

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        diagnostics.Add(new DiagnosticInfo(descriptor.Id, location, arguments.ToEquatableArray()));

    private static string Field(MemberModel member) => "__" + member.Name; // names containing "__" are reserved to generators
    /// <summary>The divisors of <paramref name="n"/> for a message ("1, 2, 4, 8").</summary>
    private static string Divisors(int n)
    {
        // Pairs up to the square root: counting to n took half a minute for n near int.MaxValue.
        var divisors = new SortedSet<int>();
        for (int d = 1; (long)d * d <= n; d++)
            if (n % d == 0) { divisors.Add(d); divisors.Add(n / d); }
        return string.Join(", ", divisors.Take(12).Select(d => Text(d)));
    }
    /// <summary>The product, or long.MaxValue when it does not fit (then <see cref="Fits"/> rejects it instead of wrapping round).</summary>
    private static long SaturatingProduct(params double[] factors)
    {
        double product = factors.Aggregate(1.0, (a, f) => a * f);
        return product >= long.MaxValue ? long.MaxValue : (long)product;
    }
    private static long Product(IEnumerable<int> dims) => SaturatingProduct(dims.Select(d => (double)d).ToArray());

    private bool Reserve(long values, LocationInfo? location) =>
        graph.Reserve(values) || Fits(graph.ReservedValues, "network", model.ClassName, "values in all", location);

    /// <summary>Sizes are ints in TorchSharp's constructors and in the graph layout: refuse what does not fit.</summary>
    private bool Fits(long count, string what, string owner, string noun, LocationInfo? location)
    {
        if (count <= int.MaxValue) return true;
        Report(Diagnostics.TooLarge, location, what, owner, count == long.MaxValue ? "more than 9,223,372,036,854,775,807" : count.ToString("N0", CultureInfo.InvariantCulture), noun);
        return false;
    }
    private static string Dims(IEnumerable<int> dims) => string.Join(", ", dims.Select(d => Text(d)));
    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
    private static string Bool(bool value) => value ? "true" : "false";
    private static string Real(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "+infinity" : "-infinity";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains(".") || text.Contains("E") ? text : text + ".0";
    }
}
