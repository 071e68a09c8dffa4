using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Graphs;

/// <summary>
/// The distinct (source, destination) node pairs of a graph's edges, and each edge's pair. A k × k
/// convolution's kernel has k² edges between the same two channels: the metanet's per-edge terms
/// that depend only on the two end nodes are computed once per pair and gathered once per edge
/// (ZooCnn: 746 pairs for 4,970 edges).
/// </summary>
/// <param name="Pairs">int64 [2, P]: source and destination of every pair, ordered by (source, destination).</param>
/// <param name="EdgePair">int64 [E]: the pair of every edge.</param>
public sealed record EndpointPairs(Tensor Pairs, Tensor EdgePair)
{
    /// <summary>The pairs of <paramref name="edgeIndex"/> (int64 [2, E]) over <paramref name="nodeCount"/> nodes;
    /// the tensors belong to the caller's dispose scope.</summary>
    public static EndpointPairs Of(Tensor edgeIndex, long nodeCount)
    {
        using var nodes = nodeCount.ToScalar();
        var key = edgeIndex[0].mul(nodes).add_(edgeIndex[1], Scalars.Of(1L));
        var (unique, inverse, _) = key.unique(sorted: true, return_inverse: true);
        var pairs = stack([unique.div(nodes, rounding_mode: RoundingMode.floor), unique.remainder(nodes)], 0);
        return new EndpointPairs(pairs, inverse!);
    }
}
