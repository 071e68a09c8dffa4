using System;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Runtime;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>
/// StatNN's view of the weights, computed inside the metanet: for every graph, layer slot and kind of
/// parameter (<see cref="KindOf"/>), the mean, standard deviation and 0/25/50/75/100 % quantiles of the
/// standardised edge values (<see cref="GmnConfig.ReadoutValueStatistics"/>). A permutation of hidden
/// units moves values only within their layer and kind, so every statistic is invariant; unlike
/// StatNN's slots, keyed by tensor name, these are keyed by what any architecture has (layer index and
/// parameter kind).
/// </summary>
public static class ValueStatistics
{
    /// <summary>Statistics per (graph, slot, kind): mean, standard deviation and the <see cref="Quantiles"/>.</summary>
    public const int PerSegment = 7;

    /// <summary>The quantiles read (nearest rank), after the mean and the standard deviation.</summary>
    public static readonly double[] Quantiles = [0, 0.25, 0.5, 0.75, 1];

    /// <summary>Kinds of parameter: weights, biases, norm scales, norm shifts, running means, running variances, embeddings.</summary>
    public const int Kinds = 7;

    /// <summary>Statistics per graph for <paramref name="slots"/> layer slots.</summary>
    public static int Width(int slots) => slots * Kinds * PerSegment;

    /// <summary>The kind of an edge type's values, or −1 for the constant edges (residual, head membership) that carry no weight.</summary>
    public static int KindOf(EdgeType type) => type switch
    {
        EdgeType.LinearWeight or EdgeType.ConvWeight or EdgeType.DeepSetsWeight or EdgeType.DeepSetsPooledWeight
            or EdgeType.AttentionQuery or EdgeType.AttentionKey or EdgeType.AttentionValue or EdgeType.AttentionOutput => 0,
        EdgeType.LinearBias or EdgeType.ConvBias or EdgeType.DeepSetsBias or EdgeType.AttentionQueryBias
            or EdgeType.AttentionKeyBias or EdgeType.AttentionValueBias or EdgeType.AttentionOutputBias => 1,
        EdgeType.BatchNormWeight or EdgeType.LayerNormWeight or EdgeType.GroupNormWeight or EdgeType.InstanceNormWeight => 2,
        EdgeType.BatchNormBias or EdgeType.LayerNormBias or EdgeType.GroupNormBias or EdgeType.InstanceNormBias => 3,
        EdgeType.BatchNormRunningMean => 4,
        EdgeType.BatchNormRunningVar => 5,
        EdgeType.PositionalEmbedding or EdgeType.ClassToken => 6,
        _ => -1,
    };

    /// <summary>
    /// float32 [graphs, <see cref="Width"/>(slots)]: per graph, slot-major then kind, the seven statistics of
    /// its values in each (layer slot, kind); zero where a graph has no such values. Each statistic goes
    /// through a signed log, sign(x)·ln(1 + |x|), which keeps its order and tames the tails (a standardised
    /// running variance can reach hundreds). No gradient: the statistics depend on the inputs alone.
    /// </summary>
    /// <param name="values">float [E]: the standardised edge values.</param>
    /// <param name="edgeType">int64 [E]: each edge's <see cref="EdgeType"/> code.</param>
    /// <param name="edgeLayer">int64 [E]: each edge's layer index (deeper layers share the last slot).</param>
    /// <param name="edgeGraph">int64 [E]: each edge's graph.</param>
    /// <param name="graphCount">Graphs in the batch.</param>
    /// <param name="slots">Layer slots (at least 1).</param>
    public static Tensor PerGraph(Tensor values, Tensor edgeType, Tensor edgeLayer, Tensor edgeGraph, int graphCount, int slots)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var device = values.device;
        long segments = (long)graphCount * slots * Kinds;
        // Constant edges go to one extra segment past the end, dropped at the end.
        var kindTable = tensor(Enumerable.Range(0, KindTableSize).Select(t => (long)KindOf((EdgeType)t)).ToArray()).to(device);
        var kind = kindTable.index_select(0, edgeType);
        var segment = edgeGraph.mul(Scalars.Of((long)slots)).add_(edgeLayer.clamp(Scalars.Of(0L), Scalars.Of((long)slots - 1)), Scalars.Of(1L))
            .mul_(Scalars.Of((long)Kinds)).add_(kind, Scalars.Of(1L));
        segment = where(kind.lt(Scalars.Of(0L)), full_like(segment, Scalars.Of(segments)), segment);

        var v = values.to(float64);
        var counts = zeros(segments + 1, dtype: int64, device: device).index_add_(0, segment, ones_like(segment), Scalars.Of(1L));
        var divisor = counts.to(float64).clamp_min(Scalars.One);
        var mean = zeros(segments + 1, dtype: float64, device: device).index_add_(0, segment, v, Scalars.One).div_(divisor);
        var centred = v.sub(mean.index_select(0, segment));
        var std = zeros(segments + 1, dtype: float64, device: device).index_add_(0, segment, centred.mul(centred), Scalars.One).div_(divisor).sqrt_();

        // One sort orders the values by (segment, value): the key is the segment plus the value mapped
        // monotonically into [0, 1), which float64 resolves finely at any segment count a batch has.
        var key = segment.to(float64).add_(v.atan().div_(Scalars.Of(Math.PI)).add_(Scalars.Of(0.5), Scalars.One).mul_(Scalars.Of(0.999)), Scalars.One);
        var sorted = v.index_select(0, key.argsort());
        var start = counts.cumsum(0).sub_(counts);
        var last = counts.sub(Scalars.Of(1L)).clamp_min(Scalars.Of(0L)).to(float64);
        var columns = new Tensor[PerSegment];
        columns[0] = mean;
        columns[1] = std;
        long maxIndex = Math.Max(0, values.shape[0] - 1);
        for (int q = 0; q < Quantiles.Length; q++)
        {
            var rank = last.mul(Scalars.Of(Quantiles[q])).round_().to(int64).add_(start, Scalars.Of(1L)).clamp_(Scalars.Of(0L), Scalars.Of(maxIndex));
            columns[2 + q] = sorted.index_select(0, rank);
        }
        var present = counts.gt(Scalars.Of(0L)).to(float64).unsqueeze(1);
        var stats = stack(columns, 1).mul_(present).narrow(0, 0, segments);
        var squashed = stats.sign().mul_(stats.abs().log1p_());
        return squashed.to(float32).reshape(graphCount, -1).MoveToOuterDisposeScope();
    }

    private static readonly int KindTableSize = (int)Enum.GetValues<EdgeType>().Max() + 1;
}
