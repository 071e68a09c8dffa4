using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Probes;

/// <summary>
/// What a network does on a fixed set of probe inputs, per node of its parameter graph and at its
/// output. Hidden activations are read where the graph's edges read them: a neuron's or channel's
/// value is what the next Linear or convolution receives on that input (after the activation,
/// normalisation and pooling in between), so the features move with the nodes under every
/// permutation symmetry and a metanet that reads them stays invariant.
/// </summary>
/// <param name="NodeFeatures">float32 <c>[nodes, <see cref="NodeProbes.FeaturesPerNode"/>]</c>, row-major:
/// per node, the mean over probes of its (spatially averaged) activation and the standard deviation over
/// probes; 0 for nodes that carry no activation (biases, norm parameters) or whose reader is none of
/// Linear, convolution, DeepSets or attention input (an attention's inner query/key/value nodes).</param>
/// <param name="Outputs">float32 <c>[probes, outputs]</c>, row-major: the network's softmax output per probe.</param>
/// <param name="ProbeCount">Number of probe inputs.</param>
public sealed record ProbeReading(float[] NodeFeatures, float[] Outputs, int ProbeCount);

/// <summary>Reads <see cref="ProbeReading"/>s from live networks (<see cref="IGraphNetwork.ForwardObserved"/>).</summary>
public static class NodeProbes
{
    /// <summary>Features per node: mean and standard deviation over the probes.</summary>
    public const int FeaturesPerNode = 2;

    /// <summary>
    /// Runs <paramref name="network"/> once on <paramref name="probes"/> (<c>[probes, ..InputShape]</c>) in
    /// evaluation mode without autograd, and reduces what each node's reader saw.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="network"/> is not a TorchSharp module, or the probes are not a batch of its input shape.</exception>
    public static ProbeReading Read(IGraphNetwork network, Tensor probes)
    {
        var module = network as nn.Module ?? throw new ArgumentException($"{network.GraphLayout.Architecture} is not a TorchSharp module.", nameof(network));
        var layout = network.GraphLayout;
        long count = probes.shape[0];
        if (count < 2) throw new ArgumentException($"Probe features need at least 2 probe inputs (a standard deviation over them), got {count}.", nameof(probes));
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var inputs = new Dictionary<string, Tensor>();
            // The observer runs inside the generated forward's dispose scope, which frees what is made
            // there: each module's first input is copied out to this scope.
            var output = network.ForwardObserved(probes, (name, x) =>
            {
                if (!inputs.ContainsKey(name)) inputs[name] = x.detach().clone().MoveToOuterDisposeScope();
            });
            var features = new float[layout.NodeCount * FeaturesPerNode];
            foreach (var block in layout.Nodes.Where(b => b.Type is NodeType.Neuron or NodeType.Channel))
            {
                var perProbe = ReaderInput(layout, block, inputs, count) ?? OutputOf(layout, block, output, count);
                if (perProbe is null) continue;   // read by attention or a set layer only: no feature
                var mean = perProbe.mean([0]).data<float>().ToArray();
                var std = perProbe.std(0, unbiased: false).data<float>().ToArray();
                for (int i = 0; i < block.Count; i++)
                {
                    features[(block.Start + i) * FeaturesPerNode] = mean[i];
                    features[(block.Start + i) * FeaturesPerNode + 1] = std[i];
                }
            }
            var outputs = nn.functional.softmax(output.reshape(count, -1).to(float32), 1).data<float>().ToArray();
            return new ProbeReading(features, outputs, (int)count);
        }
        finally
        {
            module.train(wasTraining);
        }
    }

    /// <summary>Weights whose source nodes are their module's input channels (an attention's inner
    /// query/key/value nodes are read by its output projection inside the module: no feature there).</summary>
    private static readonly HashSet<EdgeType> ReaderTypes = [EdgeType.LinearWeight, EdgeType.ConvWeight, EdgeType.DeepSetsWeight, EdgeType.AttentionQuery];

    /// <summary>[probes, block.Count]: the block's slice of the input of the first layer whose weight
    /// edges leave these nodes (<see cref="ReaderTypes"/>), each channel averaged over its positions.</summary>
    private static Tensor? ReaderInput(ParameterGraphLayout layout, NodeBlock block, IReadOnlyDictionary<string, Tensor> inputs, long count)
    {
        foreach (var edges in layout.Edges)
        {
            if (!ReaderTypes.Contains(edges.Type) || edges.ValueOffset < 0 || edges.Diagonal) continue;
            if (block.Start < edges.SrcStart || block.Start + block.Count > edges.SrcStart + edges.SrcCount) continue;
            var weight = layout.State.First(s => s.Offset == edges.ValueOffset).Name;
            string reader = weight[..weight.LastIndexOf('.')];
            if (!inputs.TryGetValue(reader, out var x) || x.numel() % (count * edges.SrcCount) != 0) continue;
            // Channels first: a map [b, C, ...] and a flattened map [b, C·positions] (channel-major) alike.
            return x.reshape(count, edges.SrcCount, -1).mean([2]).narrow(1, block.Start - edges.SrcStart, block.Count).to(float32);
        }
        return null;
    }

    /// <summary>[probes, block.Count] for the output nodes (no reader): the network's output, channels averaged over positions.</summary>
    private static Tensor? OutputOf(ParameterGraphLayout layout, NodeBlock block, Tensor output, long count)
    {
        bool isOutput = block.Ordered && block.Layer == layout.Nodes.Max(b => b.Layer) && output.shape.Length >= 2 && output.shape[1] == block.Count;
        return isOutput ? output.reshape(count, block.Count, -1).mean([2]).to(float32) : null;
    }
}
