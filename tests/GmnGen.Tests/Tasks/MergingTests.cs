using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using GmnGen.Data;
using GmnGen.Storage;
using GmnGen.Symmetries.Matching;
using GmnGen.Tasks.Merging;
using GmnGen.Tasks.Zoo;
using GmnGen.Tasks.Zoo.Architectures;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Tests.Tasks;

/// <summary>
/// gmn merge's parts on random networks and random images (no Fashion-MNIST): interpolation is exact at
/// its ends and linear between them, the BatchNorm reset gives the batch statistics a direct computation
/// gives, the barrier formula, alignment keeps B's function so the two methods meet at both ends, and the
/// output files.
/// </summary>
public sealed class MergingTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"gmngen-merge-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    /// <summary>An MLP, a CNN with BatchNorm, a ResNet (BatchNorm, residuals) and a ViT (attention, no BatchNorm).</summary>
    public static TheoryData<string> Kinds => new() { "mlp", "cnn-bn", "resnet", "vit" };

    private static ZooArchitecture Pick(string kind) => kind switch
    {
        "cnn-bn" => ZooArchitectures.All.First(a => a.Kind == "cnn" && a.Norm == "bn" && a.Name.Contains("_bn_", StringComparison.Ordinal)),
        _ => ZooArchitectures.All.First(a => a.Kind == kind),
    };

    private static ImageSet RandomImages(int count, ulong seed)
    {
        using var generator = new Generator(seed);
        using var scope = NewDisposeScope();
        return new ImageSet(randn([count, 1, 28, 28], generator: generator), randint(0, 10, [count], generator: generator));
    }

    /// <summary>A freshly initialised network whose BatchNorm buffers (if any) are random too, so that they interpolate visibly.</summary>
    private static nn.Module<Tensor, Tensor> RandomNetwork(ZooArchitecture architecture, long seed, long batches)
    {
        random.manual_seed(seed).Dispose();
        var net = architecture.Create();
        using var _ = no_grad();
        foreach (var (_, norm) in BatchNormReset.Layers(net))
        {
            norm.running_mean!.copy_(randn(norm.running_mean.shape));
            norm.running_var!.copy_(rand(norm.running_var.shape) + 0.5);
            norm.num_batches_tracked!.fill_(batches);
        }
        return net;
    }

    private static Dictionary<string, Tensor> State(nn.Module net) =>
        net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    private static Tensor Outputs(nn.Module<Tensor, Tensor> net, ZooArchitecture architecture, ImageSet data)
    {
        net.eval();
        using var _ = no_grad();
        return net.forward(architecture.ShapeInput(data.Images));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Interpolation_reproduces_A_at_0_and_B_at_1_exactly_and_is_linear_between(string kind)
    {
        var architecture = Pick(kind);
        using var a = RandomNetwork(architecture, 1, batches: 5);
        using var b = RandomNetwork(architecture, 2, batches: 9);
        using var merged = architecture.Create();
        var stateA = State(a);
        var stateB = State(b);
        Assert.Contains(stateA, kv => !kv.Value.Equals(stateB[kv.Key]));

        Interpolation.Interpolate(a, b, 0, merged);
        foreach (var (name, t) in merged.state_dict())
            Assert.True(t.Equals(stateA[name]), $"{architecture.Name}: λ = 0 differs from A in {name}");

        Interpolation.Interpolate(a, b, 1, merged);
        foreach (var (name, t) in merged.state_dict())
        {
            // Counters come from A; everything floating point is B's, bit for bit.
            var expected = t.is_floating_point() ? stateB[name] : stateA[name];
            Assert.True(t.Equals(expected), $"{architecture.Name}: λ = 1 differs from {(t.is_floating_point() ? "B" : "A")} in {name}");
        }

        foreach (double lambda in new[] { 0.25, 0.6 })
        {
            Interpolation.Interpolate(a, b, lambda, merged);
            foreach (var (name, t) in merged.state_dict())
            {
                if (!t.is_floating_point()) { Assert.True(t.Equals(stateA[name]), name); continue; }
                var expected = stateA[name] * (1 - lambda) + stateB[name] * lambda;
                Assert.True(t.allclose(expected, rtol: 1e-6, atol: 1e-6), $"{architecture.Name}: λ = {lambda} is not (1−λ)A + λB in {name}");
            }
        }
        // The inputs are untouched.
        foreach (var (name, t) in a.state_dict()) Assert.True(t.Equals(stateA[name]), name);
        foreach (var (name, t) in b.state_dict()) Assert.True(t.Equals(stateB[name]), name);
        if (BatchNormReset.Layers(a).Count > 0)
            Assert.Contains(merged.state_dict(), kv => kv.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal) && kv.Value.item<long>() == 5);
    }

    [Fact]
    public void Interpolation_refuses_networks_of_different_architectures()
    {
        using var mlp = Pick("mlp").Create();
        using var vit = Pick("vit").Create();
        var e = Assert.Throws<ArgumentException>(() => Interpolation.Interpolate(mlp, vit, 0.5, mlp));
        Assert.Contains("one architecture", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Interpolation.Interpolate(mlp, mlp, double.NaN, mlp));
    }

    [Fact]
    public void The_BatchNorm_reset_gives_the_batch_statistics_of_the_interpolated_networks_activations()
    {
        var architecture = ZooArchitecture.Find("Cnn_w4_d2_k3_bn_gelu");
        using var a = RandomNetwork(architecture, 3, batches: 5);
        using var b = RandomNetwork(architecture, 4, batches: 9);
        using var merged = architecture.Create();
        Interpolation.Interpolate(a, b, 0.5, merged);
        using var data = RandomImages(96, 5);
        var net = (Cnn_w4_d2_k3_bn_gelu)merged;
        using var interpolatedMean = net.Norm1.running_mean!.clone();

        // Directly: per batch of 32, the statistics of what enters each BatchNorm when every BatchNorm
        // normalises with its batch's statistics (training mode); PyTorch's cumulative average over the batches.
        var means = new[] { zeros(4, dtype: float64), zeros(4, dtype: float64) };
        var variances = new[] { zeros(4, dtype: float64), zeros(4, dtype: float64) };
        using (no_grad())
        {
            for (int start = 0; start < 96; start += 32)
            {
                var x = data.Images.narrow(0, start, 32);
                var h1 = net.Conv1.forward(x);
                Accumulate(h1, 0);
                var h2 = net.Conv2.forward(nn.functional.gelu(Normalise(h1, net.Norm1)));
                Accumulate(h2, 1);
            }
        }

        int layers = BatchNormReset.Reset(merged, data, architecture.ShapeInput, batchSize: 32);

        Assert.Equal(2, layers);
        Assert.False(net.Norm1.running_mean!.allclose(interpolatedMean), "the reset left the interpolated statistics in place");
        var norms = new[] { net.Norm1, net.Norm2 };
        for (int i = 0; i < 2; i++)
        {
            var mean = means[i] / 3;
            var variance = variances[i] / 3;
            Assert.True(norms[i].running_mean!.to_type(float64).allclose(mean, rtol: 1e-4, atol: 1e-5),
                $"Norm{i + 1}: running mean {norms[i].running_mean!.str()} against {mean.str()}");
            Assert.True(norms[i].running_var!.to_type(float64).allclose(variance, rtol: 1e-4, atol: 1e-5),
                $"Norm{i + 1}: running variance {norms[i].running_var!.str()} against {variance.str()}");
            Assert.Equal(3L, norms[i].num_batches_tracked!.item<long>());
            Assert.Equal(0.1, norms[i].momentum);   // restored
            Assert.False(norms[i].training);
        }
        Assert.False(merged.training);

        void Accumulate(Tensor h, int layer)
        {
            means[layer].add_(h.to_type(float64).mean([0, 2, 3]));
            variances[layer].add_(h.to_type(float64).var([0, 2, 3]));   // unbiased, as BatchNorm's running variance
        }
        static Tensor Normalise(Tensor h, BatchNorm2d norm)
        {
            var mean = h.mean([0, 2, 3], keepdim: true);
            var variance = h.var([0, 2, 3], unbiased: false, keepdim: true);
            return (h - mean) / (variance + norm.eps).sqrt() * norm.weight!.view(1, -1, 1, 1) + norm.bias!.view(1, -1, 1, 1);
        }
    }

    [Fact]
    public void The_BatchNorm_reset_skips_networks_without_BatchNorm_and_keeps_dropout_off()
    {
        using var data = RandomImages(40, 6);
        var vit = Pick("vit");
        using var net = vit.Create();
        var before = State(net);
        Assert.Equal(0, BatchNormReset.Reset(net, data, vit.ShapeInput));
        foreach (var (name, t) in net.state_dict()) Assert.True(t.Equals(before[name]), name);

        // Scoring is in evaluation mode: a network with dropout scores the same twice, even if left in training mode.
        var dropout = ZooArchitectures.All.First(a => a.Kind == "mlp" && a.Dropout > 0);
        using var withDropout = dropout.Create();
        withDropout.train();
        var first = ClassifierScore.Of(withDropout, data, dropout.ShapeInput);
        withDropout.train();
        var second = ClassifierScore.Of(withDropout, data, dropout.ShapeInput);
        Assert.Equal(first, second);
        Assert.False(withDropout.training);

        var resnet = Pick("resnet");
        using var residual = resnet.Create();
        Assert.Equal(BatchNormReset.Layers(residual).Count, BatchNormReset.Reset(residual, data, resnet.ShapeInput, batchSize: 16));
        Assert.True(BatchNormReset.Layers(residual).Count >= 3);
    }

    [Fact]
    public void The_barriers_of_a_hand_made_curve()
    {
        var lambdas = Barrier.Lambdas(5);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], lambdas);
        // The line from loss 1 to 0.6 is 1 − 0.4λ; the curve rises 1.7 above it at λ = 0.5.
        Assert.Equal(1.7, Barrier.OfLoss(lambdas, [1.0, 1.5, 2.5, 1.2, 0.6]), 12);
        // The line from 90 % to 80 % is 0.9 − 0.1λ; the curve falls 0.45 below it at λ = 0.5.
        Assert.Equal(0.45, Barrier.OfAccuracy(lambdas, [0.9, 0.7, 0.4, 0.75, 0.8]), 12);
        // A curve below its line (loss) or above it (accuracy) has no barrier: the endpoints give 0.
        Assert.Equal(0, Barrier.OfLoss(lambdas, [1.0, 0.5, 0.4, 0.5, 1.0]), 12);
        Assert.Equal(0, Barrier.OfAccuracy(lambdas, [0.5, 0.8, 0.9, 0.8, 0.5]), 12);
        Assert.True(double.IsNaN(Barrier.OfLoss(lambdas, [1.0, double.NaN, 0.4, 0.5, 1.0])));
        Assert.Throws<ArgumentException>(() => Barrier.OfLoss([0.1, 0.5, 1], [1, 2, 1]));
        Assert.Throws<ArgumentException>(() => Barrier.OfLoss([0, 0.5, 1], [1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Barrier.Lambdas(1));
        Assert.Equal(1.0, Barrier.Lambdas(11)[^1]);

        var points = lambdas.Select((l, i) => new BarrierPoint(l, MergeMethods.Naive, new[] { 1.0, 1.5, 2.5, 1.2, 0.6 }[i], 0.5, 0.3, 0.9)).ToList();
        var barriers = MethodBarriers.Of(MergeMethods.Naive, Enumerable.Reverse(points));
        Assert.Equal(1.7, barriers.TestLoss, 12);
        Assert.Equal(0, barriers.TestAccuracy, 12);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Aligned_B_computes_what_B_computes_so_both_methods_meet_at_both_ends(string kind)
    {
        var architecture = Pick(kind);
        using var a = RandomNetwork(architecture, 7, batches: 1);
        using var b = RandomNetwork(architecture, 8, batches: 1);
        using var train = RandomImages(64, 9);
        using var test = RandomImages(48, 10);
        var stateB = State(b);

        var (aligned, matching) = BarrierStudy.AlignedCopy(architecture.Create, a, b);
        using (aligned)
        {
            Assert.True(matching.ObjectiveAfter > matching.ObjectiveBefore, $"{architecture.Name}: weight matching found nothing to improve");
            Assert.Contains(aligned.state_dict(), kv => !kv.Value.Equals(stateB[kv.Key]));
            using var expected = Outputs(b, architecture, test);
            using var direct = Outputs(aligned, architecture, test);
            Assert.True(direct.allclose(expected, rtol: 0, atol: 1e-5), $"{architecture.Name}: aligned B differs from B by {(direct - expected).abs().max().item<float>():E2}");
            using var end = architecture.Create();
            Interpolation.Interpolate(a, aligned, 1, end);
            using var atOne = Outputs(end, architecture, test);
            Assert.True(atOne.allclose(expected, rtol: 0, atol: 1e-5), $"{architecture.Name}: θ(1) of the aligned pair differs from B");
        }

        var result = BarrierStudy.Run(architecture, a, b, train, test, new BarrierStudyOptions { Points = 3, ResetBatchSize = 32 });

        Assert.Equal(6, result.Points.Count);
        Assert.Equal([0, 0, 0.5, 0.5, 1, 1], result.Points.Select(p => p.Lambda));
        Assert.Equal(Enumerable.Repeat(MergeMethods.All, 3).SelectMany(m => m), result.Points.Select(p => p.Method));
        foreach (double lambda in new[] { 0.0, 1.0 })
        {
            var naive = result.Points.Single(p => p.Lambda == lambda && p.Method == MergeMethods.Naive);
            var alignedPoint = result.Points.Single(p => p.Lambda == lambda && p.Method == MergeMethods.Aligned);
            Assert.Equal(naive.TestLoss, alignedPoint.TestLoss, 4);
            Assert.Equal(naive.TrainLoss, alignedPoint.TrainLoss, 4);
            Assert.Equal(naive.TestAccuracy, alignedPoint.TestAccuracy, 6);
            Assert.Equal(naive.TrainAccuracy, alignedPoint.TrainAccuracy, 6);
        }
        int batchNorms = BatchNormReset.Layers(a).Count;
        Assert.Equal(batchNorms, result.BatchNormLayers);
        if (batchNorms == 0)
        {
            // Without BatchNorm nothing is recomputed: λ = 1 is B itself.
            var score = ClassifierScore.Of(b, test, architecture.ShapeInput);
            Assert.Equal(score.Loss, result.Points.Single(p => p.Lambda == 1 && p.Method == MergeMethods.Naive).TestLoss, 5);
        }
        var middle = result.Points.Where(p => p.Lambda == 0.5).ToList();
        Assert.NotEqual(middle[0].TestLoss, middle[1].TestLoss);   // the aligned path is another path
        Assert.All(result.Barriers, r => Assert.True(r.TestLoss >= 0 && r.TrainLoss >= 0 && r.TestAccuracy >= 0 && r.TrainAccuracy >= 0, r.ToString()));
        foreach (var (name, t) in b.state_dict()) Assert.True(t.Equals(stateB[name]), $"the study changed B's {name}");
    }

    [Fact]
    public void The_output_folder_has_one_CSV_row_per_lambda_and_method_a_PNG_and_the_report()
    {
        var lambdas = Barrier.Lambdas(4);
        var points = lambdas.SelectMany(l => MergeMethods.All.Select((m, i) =>
            new BarrierPoint(l, m, 0.5 + l * (1 - l) * (i == 0 ? 2 : 0.2), 0.8 - l * (1 - l) * (i == 0 ? 0.5 : 0.05), 0.4 + l, 0.85))).ToList();
        var result = new BarrierStudyResult(points, MergeMethods.All.Select(m => MethodBarriers.Of(m, points)).ToList(),
            new MatchingResult(1.5, 2.5, 3, true), BatchNormLayers: 2, TrainImages: 100, TestImages: 50, TimeSpan.FromSeconds(3));
        var info = new MergeRunInfo("gmn merge --architecture X", "Mlp_w8_d1_relu", [("Seeds", "0 (A), 1 (B)"), ("Epochs", "2")], 0.81, 0.79, TimeSpan.FromSeconds(70));

        var files = MergeWriter.Write(_directory, info, result);

        Assert.Equal([MergeWriter.CsvFile, MergeWriter.ChartFile, MergeWriter.ReportFile], files.Select(Path.GetFileName));
        var lines = File.ReadAllText(Path.Combine(_directory, MergeWriter.CsvFile)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(MergeCsv.Header, lines[0]);
        Assert.Equal(lambdas.Count * MergeMethods.All.Count, lines.Length - 1);
        for (int i = 0; i < points.Count; i++)
        {
            var fields = lines[i + 1].Split(',');
            Assert.Equal(6, fields.Length);
            Assert.Equal(points[i].Lambda, double.Parse(fields[0], CultureInfo.InvariantCulture));
            Assert.Equal(points[i].Method, fields[1]);
            Assert.Equal(points[i].TestLoss, double.Parse(fields[2], CultureInfo.InvariantCulture));
            Assert.Equal(points[i].TestAccuracy, double.Parse(fields[3], CultureInfo.InvariantCulture));
            Assert.Equal(points[i].TrainLoss, double.Parse(fields[4], CultureInfo.InvariantCulture));
            Assert.Equal(points[i].TrainAccuracy, double.Parse(fields[5], CultureInfo.InvariantCulture));
        }
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(_directory, MergeWriter.ChartFile)).Take(8));
        var report = File.ReadAllText(Path.Combine(_directory, MergeWriter.ReportFile));
        Assert.Contains("`gmn merge --architecture X`", report);
        Assert.Contains("81.00 %", report);
        // On λ = 0, 1/3, 2/3, 1 the bump λ(1−λ) peaks at 2/9: naive loss barrier 2·2/9, accuracy barrier 0.5·2/9.
        Assert.Contains("| naive | 0.444 | 11.11 pp | 0.000 | 0.00 pp |", report);
        Assert.Contains("| aligned |", report);
        Assert.Contains(MergeWriter.ChartFile, report);
        Assert.Empty(Directory.GetFiles(_directory, ".*.tmp"));
    }

    [Fact]
    public void A_checkpoint_round_trips_and_a_mismatch_names_the_file_and_the_tensor()
    {
        var architecture = Pick("cnn-bn");
        using var net = RandomNetwork(architecture, 11, batches: 4);
        var path = Path.Combine(_directory, "a.safetensors");
        MergeCheckpoint.Save(path, architecture, net, new Dictionary<string, string> { ["seed"] = "11" });
        using (var loaded = MergeCheckpoint.Load(path, architecture))
            foreach (var (name, t) in net.state_dict().Where(kv => kv.Value.is_floating_point()))
                Assert.True(t.Equals(loaded.state_dict()[name]), name);

        var state = net.state_dict();
        var partial = architecture.Layout.State.Skip(1).Select(s => (s.Name, state[s.Name])).ToList();
        var broken = Path.Combine(_directory, "broken.safetensors");
        SafeTensors.Save(broken, partial);
        var missing = Assert.Throws<InvalidDataException>(() => MergeCheckpoint.Load(broken, architecture));
        Assert.Contains(broken, missing.Message);
        Assert.Contains($"'{architecture.Layout.State[0].Name}'", missing.Message);

        var other = Pick("mlp");
        var wrong = Assert.Throws<InvalidDataException>(() => MergeCheckpoint.Load(path, other));
        Assert.Contains(path, wrong.Message);
        Assert.Contains(other.Name, wrong.Message);
    }
}
