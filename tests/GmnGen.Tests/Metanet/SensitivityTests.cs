using System;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Graphs;
using GmnGen.Metanet;
using GmnGen.Symmetries;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// The negative control of the invariance tests. Breaking a symmetry, i.e. permuting only one side
/// of each group (a neuron's incoming weights re-paired with another neuron's bias and outgoing
/// weights), gives a graph that is not a relabelling of the original. A metanet that sees edge
/// values must change its output by clearly more than the invariance tolerance, while a real
/// automorphism still changes it by less: otherwise an invariance test at that tolerance proves
/// nothing. A metanet blind to edge values fails this control.
/// </summary>
/// <remarks>
/// Mean aggregation makes a freshly initialised GMN only weakly sensitive to such re-pairings (a
/// hidden neuron of ImageMlp averages 785 incoming messages), so the metanet here is high-gain
/// (every linear map ×4, live residuals, reverse edges, 16 outputs compared by their largest
/// change). Observed for metanet seed 7: the smallest change from a broken symmetry is 1.5e-3
/// (ImageMlp), the largest from an automorphism 1.05e-5 (ImageMlp again: its outputs reach ~11, and
/// float32 rounding grows with them); the others stay below 5.3e-6.
/// </remarks>
public class SensitivityTests
{
    private const double InvarianceTolerance = 3e-5;
    private const double ClearlyChanged = 3e-4;

    private static readonly GmnConfig Config = Small with { ReverseEdges = true, Outputs = 16 };
    private static readonly Lazy<GraphMetanet> Sensitive = new(CreateSensitive);
    private static readonly Lazy<GraphMetanet> Blind = new(() => BlindToEdgeValues(CreateSensitive()));

    /// <summary>A fresh copy of the control metanet (deterministic), also run by InvarianceTests.</summary>
    internal static GraphMetanet CreateSensitive() => CreateMetanet(Config, seed: 7, gain: 4.0);

    public enum Side { Incoming, Outgoing }

    public static TheoryData<string, Side> Cases()
    {
        var data = new TheoryData<string, Side>();
        foreach (var name in Catalogue.Networks.Keys)
            foreach (var side in Enum.GetValues<Side>()) data.Add(name, side);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Breaking_the_symmetry_groups_changes_the_output_clearly_while_an_automorphism_does_not(string name, Side side)
    {
        var (automorphism, broken) = Changes(Sensitive.Value, name, side);
        Assert.True(automorphism < InvarianceTolerance,
            $"{name}: a real automorphism changed the output by {automorphism:E2} (tolerance {InvarianceTolerance:E0})");
        Assert.True(broken > ClearlyChanged,
            $"{name}: permuting only the {side.ToString().ToLowerInvariant()} side of every group changed the output by only {broken:E2}, not clearly more than {ClearlyChanged:E0}: the invariance tests at {InvarianceTolerance:E0} would not notice a metanet that mixes up neurons");
    }

    [Theory]
    [InlineData("TinyMlp")]
    [InlineData("BatchNormCnn")]
    [InlineData("RowCnn")]
    public void A_metanet_blind_to_edge_values_fails_the_control(string name)
    {
        // Breaking a group only moves edge values: a metanet that ignores them cannot tell, so the
        // control above would reject it (and an invariance test alone would happily pass it).
        foreach (var side in Enum.GetValues<Side>())
        {
            var (_, broken) = Changes(Blind.Value, name, side);
            Assert.True(broken <= ClearlyChanged / 100,
                $"{name}: the blind metanet's output changed by {broken:E2} when the {side} side was broken; the blinding in this test is wrong");
        }
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void Numbering_the_hidden_neurons_would_make_the_metanet_see_an_automorphism(string name)
    {
        // The other way a metanet can fail to be invariant: hidden neurons with an identity. Giving
        // every node its index as its "order" feature (hidden neurons normally carry -1) makes the
        // permuted network look different, by clearly more than the invariance tolerance.
        var net = Network(name, seed: 5);
        var before = net.ToParameterGraph();
        net.Symmetries.ApplyRandom((nn.Module)net, new Generator(3));
        var after = net.ToParameterGraph();
        var change = MaxAbsDifference(WithNumberedNodes(Sensitive.Value, after), WithNumberedNodes(Sensitive.Value, before));
        Assert.True(change > ClearlyChanged, $"{name}: with numbered hidden neurons an automorphism changed the output by only {change:E2}");
    }

    private static Tensor WithNumberedNodes(GraphMetanet metanet, ParameterGraph graph)
    {
        using var batch = GraphBatch.Collate([graph]);
        var features = batch.NodeFeatures.clone();
        features[.., 1] = arange(batch.NodeCount, dtype: int64);
        using var numbered = GraphBatch.FromTensors(1, features, batch.EdgeIndex, batch.EdgeFeatures, batch.EdgeValues, batch.NodeGraph, batch.EdgeGraph);
        using var _ = no_grad();
        return metanet.forward(numbered);
    }

    /// <summary>Output changes under a random automorphism and under breaking every group on one side.</summary>
    private static (float Automorphism, float Broken) Changes(GraphMetanet metanet, string name, Side side)
    {
        var net = Network(name, seed: 5);
        var module = (nn.Module)net;
        var original = Run(metanet, net.ToParameterGraph());
        var state = SymmetrySpec.StateByName(module);
        var saved = state.ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        net.Symmetries.ApplyRandom(module, new Generator(3));
        float automorphism = MaxAbsDifference(Run(metanet, net.ToParameterGraph()), original);
        Restore(state, saved);

        foreach (var group in net.Symmetries.Groups)
        {
            // Actions[0] is the layer that produces the neurons (its output axis); the last action is
            // the next layer's input axis. Each group acts on at least those two.
            var acted = side == Side.Incoming ? group.Actions[0] : group.Actions[^1];
            group.Apply(state, Derangement(group.Size), only: a => a == acted);
        }
        float broken = MaxAbsDifference(Run(metanet, net.ToParameterGraph()), original);
        Restore(state, saved);
        return (automorphism, broken);
    }

    private static void Restore(System.Collections.Generic.IReadOnlyDictionary<string, Tensor> state, System.Collections.Generic.Dictionary<string, Tensor> saved)
    {
        using var _ = no_grad();
        foreach (var (key, t) in state) t.copy_(saved[key]);
    }

    /// <summary>Zeroes the edge input layer's map of the encoded edge value.</summary>
    private static GraphMetanet BlindToEdgeValues(GraphMetanet metanet)
    {
        var fromValue = metanet.named_parameters().Single(p => p.name == "edgeFromValue.weight").parameter;
        using (no_grad()) fromValue.zero_();
        return metanet;
    }
}
