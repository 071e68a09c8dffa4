using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using GmnGen.Storage;
using GmnGen.Tasks.Zoo;
using GmnGen.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Tasks;

/// <summary>
/// Zoo builds draw initial weights and dropout masks from torch's global generator (seeded per
/// run); tests elsewhere use it too, so byte-for-byte determinism is checked with nothing running beside.
/// </summary>
[CollectionDefinition(nameof(GlobalGeneratorCollection), DisableParallelization = true)]
public sealed class GlobalGeneratorCollection;

[Collection(nameof(GlobalGeneratorCollection))]
public sealed class ZooBuildTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "gmngen-zoo-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    /// <summary>A seed whose first <paramref name="runs"/> runs are short, so the test trains in seconds.</summary>
    private static ZooSettings QuickSettings(int runs)
    {
        for (long seed = 1; ; seed++)
        {
            var settings = new ZooSettings(ZooFamily.VaryingCnn | ZooFamily.Diverse, seed, Checkpoints: 2, TestImages: 500);
            if (Enumerable.Range(0, runs).All(r => RunPlanner.Plan(settings, r).TotalSteps <= 100)) return settings;
        }
    }

    private string Folder(string name) => Path.Combine(root, name);

    private static Dictionary<string, byte[]> Weights(string zoo) =>
        Directory.GetFiles(Path.Combine(zoo, ZooRunTrainer.WeightsFolder), "*.safetensors")
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [Fact]
    public void A_build_resumes_after_an_interruption_and_retrains_only_the_lost_run_bit_for_bit()
    {
        var settings = QuickSettings(3);
        var zoo = Folder("zoo");
        var first = ZooBuilder.Build(zoo, settings, 3, Shard.All, SharedFashionMnist.Data);
        Assert.Equal(3, first.RunsTrained);
        var manifest = ZooManifest.Read(first.ManifestPath);
        Assert.Equal(3 * 2, manifest.Count);
        Assert.All(manifest.Where(r => r.HasWeights), r => Assert.True(File.Exists(Path.Combine(zoo, r.File)), r.File));
        var before = Weights(zoo);

        // Interrupted during run 2: its rows never reached the manifest, its files may be half there.
        ZooManifest.Write(first.ManifestPath, manifest.Where(r => r.Run < 2));
        foreach (var row in manifest.Where(r => r.Run == 2 && r.HasWeights)) File.WriteAllText(Path.Combine(zoo, row.File), "torn");

        var resumed = ZooBuilder.Build(zoo, settings, 3, Shard.All, SharedFashionMnist.Data);

        Assert.Equal(1, resumed.RunsTrained);
        Assert.Equal(2, resumed.RunsResumed);
        Assert.Equal(manifest, ZooManifest.Read(first.ManifestPath));
        var after = Weights(zoo);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(after[kv.Key]), $"{kv.Key} differs after resuming"));
    }

    [Fact]
    public void Shards_are_disjoint_and_merge_into_the_same_zoo_as_one_build()
    {
        var settings = QuickSettings(4);
        var whole = Folder("whole");
        var sharded = Folder("sharded");
        ZooBuilder.Build(whole, settings, 4, Shard.All, SharedFashionMnist.Data);
        var part1 = ZooBuilder.Build(sharded, settings, 4, Shard.Parse("1/2"), SharedFashionMnist.Data);
        var part2 = ZooBuilder.Build(sharded, settings, 4, Shard.Parse("2/2"), SharedFashionMnist.Data);

        Assert.Equal([0, 2], ZooManifest.Read(part1.ManifestPath).Select(r => r.Run).Distinct());
        Assert.Equal([1, 3], ZooManifest.Read(part2.ManifestPath).Select(r => r.Run).Distinct());
        Assert.Equal(ZooManifest.ReadAll(whole), ZooManifest.ReadAll(sharded));
        var a = Weights(whole);
        var b = Weights(sharded);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.All(a, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(b[kv.Key]), $"{kv.Key} differs between the sharded and the whole build"));
    }

    [Fact]
    public void A_folder_holding_a_zoo_with_other_settings_is_refused_with_its_settings_named()
    {
        var settings = QuickSettings(1);
        var zoo = Folder("zoo");
        ZooBuilder.Build(zoo, settings, 0, Shard.All, SharedFashionMnist.Data);

        var e = Assert.Throws<InvalidOperationException>(() =>
            ZooBuilder.Build(zoo, settings with { Seed = settings.Seed + 1 }, 1, Shard.All, SharedFashionMnist.Data));

        Assert.Contains("zoo.json", e.Message);
        Assert.Contains($"Seed = {settings.Seed}", e.Message);
    }

    [Fact]
    public void Loaded_graphs_hold_exactly_the_stored_weights_and_accuracies_spread()
    {
        var settings = QuickSettings(3);
        var zoo = Folder("zoo");
        ZooBuilder.Build(zoo, settings, 3, Shard.All, SharedFashionMnist.Data);

        var members = ZooDataset.Load(zoo);

        Assert.Equal(ZooManifest.ReadAll(zoo).Count(r => r.HasWeights), members.Count);
        foreach (var member in members)
        {
            var stored = SafeTensors.Load(Path.Combine(zoo, member.Checkpoint.File));
            var expected = cat(member.Architecture.Layout.State.Select(s => stored[s.Name].reshape(-1)).ToArray());
            Assert.True(member.Graph.EdgeValues.narrow(0, 0, expected.shape[0]).eq(expected).all().item<bool>(), member.Checkpoint.Id);
            Assert.InRange(member.Checkpoint.TestAccuracy, 0, 1);
        }
        // Later checkpoints of a run have trained longer: the zoo is not all at chance.
        Assert.True(members.Max(m => m.Checkpoint.TestAccuracy) > 0.3, "no checkpoint learned anything");
    }

    [Fact]
    public void Loaded_with_probes_each_network_is_read_on_the_same_training_images_with_its_stored_weights()
    {
        var settings = QuickSettings(2);
        var zoo = Folder("probed");
        ZooBuilder.Build(zoo, settings, 2, Shard.All, SharedFashionMnist.Data);
        using var probes = ZooProbes.Images(SharedFashionMnist.Data, count: 8);
        using (var again = ZooProbes.Images(SharedFashionMnist.Data, count: 8))
            Assert.True(again.equal(probes).all().item<bool>(), "the probe images depend on the call");
        // Training images, not the test images the targets are measured on.
        var train = SharedFashionMnist.Data.Train.Images.reshape(SharedFashionMnist.Data.Train.Count, -1);
        Assert.True(train.eq(probes[0].reshape(1, -1)).all(1).any().item<bool>(), "probe 0 is not a training image");

        using var members = ZooDataset.Load(zoo, probes: probes);
        foreach (var member in members)
        {
            Assert.NotNull(member.Probes);
            var stored = SafeTensors.Load(Path.Combine(zoo, member.Checkpoint.File));
            using var network = member.Architecture.Create();
            network.load_state_dict(new Dictionary<string, Tensor>(stored), strict: false);
            var expected = GmnGen.Probes.NodeProbes.Read((IGraphNetwork)network, member.Architecture.ShapeInput(probes));
            Assert.Equal(expected.NodeFeatures, member.Probes!.NodeFeatures);
            Assert.Equal(expected.Outputs, member.Probes.Outputs);
            Assert.Equal(8 * 10, member.Probes.Outputs.Length);
            Assert.Same(member.Probes, member.ToSample().Probes);
        }
    }
}

