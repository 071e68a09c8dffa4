using System.Collections.Generic;
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
    public static void Fit(IEnumerable<ParameterGraph> graphs, Tensor mean, Tensor std)
    {
        long edgeTypes = mean.shape[0];
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var sums = zeros(edgeTypes, dtype: float64);
        var squares = zeros(edgeTypes, dtype: float64);
        var counts = zeros(edgeTypes, dtype: float64);
        foreach (var graph in graphs)
        {
            var type = graph.EdgeFeatures[.., 1];
            var v = graph.EdgeValues.to(CPU).to(float64);
            sums.index_add_(0, type, v, 1.0);
            squares.index_add_(0, type, v * v, 1.0);
            counts.index_add_(0, type, ones_like(v), 1.0);
        }
        var fittedMean = sums / counts.clamp_min(1);
        var fittedStd = (squares / counts.clamp_min(1) - fittedMean * fittedMean).clamp_min(0).sqrt();
        var seen = counts > 0;
        mean.copy_(where(seen, fittedMean, zeros_like(fittedMean)).to(mean.dtype).to(mean.device));
        std.copy_(where(seen & (fittedStd > 1e-8), fittedStd, ones_like(fittedStd)).to(std.dtype).to(std.device));
    }
}
