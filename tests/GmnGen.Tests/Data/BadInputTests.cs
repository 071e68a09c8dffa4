using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using GmnGen.Storage;
using GmnGen.Tasks.Zoo;
using GmnGen.Tests.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Data;

/// <summary>
/// Bad input is refused with a message that names the file (and the tensor, line, column or
/// setting) and says what was expected; nothing half-read is returned.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "gmngen-bad-" + Guid.NewGuid().ToString("N"));

    public BadInputTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A safetensors file from a raw header and data, exactly as given (no checks).</summary>
    private string RawSafeTensors(string header, byte[] data, long? declaredHeaderLength = null)
    {
        var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".safetensors");
        var json = Encoding.UTF8.GetBytes(header);
        using var stream = File.Create(path);
        stream.Write(BitConverter.GetBytes((ulong)(declaredHeaderLength ?? json.Length)));
        stream.Write(json);
        stream.Write(data);
        return path;
    }

    private static InvalidDataException Refused(string path) => Assert.Throws<InvalidDataException>(() =>
    {
        var loaded = SafeTensors.Load(path);
        foreach (var t in loaded.Values) t.Dispose();
    });

    [Fact]
    public void A_header_length_beyond_the_file_is_refused_as_truncated()
    {
        var path = RawSafeTensors("{}", [], declaredHeaderLength: 4096);
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains("header length 4096", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_file_shorter_than_the_length_field_is_refused()
    {
        var path = Path.Combine(folder, "short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains("too short", e.Message);
    }

    [Fact]
    public void A_malformed_header_is_refused_as_invalid_json()
    {
        var path = RawSafeTensors("{\"w\": {\"dtype\": \"F32\", ", new byte[8]);
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Theory]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 16]}}", 8, "outside the 8 bytes")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8, "needs 12 bytes")]
    [InlineData("{\"w\": {\"dtype\": \"Q4\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8, "dtype 'Q4' is not supported")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}", 8, "non-negative integers")]
    [InlineData("{\"w\": {\"dtype\": \"F32\", \"shape\": [2]}}", 8, "data_offsets must be [begin, end]")]
    [InlineData("{\"w\": [1, 2]}", 8, "expected an object")]
    public void A_tensor_entry_that_breaks_the_format_is_named_with_what_was_expected(string header, int dataBytes, string expected)
    {
        var path = RawSafeTensors(header, new byte[dataBytes]);
        var e = Refused(path);
        Assert.Contains(path, e.Message);
        Assert.Contains("'w'", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Overlapping_tensors_are_refused_with_both_ranges_named()
    {
        var path = RawSafeTensors("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, " +
                                  "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", new byte[12]);
        var e = Refused(path);
        Assert.Contains("'b' (bytes 4..12) overlaps", e.Message);
    }

    [Fact]
    public void Bytes_that_belong_to_no_tensor_are_refused()
    {
        var path = RawSafeTensors("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", new byte[8]);
        var e = Refused(path);
        Assert.Contains("bytes 0..4 before tensor 'a' belong to no tensor", e.Message);
    }

    [Fact]
    public void Every_supported_dtype_is_written_and_read_back_as_itself()
    {
        var path = Path.Combine(folder, "dtypes.safetensors");
        using var scope = NewDisposeScope();
        var tensors = new List<(string, Tensor)>
        {
            ("f64", tensor(new[] { 1.5, -2.25 })), ("f32", tensor(new[] { 3.5f })), ("f16", tensor(new[] { 0.5f }).to(float16)),
            ("bf16", tensor(new[] { 2f, 4f }).to(bfloat16)), ("i64", tensor(new[] { 7L, -9L })), ("i32", tensor(new[] { 5 })),
            ("u8", tensor(new byte[] { 200 })), ("bool", tensor(new[] { true, false })), ("empty", zeros(0, 3)),
        };
        SafeTensors.Save(path, tensors);
        var loaded = SafeTensors.Load(path);
        foreach (var (name, original) in tensors)
        {
            Assert.Equal(original.dtype, loaded[name].dtype);
            Assert.Equal(original.shape, loaded[name].shape);
            Assert.True(original.equal(loaded[name]).all().item<bool>(), name);
        }
    }

    [Fact]
    public void A_weights_file_of_the_wrong_dtype_or_shape_for_the_architecture_names_the_tensor_and_both()
    {
        var architecture = ZooArchitecture.Of(ZooFamily.VaryingCnn)[0];
        using var model = architecture.Create();
        var state = model.state_dict().Where(kv => architecture.Layout.State.Any(s => s.Name == kv.Key)).ToList();
        string first = state[0].Key;

        var doubled = Path.Combine(folder, "f64.safetensors");
        SafeTensors.Save(doubled, state.Select(kv => (kv.Key, kv.Key == first ? kv.Value.to(float64) : kv.Value)).ToList());
        var e = Assert.Throws<InvalidDataException>(() => ZooDataset.LoadGraph(doubled, architecture.Layout));
        Assert.Contains(doubled, e.Message);
        Assert.Contains($"'{first}' has dtype Float64", e.Message);
        Assert.Contains("Float32", e.Message);

        var reshaped = Path.Combine(folder, "shape.safetensors");
        SafeTensors.Save(reshaped, state.Select(kv => (kv.Key, kv.Key == first ? kv.Value.reshape(-1) : kv.Value)).ToList());
        e = Assert.Throws<InvalidDataException>(() => ZooDataset.LoadGraph(reshaped, architecture.Layout));
        Assert.Contains($"'{first}' has shape [{state[0].Value.numel()}]", e.Message);
        Assert.Contains($"expects [{string.Join(", ", state[0].Value.shape)}]", e.Message);
    }

    private string ManifestWith(Func<string, string> editHeader, Func<ZooCheckpoint, ZooCheckpoint>? editRow = null)
    {
        var row = new ZooCheckpoint("r00000-s1", 0, "Cnn_w4_d2_k3_relu", "cnn", 4, 2, 3, "none", "relu", 0, "adam", 1e-3, 0, 1, 0.1, 1, 1, 1, 0, 1.0, 0.5,
            "weights/r00000-s1.safetensors");
        row = editRow?.Invoke(row) ?? row;
        var path = Path.Combine(folder, "manifest.csv");
        File.WriteAllText(path, editHeader(ZooCheckpoint.Header) + "\n" + row.ToCsv() + "\n");
        return path;
    }

    [Fact]
    public void A_manifest_missing_a_column_names_the_column_and_the_file()
    {
        var path = ManifestWith(h => h.Replace(",test_accuracy", ""));
        var e = Assert.Throws<InvalidDataException>(() => ZooManifest.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("column 'test_accuracy' missing", e.Message);
    }

    [Fact]
    public void A_manifest_value_of_the_wrong_kind_names_line_column_and_expectation()
    {
        var path = ManifestWith(h => h);
        File.WriteAllText(path, File.ReadAllText(path).Replace(",adam,0.001,", ",adam,fast,"));
        var e = Assert.Throws<InvalidDataException>(() => ZooManifest.Read(path));
        Assert.Contains($"{path}:2:", e.Message);
        Assert.Contains("column 'learning_rate' is 'fast', expected a number", e.Message);
    }

    [Fact]
    public void A_checkpoint_with_weights_and_a_nan_accuracy_is_refused_by_the_loader()
    {
        ManifestWith(h => h, r => r with { TestAccuracy = double.NaN });
        var e = Assert.Throws<InvalidDataException>(() => ZooDataset.Load(folder));
        Assert.Contains("r00000-s1", e.Message);
        Assert.Contains("test accuracy NaN", e.Message);
        Assert.Contains("[0, 1]", e.Message);
    }

    [Fact]
    public void A_missing_weights_file_names_the_checkpoint_and_the_file()
    {
        ManifestWith(h => h);
        var e = Assert.Throws<FileNotFoundException>(() => ZooDataset.Load(folder));
        Assert.Contains("r00000-s1", e.Message);
        Assert.Contains("weights/r00000-s1.safetensors", e.Message);
        Assert.Contains("missing", e.Message);
    }
}

/// <summary>A zoo folder is extended only with the settings it was built with.</summary>
[Collection(nameof(GlobalGeneratorCollection))]
public sealed class ZooSettingsMismatchTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "gmngen-mismatch-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void A_zoo_of_another_family_or_seed_is_refused_with_both_settings_named()
    {
        var settings = new ZooSettings(ZooFamily.VaryingCnn, 3, TestImages: 100);
        ZooBuilder.Build(folder, settings, 0, Shard.All, SharedFashionMnist.Data);
        foreach (var other in new[] { settings with { Family = ZooFamily.Diverse }, settings with { Seed = 4 } })
        {
            var e = Assert.Throws<InvalidOperationException>(() => ZooBuilder.Build(folder, other, 1, Shard.All, SharedFashionMnist.Data));
            Assert.Contains(Path.Combine(folder, ZooSettings.FileName), e.Message);
            Assert.Contains(settings.ToString(), e.Message);
            Assert.Contains(other.ToString(), e.Message);
        }
    }
}
