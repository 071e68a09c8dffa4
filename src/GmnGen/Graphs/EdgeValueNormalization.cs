using System.Collections.Generic;
using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Graphs;

/// <summary>
/// Per-edge-type standardisation of parameter values, fitted on training graphs: weight values differ
/// in scale by orders of magnitude across parameter kinds (a BatchNorm running variance versus a conv
/// weight). A per-type affine map keeps every network's own scale information and touches no symmetry.
/// Shared by the GMN and the DeepSets baseline, so both see values the same way.
/// </summary>
public static class EdgeValueNormalization
{
    /// <summary>
    /// Writes each edge type's mean and standard deviation over <paramref name="graphs"/> into
    /// <paramref name="mean"/> and <paramref name="std"/> (float32 [edgeTypes]); unseen types get 0 and 1,
    /// constant ones a std of 1.
    /// </summary>
    /// <param name="graphs">The training graphs.</param>
    /// <param name="mean">Receives the means.</param>
    /// <param name="std">Receives the standard deviations.</param>
    /// <param name="values">The values to fit on, per graph (default: its <see cref="ParameterGraph.EdgeValues"/>), for a
    /// metanet that transforms them before standardising.</param>
    public static void Fit(IEnumerable<ParameterGraph> graphs, Tensor mean, Tensor std, System.Func<ParameterGraph, Tensor>? values = null)
    {
        long edgeTypes = mean.shape[0];
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var sums = zeros(edgeTypes, dtype: float64);
        var squares = zeros(edgeTypes, dtype: float64);
        var counts = zeros(edgeTypes, dtype: float64);
        var one = Scalars.One;
        foreach (var graph in graphs)
        {
            var type = graph.EdgeFeatures[.., 1];
            var v = (values is null ? graph.EdgeValues : values(graph)).to(CPU).to(float64);
            sums.index_add_(0, type, v, one);
            squares.index_add_(0, type, v.mul(v), one);
            counts.index_add_(0, type, ones_like(v), one);
        }
        var divisor = counts.clamp_min(one);
        var fittedMean = sums.div(divisor);
        var fittedStd = squares.div(divisor).sub_(fittedMean.mul(fittedMean)).clamp_min_(Scalars.Zero).sqrt_();
        var seen = counts.gt(Scalars.Zero);
        mean.copy_(where(seen, fittedMean, zeros_like(fittedMean)).to(mean.dtype).to(mean.device));
        std.copy_(where(seen.logical_and(fittedStd.gt(Scalars.Of(1e-8))), fittedStd, ones_like(fittedStd)).to(std.dtype).to(std.device));
    }
}
