using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Metanet;
using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// DeepSets (Zaheer et al. 2017) over all parameters of a network, the GMN paper's set baseline:
/// every parameter is a set element described by its value (standardised per edge type, as the GMN
/// does) and a learned embedding of its type; <c>rho(mean phi(element))</c>. It sees neither the
/// connections nor the positions of the parameters, only their multiset per type.
/// </summary>
internal sealed class DeepSetsNetwork : Module<IReadOnlyList<ParameterGraph>, Tensor>
{
    /// <summary>Size of the edge-type vocabulary: every <see cref="EdgeType"/>.</summary>
    private static readonly int EdgeTypes = (int)Enum.GetValues<EdgeType>().Max() + 1;

    private readonly Embedding edgeType;
    private readonly Mlp phi, rho;
    /// <summary>Per edge type mean and standard deviation of the training values (see <see cref="FitValueNormalization"/>).</summary>
    private readonly Tensor value_mean, value_std;

    public DeepSetsNetwork(int hidden, int layers, int typeEmbedding) : base(nameof(DeepSetsNetwork))
    {
        edgeType = Embedding(EdgeTypes, typeEmbedding);
        phi = new Mlp(1 + typeEmbedding, hidden, layers - 1, hidden);
        rho = new Mlp(hidden, hidden, layers - 1, 1);
        value_mean = zeros(EdgeTypes);
        value_std = ones(EdgeTypes);
        RegisterComponents();
        ModuleOwnership.OwnState(this);   // built inside a caller's dispose scope, the state still stays with the module
    }

    public Device Device => value_mean.device;

    /// <summary>One raw output per graph, [graphs, 1].</summary>
    public override Tensor forward(IReadOnlyList<ParameterGraph> graphs)
    {
        var device = Device;
        var values = cat(graphs.Select(g => g.EdgeValues.to(device)).ToArray(), 0).to(float32);
        var types = cat(graphs.Select(g => g.EdgeFeatures[.., 1]).ToArray(), 0).to(device);
        var counts = tensor(graphs.Select(g => (long)g.EdgeCount).ToArray());
        var element = Scalars.Arange(0, graphs.Count).repeat_interleave(counts).to(device);
        // Residual edges carry the constant 1, not a parameter: they are not set elements.
        if (graphs.Any(g => !g.Topology.IsIdentityGather))
        {
            var parameter = types.ne(Scalars.Of((long)EdgeType.Residual));
            values = values.masked_select(parameter);
            types = types.masked_select(parameter);
            element = element.masked_select(parameter);
        }
        var standardised = (values - value_mean.index_select(0, types)) / value_std.index_select(0, types);
        var encoded = phi.forward(cat([standardised.unsqueeze(1), edgeType.forward(types)], 1));
        var perGraph = zeros(graphs.Count, dtype: float32, device: device).index_add_(0, element, ones_like(values), Scalars.One);
        return rho.forward(Pooling.MeanPerGraph(encoded, element, perGraph, graphs.Count));
    }

    /// <summary>Each edge type's mean and standard deviation over these (training) graphs' parameters:
    /// a per-type affine map, as <see cref="GraphMetanet.FitValueNormalization"/> makes for the GMN.</summary>
    public void FitValueNormalization(IEnumerable<ParameterGraph> graphs) =>
        EdgeValueNormalization.Fit(graphs, value_mean, value_std);
}
