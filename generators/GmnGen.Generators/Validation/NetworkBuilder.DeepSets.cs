using System.Linq;
using GmnGen.Generators.Model;

namespace GmnGen.Generators.Validation;

// DeepSets: y_i = W x_i + P mean_j(x_j) + b over a set [features, elements]. The official code
// lands W and P as indistinguishable parallel edges; here they are two edge types, so the metanet
// can tell the elementwise weight from the pooled one.
internal sealed partial class NetworkBuilder
{
    private bool AddDeepSets(MemberModel member, OpModel op, string name, bool isLast)
    {
        if (!Positive(op, "OutFeatures", member.Name, out int outFeatures)) return false;
        if (shape.Length != 2) return WrongRank(op, member.Name, "[features, elements]", "");
        int inFeatures = shape[0];
        int expected = op.Int("In", 0);
        if (expected != 0 && expected != inFeatures)
        {
            Report(Diagnostics.LayerSizeMismatch, op.LocationOf("In"), member.Name, Text(expected), "input features", Text(inFeatures));
            return false;
        }
        if (!Fits(2L * outFeatures * inFeatures, "DeepSets", member.Name, "weights", op.Location)
            || !Reserve(2L * outFeatures * inFeatures + outFeatures, op.Location)) return false;
        bool bias = op.Flag("Bias", true);
        string field = Field(member);
        AddModule(member, op, name, field, $"new global::GmnGen.Modules.DeepSets({inFeatures}, {outFeatures}, hasBias: {Bool(bias)})", bias, norm: false, secondWeight: "pooled_weight");

        int layer = graph.NextLayer();
        var input = graph.Current;
        var output = graph.Track(graph.AddNodes(outFeatures, layer, "Channel", ordered: isLast, $"{name} features"), name + ".features", movable: !isLast);
        int weight = graph.AddState(name + ".weight", new[] { outFeatures, inFeatures }, field + ".weight");
        int pooled = graph.AddState(name + ".pooled_weight", new[] { outFeatures, inFeatures }, field + ".pooled_weight");
        graph.AddEdges(layer, "DeepSetsWeight", input, output, new int[0], weight, $"{name}.weight");
        graph.AddEdges(layer, "DeepSetsPooledWeight", input, output, new int[0], pooled, $"{name}.pooled_weight");
        graph.Act(input, name + ".weight", 1);
        graph.Act(input, name + ".pooled_weight", 1);
        inputIsNodes = false;
        graph.Act(output, name + ".weight", 0);
        graph.Act(output, name + ".pooled_weight", 0);
        graph.Current = output;
        if (bias) graph.AddBroadcast(layer, "ChannelBias", "DeepSetsBias", name + ".bias", field + ".bias", output, $"{name}.bias");
        shape = new[] { outFeatures, shape[1] };
        return true;
    }
}
