using System.Collections.Generic;
using System.Linq;
using GmnGen.Tasks.Prediction;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Tasks.PredictorTesting;

namespace GmnGen.Tests.Tasks;

/// <summary>
/// A network with its hidden neurons permuted by an emitted automorphism computes the same function,
/// so it must get the same prediction. The GMN is invariant by construction, DeepSets because it
/// sees a multiset of parameters, and StatNN because each tensor's statistics ignore the order of its values;
/// "GMN+probes" because its probe features move with the nodes, and "Probes" because a network's outputs do not change.
/// </summary>
[Collection(nameof(PredictorCollection))]
public class PredictorInvarianceTests
{
    [Theory]
    [MemberData(nameof(MethodNames), MemberType = typeof(PredictorTesting))]
    public void A_random_automorphism_of_a_network_leaves_its_prediction_unchanged(string method)
    {
        using var predictor = Create(method, Quick(epochs: 2));
        predictor.Fit(Zoo(0, 30), Zoo(30, 9));

        var originals = new List<LabelledGraph>();
        var permuted = new List<LabelledGraph>();
        for (int i = 100; i < 109; i++)
        {
            var net = ScaledNetwork(Architectures[i % Architectures.Length], i);
            var before = net.ToParameterGraph();
            var probesBefore = ReadProbes(net);
            net.Symmetries.ApplyRandom((nn.Module)net, new Generator(700 + (ulong)i));
            var after = net.ToParameterGraph();
            Assert.False(after.EdgeValues.equal(before.EdgeValues).all().item<bool>(), $"network {i}: the automorphism moved no value, so this test would prove nothing");
            // The probe features are read again from the permuted network: they move with its nodes.
            originals.Add(new LabelledGraph($"n{i}", before, 0, probesBefore));
            permuted.Add(new LabelledGraph($"n{i}-permuted", after, 0, ReadProbes(net)));
        }

        var expected = predictor.Predict(originals);
        var actual = predictor.Predict(permuted);

        double spread = expected.Max() - expected.Min();
        double tolerance = 1e-5 * spread;
        Assert.True(spread > 1e-3, $"{method}: predictions of different networks barely differ ({string.Join(", ", expected)}): invariance would be trivial");
        for (int k = 0; k < expected.Length; k++)
            Assert.True(System.Math.Abs(actual[k] - expected[k]) <= tolerance,
                $"{method}: {originals[k].Id} predicted {expected[k]}, after an automorphism {actual[k]} (tolerance {tolerance:E2})");
    }
}
