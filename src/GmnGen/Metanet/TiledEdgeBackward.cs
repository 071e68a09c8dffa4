using System;
using GmnGen.Batching;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>Runs <see cref="EdgeTileBackwardKernels"/> over all edges, one contiguous range per thread, each summing into
/// its own buffers (added up afterwards, so the result does not depend on timing).</summary>
internal static unsafe class TiledEdgeBackward
{
    private static float* Floats(Tensor t) => TiledEdgeInference.Floats(t);

    private static long* Longs(Tensor t) => TiledEdgeInference.Longs(t);

    private static Tensor Contiguous(Tensor t) => TiledEdgeInference.Contiguous(t);

    /// <summary>The pass's backward; <paramref name="gradEdges"/> (∂ of the output edge states) is overwritten with ∂ of the input ones.</summary>
    /// <param name="preActivations">The forward's pre-activations [E, h] (<see cref="EdgeTileKernels.Operands.Pre"/>).</param>
    public static EdgeGradients Run(EdgePassWeights w, Tensor edgesIn, Tensor preActivations, Tensor gradEdges,
        Tensor gradIncoming, Tensor? gradOutgoing, Tensor? gradPooled, GraphBatch batch)
    {
        long rows = edgesIn.shape[0];
        int h = (int)edgesIn.shape[1];
        int threads = TileThreads.For(rows);
        long nodes = batch.NodeCount, hh = (long)h * h;
        // Per thread: ∂P [nodes, 2h], then ∂W₁, ∂W₂ (h × h each) and ∂b₁, ∂b₂, ∂γ, ∂β (h each).
        var endSums = zeros(threads, nodes, 2 * h, dtype: float32);
        var weightSums = zeros(threads, 2 * hh + 4 * h, dtype: float32);
        if (rows > 0) Sum(w, edgesIn, preActivations, gradEdges, gradIncoming, gradOutgoing, gradPooled, batch, threads, endSums, weightSums);
        var gradEnds = threads == 1 ? endSums[0] : endSums.sum(0L);
        var weightGrads = threads == 1 ? weightSums[0] : weightSums.sum(0L);
        var parts = weightGrads.split([hh, hh, h, h, h, h]);
        return new EdgeGradients(gradEnds, parts[0].view(h, h), parts[2], parts[4], parts[5], parts[1].view(h, h), parts[3]);
    }

    /// <summary>Runs the kernels, each thread over its range of edges into its slice of <paramref name="endSums"/> and <paramref name="weightSums"/>.</summary>
    private static void Sum(EdgePassWeights w, Tensor edgesIn, Tensor preActivations, Tensor gradEdges, Tensor gradIncoming, Tensor? gradOutgoing,
        Tensor? gradPooled, GraphBatch batch, int threads, Tensor endSums, Tensor weightSums)
    {
        long rows = edgesIn.shape[0];
        int h = (int)edgesIn.shape[1];
        long nodes = batch.NodeCount, hh = (long)h * h;
        var w1 = w.W1.contiguous();
        var w2 = w.W2.contiguous();
        var src = Contiguous(batch.EdgeIndex[0]);
        var dst = Contiguous(batch.EdgeIndex[1]);
        var graph = gradPooled is null ? null : Contiguous(batch.EdgeGraph);
        var o = new EdgeTileBackwardKernels.Operands
        {
            H = h, EdgesIn = Floats(Contiguous(edgesIn)), Pre = Floats(preActivations), Grad = Floats(gradEdges),
            Gamma = Floats(w.Gamma), Beta = Floats(w.Beta), W1 = Floats(w1), W2 = Floats(w2),
            GradIncoming = Floats(gradIncoming), GradOutgoing = gradOutgoing is null ? null : Floats(gradOutgoing),
            GradPooled = gradPooled is null ? null : Floats(gradPooled),
            Src = Longs(src), Dst = Longs(dst), Graph = graph is null ? null : Longs(graph),
        };
        float* endBase = Floats(endSums), weightBase = Floats(weightSums);
        long endStride = nodes * 2 * h, weightStride = 2 * hh + 4 * h;
        void Range(long start, long end, int t)
        {
            float* ws = weightBase + t * weightStride;
            var sums = new EdgeTileBackwardKernels.Sums
            {
                Ends = endBase + t * endStride, W1 = ws, W2 = ws + hh,
                BiasIn = ws + 2 * hh, BiasOut = ws + 2 * hh + h, Gamma = ws + 2 * hh + 2 * h, Beta = ws + 2 * hh + 3 * h,
            };
            EdgeTileBackwardKernels.Run(o, sums, start, end);
        }
        TileThreads.Run(rows, threads, Range);
    }
}
