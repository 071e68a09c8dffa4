using System.Collections.Generic;
using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

// Transformer pieces over a sequence [width, tokens]: patch embedding, learned positional
// embedding and multi-head self-attention (see docs/graph-encoding.md for their graphs).
internal sealed partial class NetworkBuilder
{
    private bool AddPatchEmbed(MemberModel member, OpModel op, string name, bool isLast)
    {
        if (!Positive(op, "OutChannels", member.Name, out int outChannels) || !Positive(op, "Patch", member.Name, out int patch, op.Int("Patch", 4))) return false;
        if (shape.Length != 3) return WrongRank(op, member.Name, "[channels, height, width]", "");
        int inChannels = shape[0];
        int expected = op.Int("In", 0);
        if (expected != 0 && expected != inChannels)
        {
            Report(Diagnostics.LayerSizeMismatch, op.LocationOf("In"), member.Name, Text(expected), "input channels", Text(inChannels));
            return false;
        }
        if (shape[1] % patch != 0 || shape[2] % patch != 0)
        {
            int common = Gcd(shape[1], shape[2]);
            Report(Diagnostics.PatchDoesNotFit, op.LocationOf("Patch"), member.Name, Text(patch), Dims(shape.Skip(1)), Text(common), Divisors(common));
            return false;
        }
        long weights = SaturatingProduct(outChannels, inChannels, patch, patch);
        if (!Fits(weights, "PatchEmbed", member.Name, "weights", op.Location) || !Reserve(weights + outChannels, op.Location)) return false;
        bool bias = op.Flag("Bias", true);
        string field = Field(member);
        AddModule(member, op, name, field, $"{NN}.Conv2d({inChannels}, {outChannels}, {patch}, {patch}, 0, 1, bias: {Bool(bias)})", bias, norm: false,
            $"x = {field}.forward(x).flatten(2);");

        int layer = graph.NextLayer();
        var output = graph.Track(graph.AddNodes(outChannels, layer, "Channel", ordered: isLast, $"{name} channels"), name + ".channels", movable: !isLast);
        int weight = graph.AddState(name + ".weight", new[] { outChannels, inChannels, patch, patch }, field + ".weight");
        graph.AddEdges(layer, "ConvWeight", graph.Current, output, new[] { patch, patch }, weight, $"{name}.weight");
        ConsumeCurrent(name + ".weight", 1);
        graph.Act(output, name + ".weight", 0);
        graph.Current = output;
        if (bias) graph.AddBroadcast(layer, "ChannelBias", "ConvBias", name + ".bias", field + ".bias", output, $"{name}.bias");
        shape = new[] { outChannels, shape[1] / patch * (shape[2] / patch) };
        return true;
    }

    private bool AddPositionalEmbedding(MemberModel member, OpModel op, string name)
    {
        if (shape.Length != 2) return WrongRank(op, member.Name, "[width, tokens]", "");
        int width = shape[0], tokens = shape[1];
        int expected = op.Int("Length", 0);
        if (expected != 0 && expected != tokens)
        {
            Report(Diagnostics.LayerSizeMismatch, op.LocationOf("Length"), member.Name, Text(expected), "positions", Text(tokens));
            return false;
        }
        if (!Reserve((long)width * tokens, op.Location)) return false;
        string field = Field(member);
        AddModule(member, op, name, field, $"new global::GmnGen.Modules.PositionalEmbedding({width}, {tokens})", bias: false, norm: false);
        int layer = graph.NextLayer();
        // Positions are told apart by their index (ordered), like network inputs: a token's place
        // in the sequence is not interchangeable.
        var positions = graph.AddNodes(tokens, layer, "Position", ordered: true, $"{name} positions");
        int weight = graph.AddState(name + ".weight", new[] { width, tokens }, field + ".weight");
        graph.AddEdges(layer, "PositionalEmbedding", positions, graph.Current, new int[0], weight, $"{name}.weight");
        graph.Act(graph.Current, name + ".weight", 0);
        return true;
    }

    private bool AddClassToken(MemberModel member, OpModel op, string name)
    {
        if (shape.Length != 2) return WrongRank(op, member.Name, "[width, tokens]", "");
        int width = shape[0];
        if (!Fits((long)shape[1] + 1, "ClassToken", member.Name, "tokens", op.Location) || !Reserve(width, op.Location)) return false;
        string field = Field(member);
        AddModule(member, op, name, field, $"new global::GmnGen.Modules.ClassToken({width})", bias: false, norm: false);
        // One node of its own with an edge to every channel (value: the token's entry there), like a
        // bias vector; permuting the stream's channels permutes the token with them.
        int layer = graph.NextLayer();
        graph.AddBroadcast(layer, "ClassToken", "ClassToken", name + ".weight", field + ".weight", graph.Current, $"{name}.weight");
        shape = new[] { width, shape[1] + 1 };
        return true;
    }

