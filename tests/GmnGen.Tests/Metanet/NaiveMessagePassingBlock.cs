using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Metanet;

/// <summary>
/// The message-passing block written the plain way, as the oracle of <see cref="MessagePassingBlock"/>:
/// it builds the concatenations <c>[x_src, x_dst, e]</c> and <c>[x, agg_in, agg_out, u]</c>
/// explicitly and applies one matrix each, the product's split linears' weights concatenated along
/// the input dimension. LayerNorm, SiLU and the linear maps are spelled out; the mean aggregations
/// divide by counts taken from the edge index on the host, not from the batch.
/// The weights are the product block's own parameters (concatenated, not copied), so gradients
/// computed through the oracle land on the product's parameters.
/// </summary>
internal sealed class NaiveMessagePassingBlock
{
    private readonly Dictionary<string, Tensor> p;
    private readonly bool reverse, global;

    public NaiveMessagePassingBlock(MessagePassingBlock block, bool reverseEdges, bool globalFeature)
    {
        p = block.named_parameters().ToDictionary(kv => kv.name, kv => (Tensor)kv.parameter);
        reverse = reverseEdges;
        global = globalFeature;
        if (p.ContainsKey("nodeFromOutgoing.weight") != reverse || p.ContainsKey("globalOut.weight") != global)
            throw new ArgumentException("The block's parameters do not match the options given to the oracle.");
    }

    public BlockState Forward(BlockState state)
    {
        var batch = state.Batch;
        var (src, dst, nodeGraph, edgeGraph) = (batch.EdgeIndex[0], batch.EdgeIndex[1], batch.NodeGraph, batch.EdgeGraph);
        var (inCount, outCount, nodesPerGraph, edgesPerGraph) = Counts(batch);

        var x = LayerNorm(state.Nodes, "nodeNorm");
        var e = LayerNorm(state.Edges, "edgeNorm");
        var xSrc = x.index_select(0, src);
        var xDst = x.index_select(0, dst);

        // a = silu(A [x_src, x_dst, e]): the edge MLP's hidden layer, also every message
        var a = cat([p["edgeFromSource.weight"], p["edgeFromTarget.weight"], p["edgeFromSelf.weight"]], 1);
        var hidden = Silu(Affine(cat([xSrc, xDst, e], 1), a, p["edgeFromSelf.bias"]));
        var incoming = MeanInto(hidden, dst, inCount);

        var nodeParts = new List<Tensor> { x, incoming };
        var nodeWeights = new List<Tensor> { p["nodeFromSelf.weight"], p["nodeFromIncoming.weight"] };
        if (reverse)
        {
            // the same hidden features, mean over the outgoing edges of each node
            nodeParts.Add(MeanInto(hidden, src, outCount));
            nodeWeights.Add(p["nodeFromOutgoing.weight"]);
        }
        if (global)
        {
            nodeParts.Add(state.Global!.index_select(0, nodeGraph));
            nodeWeights.Add(p["nodeFromGlobal.weight"]);
        }
        // x' = N2 silu(C [x, agg_in, agg_out, u])
        var nodeUpdate = Affine(Silu(Affine(cat(nodeParts.ToArray(), 1), cat(nodeWeights.ToArray(), 1), p["nodeFromSelf.bias"])), "nodeOut");

        var nodes = state.Nodes + Affine(Silu(nodeUpdate), "nodeResidual");
        var edges = state.Edges + Affine(hidden, "edgeResidual");
        Tensor? u = state.Global;
        if (global)
        {
            var pooledNodes = MeanInto(nodeUpdate, nodeGraph, nodesPerGraph);
            var pooledEdges = MeanInto(hidden, edgeGraph, edgesPerGraph);
            var g = cat([p["globalFromSelf.weight"], p["globalFromNodes.weight"], p["globalFromEdges.weight"]], 1);
            u = u! + Affine(Silu(Affine(cat([u!, pooledNodes, pooledEdges], 1), g, p["globalFromSelf.bias"])), "globalOut");
        }
        return new BlockState(batch, nodes, edges, u);
    }

    private Tensor LayerNorm(Tensor rows, string name)
    {
        var mean = rows.mean([1], keepdim: true);
        var variance = (rows - mean).pow(2).mean([1], keepdim: true);
        return (rows - mean) / (variance + 1e-5).sqrt() * p[name + ".weight"] + p[name + ".bias"];
    }

    private static Tensor Silu(Tensor t) => t * t.sigmoid();

    private static Tensor Affine(Tensor input, Tensor weight, Tensor bias) => input.matmul(weight.t()) + bias;

    private Tensor Affine(Tensor input, string linear) => Affine(input, p[linear + ".weight"], p[linear + ".bias"]);

    /// <summary>Row sums into <paramref name="target"/> divided by the given counts (at least 1).</summary>
    private static Tensor MeanInto(Tensor rows, Tensor target, Tensor counts) =>
        zeros(counts.shape[0], rows.shape[1], dtype: rows.dtype).index_add(0, target, rows, 1.0) / counts.unsqueeze(1);

    /// <summary>In- and out-degrees and per-graph sizes, counted on the host from the index tensors.</summary>
    private static (Tensor In, Tensor Out, Tensor NodesPerGraph, Tensor EdgesPerGraph) Counts(GraphBatch batch)
    {
        int n = (int)batch.NodeCount, graphs = batch.GraphCount;
        var edges = batch.EdgeIndex.data<long>().ToArray();
        int e = edges.Length / 2;
        var inCount = new float[n];
        var outCount = new float[n];
        for (int i = 0; i < e; i++)
        {
            outCount[edges[i]]++;
            inCount[edges[e + i]]++;
        }
        var nodes = new float[graphs];
        foreach (var g in batch.NodeGraph.data<long>().ToArray()) nodes[g]++;
        var edgeCounts = new float[graphs];
        foreach (var g in batch.EdgeGraph.data<long>().ToArray()) edgeCounts[g]++;
        static Tensor AtLeastOne(float[] values) => tensor(values.Select(v => Math.Max(v, 1f)).ToArray());
        return (AtLeastOne(inCount), AtLeastOne(outCount), AtLeastOne(nodes), AtLeastOne(edgeCounts));
    }
}
