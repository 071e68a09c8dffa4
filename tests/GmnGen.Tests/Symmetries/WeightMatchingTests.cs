using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Symmetries;
using GmnGen.Symmetries.Matching;
using GmnGen.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Symmetries;

/// <summary>
/// Weight matching from the generated symmetries: the solver is optimal, an aligned network computes
/// what it computed before, a randomly permuted copy of a network is aligned back onto it exactly, and
/// blocks (attention heads, GroupNorm groups) are matched as blocks.
/// </summary>
public class WeightMatchingTests
{
    [Fact]
    public void The_assignment_solver_finds_the_best_total_of_every_small_case()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            int n = 1 + trial % 7;
            var weights = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    // A third of the cases in small integers, so that ties between assignments occur.
                    weights[i, j] = trial % 3 == 0 ? random.Next(-2, 3) : random.NextDouble() * 10 - 5;
            var assignment = LinearAssignment.Maximise(weights);
            Assert.Equal(Enumerable.Range(0, n), assignment.Order());
            double best = Permutations(n).Max(p => Total(weights, p));
            Assert.Equal(best, Total(weights, assignment), 9);
        }
    }

    [Fact]
    public void The_assignment_solver_refuses_what_it_cannot_solve()
    {
        Assert.Throws<ArgumentException>(() => LinearAssignment.Maximise(new double[2, 3]));
        Assert.Throws<ArgumentException>(() => LinearAssignment.Maximise(new double[,] { { 1, double.NaN }, { 0, 1 } }));
        Assert.Empty(LinearAssignment.Maximise(new double[0, 0]));
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void An_aligned_network_computes_what_it_computed_before(string name)
    {
        var (a, _, _) = FunctionPreservationTests.Prepare(name, seed: 31);
        var (b, module, input) = FunctionPreservationTests.Prepare(name, seed: 32);
        using var before = module.forward(input);
        var result = WeightMatching.Align(a, b);
        using var after = module.forward(input);
        Assert.True(after.allclose(before, rtol: 0, atol: 1e-5), $"{name}: alignment changed the outputs by {(after - before).abs().max().item<float>():E2}");
        Assert.True(result.ObjectiveAfter >= result.ObjectiveBefore, $"{name}: the objective fell from {result.ObjectiveBefore} to {result.ObjectiveAfter}");
        Assert.True(result.Converged, $"{name}: no convergence in {result.Sweeps} sweeps");
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void A_randomly_permuted_copy_is_aligned_back_exactly(string name)
    {
        foreach (long seed in new long[] { 41, 42, 43 })
        {
            var (a, _, _) = FunctionPreservationTests.Prepare(name, seed);
            var b = Copy(name, a);
            b.Symmetries.ApplyRandom((nn.Module)b, new Generator((ulong)seed));
            Assert.False(SameState(a, b), $"{name}: the random automorphism moved nothing");
            WeightMatching.Align(a, b, seed: seed);
            Assert.True(SameState(a, b), $"{name}, seed {seed}: the aligned copy differs from the original in {string.Join(", ", Differences(a, b))}");
        }
    }

    [Theory]
    [InlineData("TinyVit")]
    [InlineData("GroupNormResNet")]
    public void Blocks_are_matched_as_blocks_with_the_groups_inside_them(string name)
    {
        // Only the block groups and the groups inside them move: heads swap and their dimensions are
        // shuffled, or GroupNorm groups swap and their channels are shuffled. Matched jointly, one update
        // of a block group pairs the blocks by their best inner matching and puts the inside in order, so
        // a single sweep recovers every shuffle; matching every group on its own compares blocks through
        // arbitrarily ordered entries and, in one sweep, misses some (more sweeps can still get there on
        // an exact copy, not reliably on two different networks).
        int plainMisses = 0;
        for (long seed = 50; seed < 60; seed++)
        {
            var (a, _, _) = FunctionPreservationTests.Prepare(name, seed);
            var spec = a.Symmetries;
            var nested = spec.Groups.Where(g => IsBlockOfGroups(spec, g)).ToList();
            Assert.NotEmpty(nested);
            var moved = spec.Groups.Where(g => nested.Contains(g) || nested.Any(h => Inside(g, h))).ToHashSet();
            var generator = new Generator((ulong)seed);
            var shuffle = spec.Groups.Select(g => moved.Contains(g) ? randperm(g.Size, generator: generator, dtype: int64) : arange(g.Size, dtype: int64)).ToList();

            var joint = Copy(name, a);
            joint.Symmetries.Apply((nn.Module)joint, shuffle);
            WeightMatching.Align(a, joint, maxSweeps: 1, seed: seed);
            Assert.True(SameState(a, joint), $"{name}, seed {seed}: one sweep of joint block matching left {string.Join(", ", Differences(a, joint))} apart");

            var plain = Copy(name, a);
            plain.Symmetries.Apply((nn.Module)plain, shuffle);
            WeightMatching.Align(spec, SymmetrySpec.StateByName((nn.Module)a), SymmetrySpec.StateByName((nn.Module)plain),
                ((nn.Module)a).named_parameters().Select(p => p.name).ToHashSet(), maxSweeps: 1, seed: seed, matchBlocks: false);
            if (!SameState(a, plain)) plainMisses++;
        }
        Assert.True(plainMisses > 0, $"{name}: matching every group on its own recovered all ten shuffles in one sweep too, so this test shows nothing about blocks");
    }

    [Theory]
    [MemberData(nameof(Catalogue.Names), MemberType = typeof(Catalogue))]
    public void A_graph_gives_back_its_state_and_aligns_as_its_network_does(string name)
    {
        var (a, _, _) = FunctionPreservationTests.Prepare(name, seed: 61);
        var (b, _, _) = FunctionPreservationTests.Prepare(name, seed: 62);
        using var graphA = a.ToParameterGraph();
        using var graphB = b.ToParameterGraph();
        var layout = graphB.Topology.Layout;
        var state = SymmetrySpec.StateByName((nn.Module)b);
        var read = graphB.StateTensors();
        Assert.All(layout.State.Zip(read), p => Assert.True(p.Second.equal(state[p.First.Name]).all().item<bool>(), $"{name}: {p.First.Name} read back wrong"));
        using (var again = ParameterGraph.Gather(layout, read))
            Assert.True(again.EdgeValues.equal(graphB.EdgeValues).all().item<bool>());

        // Aligning the graphs gives the graph of the aligned network (compared over every value the graph has).
        using var aligned = WeightMatching.AlignGraph(graphA, graphB, seed: 5);
        WeightMatching.Align(a.Symmetries, SymmetrySpec.StateByName((nn.Module)a), state, layout.State.Select(t => t.Name).ToHashSet(), seed: 5);
        using var expected = b.ToParameterGraph();
        Assert.True(aligned.EdgeValues.equal(expected.EdgeValues).all().item<bool>(), $"{name}: the aligned graph is not the aligned network's graph");

        // Interpolation is exact at both ends.
        using (var start = graphA.Interpolated(aligned, 0)) Assert.True(start.EdgeValues.equal(graphA.EdgeValues).all().item<bool>());
        using (var end = graphA.Interpolated(aligned, 1)) Assert.True(end.EdgeValues.allclose(aligned.EdgeValues, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Networks_of_different_architectures_are_refused()
    {
        var (a, _, _) = FunctionPreservationTests.Prepare("ZooCnn", 1);
        var (b, _, _) = FunctionPreservationTests.Prepare("TinyMlp", 1);
        var error = Assert.Throws<ArgumentException>(() => WeightMatching.Align(a, b));
        Assert.Contains("ZooCnn", error.Message);
        Assert.Contains("TinyMlp", error.Message);
    }

    /// <summary>Group <paramref name="h"/> moves blocks that some other group permutes inside.</summary>
    private static bool IsBlockOfGroups(SymmetrySpec spec, PermutationGroup h) => spec.Groups.Any(g => g != h && Inside(g, h));

    private static bool Inside(PermutationGroup inner, PermutationGroup outer) =>
        inner != outer && inner.Actions.All(x => outer.Actions.Any(y => y.Block > 1 && y.Tensor == x.Tensor && y.Axis == x.Axis
            && x.Offset >= y.Offset && x.Offset + inner.Size * x.Block <= y.Offset + outer.Size * y.Block && inner.Size * x.Block <= y.Block));

    private static IGraphNetwork Copy(string name, IGraphNetwork source)
    {
        var copy = Catalogue.Networks[name]();
        var target = ((nn.Module)copy).state_dict();
        using (no_grad())
            foreach (var (key, t) in ((nn.Module)source).state_dict()) target[key].copy_(t);
        ((nn.Module)copy).eval();
        return copy;
    }

    private static bool SameState(IGraphNetwork a, IGraphNetwork b) => !Differences(a, b).Any();

    private static IEnumerable<string> Differences(IGraphNetwork a, IGraphNetwork b)
    {
        var other = ((nn.Module)b).state_dict();
        return ((nn.Module)a).state_dict().Where(kv => !kv.Value.equal(other[kv.Key]).all().item<bool>()).Select(kv => kv.Key).ToList();
    }

    private static double Total(double[,] weights, IReadOnlyList<int> assignment) => assignment.Select((j, i) => weights[i, j]).Sum();

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 0) { yield return []; yield break; }
        foreach (var rest in Permutations(n - 1))
            for (int position = 0; position <= rest.Length; position++)
            {
                var p = rest.ToList();
                p.Insert(position, n - 1);
                yield return p.ToArray();
            }
    }
}
