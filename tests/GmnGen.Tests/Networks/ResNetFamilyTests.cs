using System;
using System.Linq;
using System.Text.RegularExpressions;
using GmnGen.Runtime;
using GmnGen.Symmetries;
using GmnGen.Tests.Support;
using GmnGen.Tests.Symmetries;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Tests.Networks;

/// <summary>
/// ResNet-18 and Bottleneck blocks as torchvision builds them: the generated forward is the
/// hand-written torchvision one (projection of a 1×1 convolution and a BatchNorm, ReLU after every
/// sum, read by the next block's skip), the full-width declaration has torchvision's parameter
/// count, and the graphs have the counts worked out below.
/// </summary>
public sealed class ResNetFamilyTests
{
    private static Tensor BasicBlock(Tensor x, Conv2d conv1, BatchNorm2d bn1, Conv2d conv2, BatchNorm2d bn2, (Conv2d Conv, BatchNorm2d Bn)? downsample = null)
    {
        var main = Bn(bn2, conv2.forward(nn.functional.relu(Bn(bn1, conv1.forward(x)))));
        var skip = downsample is { } d ? Bn(d.Bn, d.Conv.forward(x)) : x;
        return nn.functional.relu(main.add(skip, Scalars.One));
    }

    private static Tensor Bottleneck(Tensor x, Conv2d conv1, BatchNorm2d bn1, Conv2d conv2, BatchNorm2d bn2, Conv2d conv3, BatchNorm2d bn3, (Conv2d Conv, BatchNorm2d Bn)? downsample = null)
    {
        var main = nn.functional.relu(Bn(bn1, conv1.forward(x)));
        main = nn.functional.relu(Bn(bn2, conv2.forward(main)));
        main = Bn(bn3, conv3.forward(main));
        var skip = downsample is { } d ? Bn(d.Bn, d.Conv.forward(x)) : x;
        return nn.functional.relu(main.add(skip, Scalars.One));
    }

    /// <summary>TorchSharp's BatchNorm forward without its implicit Scalars (see BatchNormForward).</summary>
    private static Tensor Bn(BatchNorm2d norm, Tensor x) => GmnGen.Modules.BatchNormForward.Apply(norm, x);

