using System;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;
using static GmnGen.Tests.Metanet.MetanetTesting;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// The --device choice: parsed case-insensitively, resolved to the CPU or to CUDA, refused with a
/// fix when CUDA is asked for and absent; and a metanet computes where its weights are.
/// </summary>
public class DeviceTests
{
    [Theory]
    [InlineData("auto", DeviceChoice.Auto)]
    [InlineData("AUTO", DeviceChoice.Auto)]
    [InlineData("cpu", DeviceChoice.Cpu)]
    [InlineData("Cpu", DeviceChoice.Cpu)]
    [InlineData(" cpu ", DeviceChoice.Cpu)]
    [InlineData("cuda", DeviceChoice.Cuda)]
    [InlineData("CUDA", DeviceChoice.Cuda)]
    public void Parse_accepts_auto_cpu_and_cuda_in_any_case(string text, DeviceChoice expected)
    {
        Assert.Equal(expected, DeviceChoices.Parse(text));
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("")]
    [InlineData("cuda:0")]
    [InlineData("mps")]
    public void Parse_rejects_anything_else_naming_the_input_and_the_choices(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => DeviceChoices.Parse(text));
        Assert.Contains($"'{text}'", error.Message);
        foreach (var choice in new[] { "auto", "cpu", "cuda" }) Assert.Contains(choice, error.Message);
    }

    [Fact]
    public void Cpu_resolves_to_the_cpu()
    {
        Assert.Equal(DeviceType.CPU, DeviceChoice.Cpu.Resolve().type);
    }

    [Fact]
    public void Cuda_resolves_to_cuda_when_there_is_a_gpu_and_otherwise_names_the_build_switch()
    {
        if (cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, DeviceChoice.Cuda.Resolve().type);
            return;
        }
        var error = Assert.Throws<InvalidOperationException>(() => DeviceChoice.Cuda.Resolve());
        Assert.Contains("-p:GmnGenTorchBackend=cuda", error.Message);
        Assert.Contains("--device cpu", error.Message);
    }

    [Fact]
    public void Auto_resolves_to_cuda_exactly_when_there_is_a_gpu()
    {
        Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, DeviceChoice.Auto.Resolve().type);
    }

    [Fact]
    public void A_metanets_outputs_and_batches_live_on_its_device()
    {
        var device = DeviceChoice.Auto.Resolve();
        var metanet = CreateMetanet(Small with { ReverseEdges = true, GlobalFeature = true }, seed: 130);
        metanet.to(device);
        Assert.Equal(device.type, metanet.Device.type);
        Assert.All(metanet.state_dict().Values, t => Assert.Equal(device.type, t.device.type));
        var graphs = new[] { Graph("TinyMlp", 131), Graph("BatchNormCnn", 132) };
        using var batch = GraphBatch.Collate(graphs, metanet.Device);
        Assert.Equal(device.type, batch.Device.type);
        Assert.All(new[] { batch.NodeFeatures, batch.EdgeIndex, batch.EdgeFeatures, batch.NodeGraph, batch.EdgeGraph, batch.NodeCounts, batch.InDegree },
            t => Assert.Equal(device.type, t.device.type));
        using var _ = no_grad();
        Assert.Equal(device.type, metanet.forward(batch).device.type);
        Assert.Equal(device.type, metanet.Predict(graphs).device.type);
    }

    [Fact]
    public void A_metanet_on_the_cpu_gives_the_same_outputs_as_one_moved_there_and_back()
    {
        // Moving weights and buffers (the value normalisation too) keeps the function.
        var device = DeviceChoice.Auto.Resolve();
        var metanet = CreateMetanet(Small, seed: 133);
        var graphs = new[] { Graph("TinyMlp", 134), Graph("RowCnn", 135) };
        var before = Run(metanet, graphs);
        metanet.to(device);
        var there = Run(metanet, graphs).cpu();
        metanet.to(CPU);
        var back = Run(metanet, graphs);
        Assert.True(back.equal(before).all().item<bool>(), $"outputs {Show(before)} became {Show(back)} after a round trip to {device}");
        Assert.True(there.allclose(before, rtol: 0, atol: 1e-4), $"outputs on {device}: {Show(there)}, on the CPU: {Show(before)}");
    }
}