    private bool AddSelfAttention(MemberModel member, OpModel op, string name, bool isLast)
    {
        if (!Positive(op, "Heads", member.Name, out int heads)) return false;
        if (shape.Length != 2) return WrongRank(op, member.Name, "[width, tokens]", "");
        int width = shape[0];
        if (width % heads != 0)
        {
            Report(Diagnostics.HeadsDoNotDivide, op.LocationOf("Heads"), member.Name, Text(heads), Text(width), Divisors(width));
            return false;
        }
        if (!Fits(4L * width * width, "SelfAttention", member.Name, "weights", op.Location) || !Reserve(4L * width * width + 4L * width, op.Location)) return false;
        bool bias = op.Flag("Bias", true);
        string field = Field(member);
        var stateNames = bias ? new[] { "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias" } : new[] { "in_proj_weight", "out_proj.weight" };
        AddModule(member, op, name, field, $"new global::GmnGen.Modules.SelfAttention({width}, {heads}, hasBias: {Bool(bias)})", bias, norm: false, stateNames: stateNames);

        int d = width, head = width / heads, layer = graph.NextLayer();
        string inWeight = name + ".in_proj_weight", inBias = name + ".in_proj_bias", outWeight = name + ".out_proj.weight";
        var input = graph.Current;
        // One node per head joined to its query/key and value nodes: the heads are what makes
        // dimensions of different heads non-interchangeable in the graph.
        var headNodes = graph.AddNodes(heads, layer, "AttentionHead", ordered: false, $"{name} heads");
        // Query and key share nodes: dimension j of a head's query meets dimension j of its key.
        var qk = graph.AddNodes(d, layer, "AttentionQueryKey", ordered: false, $"{name} query/key dimensions");
        var v = graph.AddNodes(d, layer, "AttentionValue", ordered: false, $"{name} value dimensions");
        int w = graph.AddState(inWeight, new[] { 3 * d, d }, field + ".in_proj_weight");
        graph.AddEdges(layer, "AttentionQuery", input, qk, new int[0], w, $"{inWeight} (query)");
        graph.AddEdges(layer, "AttentionKey", input, qk, new int[0], w, $"{inWeight} (key)", within: d * d);
        graph.AddEdges(layer, "AttentionValue", input, v, new int[0], w, $"{inWeight} (value)", within: 2 * d * d);
        ConsumeCurrent(inWeight, 1);
        if (bias)
        {
            var biasNode = graph.AddNodes(1, layer, "AttentionBias", ordered: false, inBias);
            int b = graph.AddState(inBias, new[] { 3 * d }, field + ".in_proj_bias");
            graph.AddEdges(layer, "AttentionQueryBias", biasNode, qk, new int[0], b, $"{inBias} (query)");
            graph.AddEdges(layer, "AttentionKeyBias", biasNode, qk, new int[0], b, $"{inBias} (key)", within: d);
            graph.AddEdges(layer, "AttentionValueBias", biasNode, v, new int[0], b, $"{inBias} (value)", within: 2 * d);
        }
        for (int h = 0; h < heads; h++)
        {
            var one = new NodeRange(headNodes.Start + h, 1, headNodes.Block);
            graph.AddEdges(layer, "AttentionHead", one, new NodeRange(qk.Start + h * head, head, qk.Block), new int[0], -1, $"{name} head {h}");
            graph.AddEdges(layer, "AttentionHead", one, new NodeRange(v.Start + h * head, head, v.Block), new int[0], -1, $"{name} head {h}");
        }
        var output = graph.Track(graph.AddNodes(d, layer, "Channel", ordered: isLast, $"{name} outputs"), name + ".outputs", movable: !isLast);
        int o = graph.AddState(outWeight, new[] { d, d }, field + ".out_proj.weight");
        graph.AddEdges(layer, "AttentionOutput", v, output, new int[0], o, outWeight);
        graph.Act(output, outWeight, 0);
        graph.Current = output;
        if (bias) graph.AddBroadcast(layer, "AttentionBias", "AttentionOutputBias", name + ".out_proj.bias", field + ".out_proj.bias", output, name + ".out_proj.bias");
        AddAttentionGroups(name, heads, head, d, headNodes, qk, v, bias);
        return true;
    }

    /// <summary>
    /// The symmetries of attention: inside each head, query/key dimensions jointly (scores are
    /// sums over them) and value dimensions with the output projection's columns; and the heads
    /// as whole blocks. Mixing dimensions of different heads is none.
    /// </summary>
    private void AddAttentionGroups(string name, int heads, int head, int d, NodeRange headNodes, NodeRange qk, NodeRange v, bool bias)
    {
        string inWeight = name + ".in_proj_weight", inBias = name + ".in_proj_bias", outWeight = name + ".out_proj.weight";
        IEnumerable<AxisSpec> Rows(int offset, int block)
        {
            yield return new AxisSpec(inWeight, 0, block, offset);
            if (bias) yield return new AxisSpec(inBias, 0, block, offset);
        }
        for (int h = 0; h < heads; h++)
        {
            int first = h * head;
            graph.Symmetries.AddGroup(new GroupSpec($"{name}.head{h}.query_key", head,
                new[] { new NodeRunSpec(qk.Start + first, 1) }.ToEquatableArray(),
                Rows(first, 1).Concat(Rows(d + first, 1)).ToEquatableArray()));
            graph.Symmetries.AddGroup(new GroupSpec($"{name}.head{h}.value", head,
                new[] { new NodeRunSpec(v.Start + first, 1) }.ToEquatableArray(),
                Rows(2 * d + first, 1).Append(new AxisSpec(outWeight, 1, 1, first)).ToEquatableArray()));
        }
        graph.Symmetries.AddGroup(new GroupSpec($"{name}.heads", heads,
            new[] { new NodeRunSpec(headNodes.Start, 1), new NodeRunSpec(qk.Start, head), new NodeRunSpec(v.Start, head) }.ToEquatableArray(),
            Rows(0, head).Concat(Rows(d, head)).Concat(Rows(2 * d, head)).Append(new AxisSpec(outWeight, 1, head)).ToEquatableArray()));
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