    [Fact]
    public void ResNet18_computes_torchvisions_forward()
    {
        var (_, module, input) = FunctionPreservationTests.Prepare(nameof(ResNet18), seed: 18);
        var n = (ResNet18)module;
        using var _ = no_grad();
        var x = nn.functional.relu(Bn(n.Bn1, n.Conv1.forward(input)));
        x = BasicBlock(x, n.Layer1Block1Conv1, n.Layer1Block1Bn1, n.Layer1Block1Conv2, n.Layer1Block1Bn2);
        x = BasicBlock(x, n.Layer1Block2Conv1, n.Layer1Block2Bn1, n.Layer1Block2Conv2, n.Layer1Block2Bn2);
        x = BasicBlock(x, n.Layer2Block1Conv1, n.Layer2Block1Bn1, n.Layer2Block1Conv2, n.Layer2Block1Bn2, (n.Layer2Block1Downsample, n.Layer2Block1DownsampleBn));
        x = BasicBlock(x, n.Layer2Block2Conv1, n.Layer2Block2Bn1, n.Layer2Block2Conv2, n.Layer2Block2Bn2);
        x = BasicBlock(x, n.Layer3Block1Conv1, n.Layer3Block1Bn1, n.Layer3Block1Conv2, n.Layer3Block1Bn2, (n.Layer3Block1Downsample, n.Layer3Block1DownsampleBn));
        x = BasicBlock(x, n.Layer3Block2Conv1, n.Layer3Block2Bn1, n.Layer3Block2Conv2, n.Layer3Block2Bn2);
        x = BasicBlock(x, n.Layer4Block1Conv1, n.Layer4Block1Bn1, n.Layer4Block1Conv2, n.Layer4Block1Bn2, (n.Layer4Block1Downsample, n.Layer4Block1DownsampleBn));
        x = BasicBlock(x, n.Layer4Block2Conv1, n.Layer4Block2Bn1, n.Layer4Block2Conv2, n.Layer4Block2Bn2);
        var expected = n.Fc.forward(x.mean([2, 3]));

        var actual = module.forward(input);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"largest difference {actual.sub(expected).abs().max().item<float>()}");
    }

    [Fact]
    public void BottleneckResNet_computes_torchvisions_forward()
    {
        var (_, module, input) = FunctionPreservationTests.Prepare(nameof(BottleneckResNet), seed: 50);
        var n = (BottleneckResNet)module;
        using var _ = no_grad();
        var x = nn.functional.relu(Bn(n.Bn1, n.Conv1.forward(input)));
        x = Bottleneck(x, n.Block1Conv1, n.Block1Bn1, n.Block1Conv2, n.Block1Bn2, n.Block1Conv3, n.Block1Bn3, (n.Block1Downsample, n.Block1DownsampleBn));
        x = Bottleneck(x, n.Block2Conv1, n.Block2Bn1, n.Block2Conv2, n.Block2Bn2, n.Block2Conv3, n.Block2Bn3, (n.Block2Downsample, n.Block2DownsampleBn));
        x = Bottleneck(x, n.Block3Conv1, n.Block3Bn1, n.Block3Conv2, n.Block3Bn2, n.Block3Conv3, n.Block3Bn3);
        var expected = n.Fc.forward(x.mean([2, 3]));

        var actual = module.forward(input);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-5), $"largest difference {actual.sub(expected).abs().max().item<float>()}");
    }

    [Fact]
    public void ResNet18_at_full_width_has_torchvisions_11173962_parameters()
    {
        // The declaration the other tests run, every convolution eight times as wide (64 ... 512 channels).
        var source = Regex.Replace(TestNetworkSource.Of(nameof(ResNet18)), @"Conv2d\((\d+)", m => $"Conv2d({8 * int.Parse(m.Groups[1].Value)}");
        var type = InMemoryCompiler.Compile(source).GetType("GmnGen.Tests.Networks.ResNet18")!;
        using var module = (nn.Module<Tensor, Tensor>)Activator.CreateInstance(type)!;
        Assert.Equal(11_173_962, module.parameters().Sum(p => p.numel()));
        var layout = ((IGraphNetwork)module).GraphLayout;
        // Each of the 20 BatchNorms (4,800 channels) adds its running mean and variance; 8 sums of 64 to 512 channels add residual edges.
        Assert.Equal(11_173_962 + 2 * 4_800, layout.ValueCount);
        Assert.Equal(layout.ValueCount + 2 * (64 + 128 + 256 + 512), layout.EdgeCount);
        module.eval();
        using var _ = no_grad();
        Assert.Equal(new long[] { 1, 10 }, module.forward(zeros(1, 3, 32, 32)).shape);
    }

    [Fact]
    public void ResNet18_graph_has_a_node_per_channel_and_an_edge_per_value_and_summed_channel()
    {
        using var net = new ResNet18();
        // Convolutions 3·8·9 + 4·(8·8·9) in the stem and stage 1; per later stage of width w (input w/2):
        // (w/2)·w·9 + 3·w·w·9 + (w/2)·w for the 1×1 projection; BatchNorm weight and bias; the head.
        long convolutions = 216 + 4 * 576 + new[] { 16, 32, 64 }.Sum(w => (long)(w / 2) * w * 9 + 3L * w * w * 9 + (w / 2) * w);
        long bnChannels = 8 + 4 * 8 + 5 * (16 + 32 + 64);
        Assert.Equal(convolutions + 2 * bnChannels + 650, net.parameters().Sum(p => p.numel()));
        Assert.Equal(176_402, net.parameters().Sum(p => p.numel()));
        Assert.Equal(176_402 + 2 * bnChannels, ResNet18.GraphLayout.ValueCount);
        Assert.Equal(ResNet18.GraphLayout.ValueCount + 2 * (8 + 16 + 32 + 64), ResNet18.GraphLayout.EdgeCount);
        // 3 inputs, a node per convolution channel (no biases), 4 per BatchNorm, 10 outputs and a bias.
        Assert.Equal(3 + (8 + 4 * 8 + 5 * (16 + 32 + 64)) + 4 * 20 + 11, ResNet18.GraphLayout.NodeCount);
    }

    [Fact]
    public void ResNet18_has_a_group_per_stage_stream_and_per_block_interior()
    {
        var groups = ResNet18.Symmetries.Groups;
        Assert.Equal(12, groups.Count);
        // Stage 1's stream: the stem and both blocks' second convolutions; a later stage's: its projection too.
        var stage1 = groups.Single(g => g.Actions.Contains(new TensorAxis("Conv1.weight", 0)));
        Assert.Equal(3, stage1.Nodes.Count);
        Assert.Contains(new TensorAxis("Layer1Block2Conv2.weight", 0), stage1.Actions);
        Assert.Contains(new TensorAxis("Layer2Block1Downsample.weight", 1), stage1.Actions);
        var stage2 = groups.Single(g => g.Actions.Contains(new TensorAxis("Layer2Block1Downsample.weight", 0)));
        Assert.Equal(3, stage2.Nodes.Count);
        Assert.Contains(new TensorAxis("Layer2Block1DownsampleBn.weight", 0), stage2.Actions);
        Assert.Contains(new TensorAxis("Layer2Block2Conv2.weight", 0), stage2.Actions);
        Assert.Equal(8, groups.Count(g => g.Nodes.Count == 1 && g.Name.EndsWith("Conv1.channels") && g.Name.StartsWith("Layer")));
    }

    [Fact]
    public void Permuting_a_projection_blocks_output_but_not_the_next_blocks_input_changes_the_function()
    {
        // The sum after a projection is what the next identity block's skip reads: its channels and
        // the projection's are one group, and moving only the projection side breaks the function.
        var (_, module, input) = FunctionPreservationTests.Prepare(nameof(ResNet18), seed: 19);
        using var _ = no_grad();
        var before = module.forward(input);
        var stream = ResNet18.Symmetries.Groups.Single(g => g.Actions.Contains(new TensorAxis("Layer2Block1Downsample.weight", 0)));
        string[] projectionBlock = ["Layer2Block1Conv2.weight", "Layer2Block1Bn2.weight", "Layer2Block1Bn2.bias", "Layer2Block1Bn2.running_mean", "Layer2Block1Bn2.running_var",
            "Layer2Block1Downsample.weight", "Layer2Block1DownsampleBn.weight", "Layer2Block1DownsampleBn.bias", "Layer2Block1DownsampleBn.running_mean", "Layer2Block1DownsampleBn.running_var"];
        stream.Apply(SymmetrySpec.StateByName(module), Scalars.Arange(0, 16).roll(1), only: a => projectionBlock.Contains(a.Tensor));
        Assert.False(module.forward(input).allclose(before, rtol: 0, atol: 1e-4), "the projection's sum was not tied to the next block");
    }
}
