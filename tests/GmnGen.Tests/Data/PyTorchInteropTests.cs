using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GmnGen.Generators.Tests;
using GmnGen.Storage;
using GmnGen.Tests.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Data;

/// <summary>
/// Files written by Debian's python3-torch (scripts/pytorch-interop.py write, plain json and struct):
/// every dtype PyTorch stores reads back as itself and survives a round trip, and the state dicts of
/// two nn.Sequential networks load strictly into the generated ZooCnn and BatchNormCnn, which then
/// compute PyTorch's own eval-mode outputs.
/// </summary>
public sealed class PyTorchInteropTests : IDisposable
{
    private static string Fixture(string name) => Path.Combine(RepoRoot.Path, "tests/GmnGen.Tests/Fixtures/PyTorch", name);
    private readonly string folder = Path.Combine(Path.GetTempPath(), "gmngen-interop-" + Guid.NewGuid().ToString("N"));

    public PyTorchInteropTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Every_dtype_pytorch_writes_reads_as_itself_and_survives_a_round_trip()
    {
        var expected = new Dictionary<string, ScalarType>
        {
            ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
            ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
            ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
        };
        var loaded = SafeTensors.Load(Fixture("dtypes.safetensors"));
        Assert.Equal(expected.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, tensor) in loaded)
        {
            Assert.Equal(expected[name], tensor.dtype);
            // -3 .. 2 in every type (U8 wraps round; BOOL is "> 0").
            var values = tensor.to(float64).data<double>().ToArray();
            var want = name == "BOOL" ? new double[] { 0, 0, 0, 0, 1, 1 } : name == "U8" ? new double[] { 253, 254, 255, 0, 1, 2 } : new double[] { -3, -2, -1, 0, 1, 2 };
            Assert.Equal(want, values);
        }
        var copy = Path.Combine(folder, "copy.safetensors");
        SafeTensors.Save(copy, loaded.Select(kv => (kv.Key, kv.Value)).ToList());
        var again = SafeTensors.Load(copy);
        foreach (var (name, tensor) in loaded)
        {
            Assert.Equal(tensor.dtype, again[name].dtype);
            Assert.Equal(tensor.bytes.ToArray(), again[name].bytes.ToArray());
        }
    }

    [Theory]
    [InlineData("zoo-cnn", nameof(ZooCnn))]
    [InlineData("batch-norm-cnn", nameof(BatchNormCnn))]
    public void A_pytorch_sequential_state_dict_loads_strictly_and_gives_pytorchs_outputs(string file, string network)
    {
        var state = SafeTensors.Load(Fixture(file + ".safetensors"));
        var io = SafeTensors.Load(Fixture(file + ".io.safetensors"));
        using var net = (nn.Module<Tensor, Tensor>)Support.Catalogue.Networks[network]();
        StateDicts.Load(net, state, StateDicts.SequentialPrefixes(state, net), file);
        net.eval();
        using var _ = no_grad();
        var output = net.forward(io["input"]);
        Assert.True(output.allclose(io["output"], rtol: 1e-4, atol: 1e-5),
            $"largest difference from PyTorch's output: {output.sub(io["output"]).abs().max().item<float>()}");
    }

    [Fact]
    public void PyTorch_names_without_a_prefix_map_are_refused_with_a_hint()
    {
        var state = SafeTensors.Load(Fixture("zoo-cnn.safetensors"));
        using var net = new ZooCnn();
        var thrown = Assert.Throws<InvalidOperationException>(() => StateDicts.Load(net, state, origin: "zoo-cnn.safetensors"));
        Assert.Contains("missing 'Conv1.weight' (Float32 [16, 1, 3, 3])", thrown.Message);
        Assert.Contains("unexpected '0.weight'", thrown.Message);
        Assert.Contains("SequentialPrefixes", thrown.Message);
    }

    [Fact]
    public void A_missing_key_a_wrong_shape_and_a_wrong_dtype_are_named_with_the_expected_and_actual_and_nothing_is_copied()
    {
        var state = SafeTensors.Load(Fixture("batch-norm-cnn.safetensors")).ToDictionary(kv => kv.Key, kv => kv.Value);
        using var net = new BatchNormCnn();
        var prefixes = StateDicts.SequentialPrefixes(state, net);
        var before = net.Conv1.weight!.clone();
        state.Remove("1.running_var");
        state["4.weight"] = state["4.weight"].to(float64);
        state["9.bias"] = zeros(11);
        var thrown = Assert.Throws<InvalidOperationException>(() => StateDicts.Load(net, state, prefixes, "edited.safetensors"));
        Assert.StartsWith("edited.safetensors does not fit BatchNormCnn", thrown.Message);
        foreach (var part in new[] { "missing 'Bn1.running_var' (Float32 [8])", "'4.weight' (as 'Conv2.weight') is Float64 [12, 8, 3, 3], expected Float32 [12, 8, 3, 3]",
                     "'9.bias' (as 'Head.bias') is Float32 [11], expected Float32 [10]" })
            Assert.True(thrown.Message.Contains(part), $"no \"{part}\" in: {thrown.Message}");
        Assert.True(net.Conv1.weight!.equal(before).all().item<bool>(), "a refused state dict changed the module");
    }

    [Fact]
    public void Debian_python3_torch_writes_the_fixtures_again_bit_for_bit_and_reads_what_GmnGen_writes()
    {
        // PyTorch → GmnGen: the script, run now, writes what the committed fixtures hold.
        var (code, output) = Packaging.Shell.Run(folder, "/usr/bin/python3", Path.Combine(RepoRoot.Path, "scripts/pytorch-interop.py"), "write", folder);
        Assert.True(code == 0, $"scripts/pytorch-interop.py write failed (Debian's python3-torch is needed; ./test.sh installs it):\n{output}");
        foreach (var name in new[] { "dtypes", "zoo-cnn", "batch-norm-cnn" })
        {
            var fresh = SafeTensors.Load(Path.Combine(folder, name + ".safetensors"));
            var committed = SafeTensors.Load(Fixture(name + ".safetensors"));
            Assert.Equal(committed.Keys.Order(), fresh.Keys.Order());
            foreach (var (key, tensor) in committed)
                Assert.True(tensor.dtype == fresh[key].dtype && tensor.bytes.ToArray().SequenceEqual(fresh[key].bytes.ToArray()), $"{name}: '{key}' differs from the committed fixture");
        }

        // GmnGen → PyTorch: every dtype and a generated network's state dict, read by torch.
        var dtypes = Path.Combine(folder, "from-gmngen-dtypes.safetensors");
        SafeTensors.Save(dtypes, SafeTensors.Load(Fixture("dtypes.safetensors")).Select(kv => (kv.Key, kv.Value)).ToList());
        var read = Packaging.Shell.Run(folder, "/usr/bin/python3", Path.Combine(RepoRoot.Path, "scripts/pytorch-interop.py"), "read", dtypes);
        Assert.True(read.Code == 0, read.Output);
        foreach (var line in new[] { "F64\tfloat64\t[6]\t-3", "BF16\tbfloat16\t[6]\t-3", "I8\tint8\t[6]\t-3", "U8\tuint8\t[6]\t765", "BOOL\tbool\t[6]\t2" })
            Assert.Contains(line, read.Output);
        using var net = new BatchNormCnn();
        var state = Path.Combine(folder, "from-gmngen-state.safetensors");
        SafeTensors.Save(state, net.state_dict().Select(kv => (kv.Key, kv.Value)).ToList());
        var readState = Packaging.Shell.Run(folder, "/usr/bin/python3", Path.Combine(RepoRoot.Path, "scripts/pytorch-interop.py"), "read", state);
        Assert.True(readState.Code == 0, readState.Output);
        Assert.Contains("Bn1.num_batches_tracked\tint64\t[]\t0", readState.Output);
        Assert.Contains("Bn2.running_var\tfloat32\t[12]\t12", readState.Output);
        Assert.Contains($"Conv1.weight\tfloat32\t[8, 1, 3, 3]\t", readState.Output);
    }

    [Fact]
    public void Prefixes_for_a_module_with_another_number_of_layers_are_refused()
    {
        var state = SafeTensors.Load(Fixture("zoo-cnn.safetensors"));
        using var net = new BatchNormCnn();
        var thrown = Assert.Throws<InvalidOperationException>(() => StateDicts.SequentialPrefixes(state, net, "zoo-cnn.safetensors"));
        Assert.Contains("zoo-cnn.safetensors has 4 modules with state (0, 2, 4, 8), BatchNormCnn has 5", thrown.Message);
    }
}
