using System;
using System.IO;
using System.Linq;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// A checkpoint holds a whole metanet: configuration, weights and the fitted value normalisation.
/// Loading refuses, with the file named, anything that is not such a checkpoint or not the one
/// expected; saving never leaves a torn file or a temporary file behind.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private static readonly GmnConfig Config = Small with { ReverseEdges = true, GlobalFeature = true, Readout = Readout.Nodes, Outputs = 2 };
    private readonly string folder = Directory.CreateTempSubdirectory("gmngen-checkpoint-tests-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string PathOf(string name) => Path.Combine(folder, name);

    [Fact]
    public void Save_then_load_gives_the_same_config_weights_normalisation_and_outputs()
    {
        var metanet = CreateMetanet(Config, seed: 110, gain: 2.0);
        var path = PathOf("metanet.gmn");
        MetanetCheckpoint.Save(metanet, path);
        var loaded = MetanetCheckpoint.Load(path);

        Assert.Equal(Config, loaded.Config);
        Assert.Equal(Config, MetanetCheckpoint.ReadConfig(path));
        var saved = metanet.state_dict();
        var restored = loaded.state_dict();
        Assert.Equal(saved.Keys.OrderBy(k => k), restored.Keys.OrderBy(k => k));
        foreach (var (name, tensor) in saved)
            Assert.True(restored[name].equal(tensor).all().item<bool>(), $"{name} differs after loading");
        // The fitted normalisation is not the fresh one (mean 0, std 1), so it really round-tripped.
        Assert.False(saved["value_std"].eq(1).all().item<bool>(), "the value normalisation was never fitted, so this test would prove nothing");

        var graphs = new[] { Graph("TinyMlp", 111), Graph("BatchNormCnn", 112), Graph("RowCnn", 113) };
        var before = Run(metanet, graphs);
        var after = Run(loaded, graphs);
        Assert.True(after.equal(before).all().item<bool>(), $"outputs {Show(before)} became {Show(after)} after a round trip");
    }

    [Fact]
    public void Loading_with_a_different_expected_config_names_the_file_and_both_settings()
    {
        var path = PathOf("expected.gmn");
        MetanetCheckpoint.Save(CreateMetanet(Config, seed: 114), path);
        var expected = Config with { Hidden = 48 };
        var error = Assert.Throws<InvalidDataException>(() => MetanetCheckpoint.Load(path, expected: expected));
        Assert.Contains(path, error.Message);
        Assert.Contains("\"Hidden\":32", error.Message);
        Assert.Contains("\"Hidden\":48", error.Message);
        // The same config is accepted.
        Assert.Equal(Config, MetanetCheckpoint.Load(path, expected: Config with { }).Config);
    }

    [Theory]
    [InlineData(20, "inside the configuration")]
    [InlineData(-100, "inside the weights")]
    [InlineData(-1, "one byte short")]
    public void A_truncated_checkpoint_is_refused_with_the_file_named_and_the_early_end_reported(int keep, string where)
    {
        var path = PathOf("truncated.gmn");
        MetanetCheckpoint.Save(CreateMetanet(Config, seed: 115), path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);
        var error = Assert.Throws<InvalidDataException>(() => MetanetCheckpoint.Load(path));
        Assert.True(error.Message.Contains(path), $"cut {where}: the message does not name the file: {error.Message}");
        Assert.True(error.Message.Contains("truncated", StringComparison.OrdinalIgnoreCase) || error.Message.Contains("end of the stream"),
            $"cut {where}: the message does not say that the file ends early: {error.Message}");
    }

    [Fact]
    public void A_file_cut_inside_the_header_magic_is_refused_with_the_file_named()
    {
        var path = PathOf("stub.gmn");
        File.WriteAllBytes(path, "GMNC"u8.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => MetanetCheckpoint.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_refused_with_the_file_named()
    {
        var path = PathOf("notes.txt");
        File.WriteAllText(path, "these are not the weights you are looking for");
        var error = Assert.Throws<InvalidDataException>(() => MetanetCheckpoint.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("not a GmnGen metanet checkpoint", error.Message);
        Assert.Throws<InvalidDataException>(() => MetanetCheckpoint.ReadConfig(path));
    }

    [Fact]
    public void An_empty_file_is_refused_with_the_file_named()
    {
        var path = PathOf("empty.gmn");
        File.WriteAllBytes(path, []);
        var error = Assert.Throws<InvalidDataException>(() => MetanetCheckpoint.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_as_not_found_with_its_path()
    {
        var path = PathOf("missing.gmn");
        var error = Assert.Throws<FileNotFoundException>(() => MetanetCheckpoint.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Saving_over_an_existing_checkpoint_replaces_it_and_leaves_no_temporary_file()
    {
        var path = PathOf("model.gmn");
        var first = CreateMetanet(Config, seed: 116);
        var second = CreateMetanet(Config with { Hidden = 16 }, seed: 117);
        MetanetCheckpoint.Save(first, path);
        MetanetCheckpoint.Save(second, path);
        Assert.Equal(new[] { "model.gmn" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
        Assert.Equal(16, MetanetCheckpoint.ReadConfig(path).Hidden);
        var graph = Graph("TinyMlp", 118);
        Assert.True(Run(MetanetCheckpoint.Load(path), graph).equal(Run(second, graph)).all().item<bool>());
    }

    [Fact]
    public void A_save_that_fails_after_writing_leaves_no_temporary_file()
    {
        // The target is a folder: the weights are written to the temporary file, then the rename fails.
        var path = PathOf("occupied.gmn");
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<IOException>(() => MetanetCheckpoint.Save(CreateMetanet(Config, seed: 119), path));
        Assert.Empty(Directory.GetFiles(folder));
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }

    [Fact]
    public void Saving_creates_missing_folders()
    {
        var path = Path.Combine(folder, "a", "b", "metanet.gmn");
        MetanetCheckpoint.Save(CreateMetanet(Config, seed: 121), path);
        Assert.Equal(Config, MetanetCheckpoint.ReadConfig(path));
    }

    [Fact]
    public void Loading_onto_a_device_puts_every_weight_and_buffer_there()
    {
        var path = PathOf("device.gmn");
        MetanetCheckpoint.Save(CreateMetanet(Config, seed: 122), path);
        var loaded = MetanetCheckpoint.Load(path, CPU);
        Assert.Equal(DeviceType.CPU, loaded.Device.type);
        Assert.All(loaded.state_dict().Values, t => Assert.Equal(DeviceType.CPU, t.device.type));
    }
}