public sealed class ZooDefinitionTests
{
    [Fact]
    public void The_architecture_file_is_what_the_script_writes()
    {
        var root = GmnGen.Generators.Tests.RepoRoot.Path;
        var start = new ProcessStartInfo("python3", ["scripts/make-zoo-architectures.py", "--stdout"])
        {
            WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        string expected = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
        string committed = File.ReadAllText(Path.Combine(root, "src/GmnGen.Tasks/Zoo/Architectures/ZooArchitectures.cs"));
        Assert.True(expected == committed, "ZooArchitectures.cs is stale: run python3 scripts/make-zoo-architectures.py");
    }

    [Fact]
    public void Every_architecture_runs_on_images_and_its_layout_names_its_state()
    {
        using var images = randn(2, 1, 28, 28, generator: new Generator(3));
        foreach (var architecture in ZooArchitecture.Of(ZooFamily.VaryingCnn | ZooFamily.Diverse))
        {
            using var scope = NewDisposeScope();
            using var model = architecture.Create();
            var state = model.state_dict();
            foreach (var tensor in architecture.Layout.State)
                Assert.True(state.TryGetValue(tensor.Name, out var t) && t.shape.SequenceEqual(tensor.Shape), $"{architecture.Name}: {tensor.Name}");
            model.eval();
            Assert.Equal(new long[] { 2, 10 }, model.forward(architecture.ShapeInput(images)).shape);
        }
    }

    [Fact]
    public void Both_families_cover_their_grid()
    {
        var cnns = ZooArchitecture.Of(ZooFamily.VaryingCnn);
        Assert.Equal(40, cnns.Count);
        Assert.Equal([4, 6, 8, 12, 16], cnns.Select(a => a.Width).Distinct().Order());
        Assert.Equal(["GELU", "ReLU", "Tanh"], cnns.Select(a => a.Activation).Distinct().Order());
        Assert.Equal(["bn", "none"], cnns.Select(a => a.Norm).Distinct().Order());
        Assert.Equal([0.0, 0.2], cnns.Select(a => a.Dropout).Distinct().Order());
        Assert.Equal(["cnn", "deepsets", "mlp", "resnet", "rows", "vit"], ZooArchitecture.Of(ZooFamily.Diverse).Select(a => a.Kind).Distinct().Order());
    }

    [Fact]
    public void Plans_depend_on_seed_and_index_only_and_checkpoints_end_at_the_last_step()
    {
        var settings = new ZooSettings(ZooFamily.VaryingCnn, 7);
        for (int run = 0; run < 50; run++)
        {
            var plan = RunPlanner.Plan(settings, run);
            var again = RunPlanner.Plan(settings, run);
            Assert.Equal(plan with { CheckpointSteps = [] }, again with { CheckpointSteps = [] });
            Assert.Equal(plan.CheckpointSteps, again.CheckpointSteps);
            Assert.Equal(plan.TotalSteps, plan.CheckpointSteps[^1]);
            Assert.True(plan.CheckpointSteps.Zip(plan.CheckpointSteps.Skip(1)).All(p => p.First < p.Second));
        }
        Assert.NotEqual(RunPlanner.Plan(settings, 0).Seed, RunPlanner.Plan(settings with { Seed = 8 }, 0).Seed);
        Assert.True(Enumerable.Range(0, 50).Select(r => RunPlanner.Plan(settings, r).Architecture.Name).Distinct().Count() > 20);
    }

    [Fact]
    public void Plan_2_draws_from_the_ranges_that_learn_and_keeps_its_first_checkpoint_at_an_eighth()
    {
        var current = new ZooSettings(ZooFamily.VaryingCnn, 7);
        Assert.Equal(2, current.Plan);
        var plans = Enumerable.Range(0, 400).Select(r => RunPlanner.Plan(current, r)).ToList();
        Assert.Equal([0.1, 0.2, 0.4], plans.Select(p => p.TrainFraction).Distinct().Order());
        Assert.All(plans, p => Assert.InRange(p.InitScale, 0.5, 2));
        Assert.All(plans.Where(p => p.Optimizer == GmnGen.Training.OptimizerKind.Adam), p => Assert.InRange(p.LearningRate, 1e-3, 3e-2));
        Assert.All(plans.Where(p => p.Optimizer == GmnGen.Training.OptimizerKind.Sgd), p => Assert.InRange(p.LearningRate, 1e-2, 3e-1));
        Assert.All(plans, p => Assert.Equal(Math.Round(p.TotalSteps / 8.0), p.CheckpointSteps[0], 0));

        // Plan 1 still draws what it drew, so zoos built with it can grow.
        var old = current with { Plan = 1 };
        var oldPlans = Enumerable.Range(0, 400).Select(r => RunPlanner.Plan(old, r)).ToList();
        Assert.Contains(0.05, oldPlans.Select(p => p.TrainFraction));
        Assert.All(oldPlans, p => Assert.Equal(Math.Round(p.TotalSteps / 16.0), p.CheckpointSteps[0], 0));
        Assert.Throws<ArgumentException>(() => (current with { Plan = 3 }).Validate());
    }

    [Fact]
    public void A_zoo_json_written_before_plans_had_versions_reads_as_plan_1_and_is_not_extended_by_plan_2()
    {
        var folder = Directory.CreateTempSubdirectory("gmngen-zoo-json-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, ZooSettings.FileName),
                """{ "Family": "VaryingCnn", "Seed": 3, "Checkpoints": 3, "TestImages": 10000, "BatchSize": 128 }""");
            var read = ZooSettings.Read(folder)!;
            Assert.Equal(1, read.Plan);
            Assert.Equal(new ZooSettings(ZooFamily.VaryingCnn, 3, Plan: 1), read);
            var error = Assert.Throws<InvalidOperationException>(() =>
            {
                ZooBuilder.Build(folder, new ZooSettings(ZooFamily.VaryingCnn, 3), 1, Shard.All, null!);
            });
            Assert.Contains("Plan = 1", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("0/2")]
    [InlineData("3/2")]
    [InlineData("1-2")]
    public void A_bad_shard_names_the_expected_form(string text) =>
        Assert.Contains("k/n", Assert.Throws<FormatException>(() => Shard.Parse(text)).Message);

    [Fact]
    public void A_weights_file_missing_a_tensor_is_named_in_the_error()
    {
        var architecture = ZooArchitecture.Of(ZooFamily.VaryingCnn)[0];
        var path = Path.Combine(Path.GetTempPath(), $"gmngen-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var model = architecture.Create();
            SafeTensors.Save(path, model.state_dict().Where(kv => kv.Key != "Head.bias").Select(kv => (kv.Key, kv.Value)).ToList());
            var e = Assert.Throws<InvalidDataException>(() => ZooDataset.LoadGraph(path, architecture.Layout));
            Assert.Contains(path, e.Message);
            Assert.Contains("'Head.bias'", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
