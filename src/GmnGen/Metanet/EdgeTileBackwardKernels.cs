using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GmnGen.Metanet;

/// <summary>
/// The backward pass of a block's edge pass on tiles of <see cref="Rows"/> edges held in the L1/L2 cache: it recomputes
/// the forward's LayerNorm and SiLU from the block's input edge states and the pre-activations the forward kept
/// (<see cref="EdgeTileKernels.Operands.Pre"/>), then takes every gradient in one pass over the edges:
/// <code>
///   n = LN(e),  z = W₁n + P_src + P_dst + b₁ (kept),  a = silu(z),  e' = e + W₂a + b₂   (forward)
///   ∂a = W₂ᵀ∂e' + ∂S_in[dst] + ∂S_out[src] + ∂S_pool[graph]                        (the sums' gradients gathered)
///   ∂z = ∂a ⊙ silu'(z)  →  ∂P_src[src], ∂P_dst[dst], ∂b₁ += ∂z                      (scattered)
///   ∂W₂ += ∂e'ᵀa,  ∂W₁ += ∂zᵀn,  ∂b₂ += ∂e',  ∂n = W₁ᵀ∂z
///   ∂e = ∂e' + LN-backward(∂n)  (written over ∂e'),  ∂γ, ∂β                          (per-thread sums)
/// </code>
/// Four h × h products per edge, on the same 4 × 64 AVX-512 kernel as
/// the forward (<see cref="EdgeTileKernels.Accumulate4x64"/>); the weight gradients are rank-<see cref="Rows"/> updates of
/// per-thread accumulators (<see cref="AccumulateOuter4x64"/>).
/// </summary>
internal static unsafe class EdgeTileBackwardKernels
{
    /// <summary>Edges per tile: enough rows that a weight-gradient update (which reads and writes an h × h accumulator)
    /// amortises that traffic over <see cref="Rows"/> rank-one terms; a multiple of four (the product kernel's rows).
    /// 32 instead of 16: the h = 128 backward ran 8 to 12 % faster on a Zen 5 (alternating harness runs), h = 64 the same;
    /// the tile's six buffers are then 96 KiB at h = 128, still in L2.</summary>
    public const int Rows = 32;

    /// <summary>One call's operands, shared by every thread.</summary>
    public struct Operands
    {
        public int H;
        /// <summary>[rows, H]: the block's input edge states (read only).</summary>
        public float* EdgesIn;
        /// <summary>[rows, H]: the forward's pre-activations z (read only).</summary>
        public float* Pre;
        /// <summary>[rows, H]: the gradient of the block's output edge states, overwritten with that of its input.</summary>
        public float* Grad;
        public float* Gamma, Beta;
        /// <summary>A's and Rₑ's edge weights as stored ([out, in]).</summary>
        public float* W1, W2;
        /// <summary>Gradients of the per-node sums of the hidden features (incoming; outgoing and per-graph, or null).</summary>
        public float* GradIncoming, GradOutgoing, GradPooled;
        public long* Src, Dst, Graph;
    }

    /// <summary>Where one thread sums its gradients: ∂P [nodes, 2H], ∂W₁ and ∂W₂ [H, H] (out, in), and the four vectors.</summary>
    public struct Sums
    {
        public float* Ends, W1, W2, BiasIn, BiasOut, Gamma, Beta;
    }

    /// <summary>Edges [start, end) of one block's backward edge pass, summed into <paramref name="sums"/> (this thread's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in Operands o, in Sums sums, long start, long end)
    {
        int h = o.H, tile = Rows * h;
        // Six tile buffers and the rows' reciprocal standard deviations, 64-byte aligned (one allocation per call).
        var scratch = (float*)NativeMemory.AlignedAlloc((nuint)((6 * tile + Rows) * sizeof(float)), 64);
        try
        {
            float* normalisedUnscaled = scratch, normalised = scratch + tile, pre = normalised + tile, hidden = pre + tile;
            float* gradHidden = hidden + tile, gradNormalised = gradHidden + tile, rstd = gradNormalised + tile;
            for (long i = start; i < end; i += Rows)
            {
                int m = (int)Math.Min(Rows, end - i);
                float* grad = o.Grad + i * h;
                float* z = o.Pre + i * h;   // the kept pre-activations, read in place
                if (m < Rows)
                {
                    // The last, partial tile: rows past the end stay zero in every buffer, so they add nothing.
                    new Span<float>(scratch, 6 * tile).Clear();
                    Buffer.MemoryCopy(grad, gradNormalised, (long)tile * sizeof(float), (long)m * h * sizeof(float));
                    grad = gradNormalised;   // a copy with zero rows, read until the LN backward; gradNormalised is zeroed below
                    Buffer.MemoryCopy(z, pre, (long)tile * sizeof(float), (long)m * h * sizeof(float));
                    z = pre;
                }
                for (int r = 0; r < m; r++)
                    Prepare(o, i + r, normalisedUnscaled + r * h, normalised + r * h, gradHidden + r * h, rstd + r);
                EdgeTileKernels.Products(grad, o.W2, gradHidden, Rows, h);
                for (int r = 0; r < Rows; r++)
                    ActivationBackward(o, sums, r < m ? i + r : -1, z + r * h, hidden + r * h, gradHidden + r * h, grad + r * h);
                for (int j = 0; j < h; j += 64)
                    for (int p = 0; p < h; p += 4)
                        AccumulateOuter4x64(grad + p, h, hidden + j, h, sums.W2 + p * h + j, h, Rows);
                for (int j = 0; j < h; j += 64)
                    for (int p = 0; p < h; p += 4)
                        AccumulateOuter4x64(gradHidden + p, h, normalised + j, h, sums.W1 + p * h + j, h, Rows);
                if (m < Rows) Buffer.MemoryCopy(gradNormalised, normalised, (long)tile * sizeof(float), (long)tile * sizeof(float));
                float* gradOut = m < Rows ? normalised : grad;   // where this tile's ∂e' rows are now
                new Span<float>(gradNormalised, tile).Clear();
                EdgeTileKernels.Products(gradHidden, o.W1, gradNormalised, Rows, h);
                for (int r = 0; r < m; r++)
                    NormBackward(o, sums, normalisedUnscaled + r * h, gradNormalised + r * h, rstd[r], gradOut + r * h, o.Grad + (i + r) * h);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(scratch);
        }
    }

    /// <summary>Row i: x̂ (the unscaled LayerNorm) and its 1/σ, n = γx̂ + β, and the gathered gradients of the sums the
    /// row's hidden features went into.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prepare(in Operands o, long i, float* unscaled, float* normalised, float* gradHidden, float* rstd)
    {
        int h = o.H;
        float* e = o.EdgesIn + i * h;
        var (mean, r) = EdgeTileKernels.NormStatistics(e, h);
        *rstd = r;
        var vMean = Vector512.Create(mean);
        var vRstd = Vector512.Create(r);
        float* into = o.GradIncoming + o.Dst[i] * h;
        float* outOf = o.GradOutgoing == null ? null : o.GradOutgoing + o.Src[i] * h;
        float* pool = o.GradPooled == null ? null : o.GradPooled + o.Graph[i] * h;
        for (int j = 0; j < h; j += 16)
        {
            var xh = (Vector512.Load(e + j) - vMean) * vRstd;
            Vector512.Store(xh, unscaled + j);
            Vector512.Store(xh * Vector512.Load(o.Gamma + j) + Vector512.Load(o.Beta + j), normalised + j);
            var g = Vector512.Load(into + j);
            if (outOf != null) g += Vector512.Load(outOf + j);
            if (pool != null) g += Vector512.Load(pool + j);
            Vector512.Store(g, gradHidden + j);
        }
    }

    /// <summary>a = silu(z) into <paramref name="hidden"/>, ∂z = ∂a ⊙ silu'(z) over ∂a, and, for a real row i (not a
    /// padding row, −1), ∂z scattered to the row's ends and summed into ∂b₁, ∂e' into ∂b₂.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ActivationBackward(in Operands o, in Sums sums, long i, float* pre, float* hidden, float* gradHidden, float* grad)
    {
        int h = o.H;
        float* toSrc = i < 0 ? null : sums.Ends + o.Src[i] * 2 * h;
        float* toDst = i < 0 ? null : sums.Ends + o.Dst[i] * 2 * h + h;
        for (int j = 0; j < h; j += 16)
        {
            var z = Vector512.Load(pre + j);
            var sigmoid = EdgeTileKernels.Reciprocal(Vector512<float>.One + EdgeTileKernels.Exp(-z));
            Vector512.Store(z * sigmoid, hidden + j);
            var dz = Vector512.Load(gradHidden + j) * sigmoid * (Vector512<float>.One + z * (Vector512<float>.One - sigmoid));
            Vector512.Store(dz, gradHidden + j);
            if (toSrc == null) continue;
            Vector512.Store(Vector512.Load(toSrc + j) + dz, toSrc + j);
            Vector512.Store(Vector512.Load(toDst + j) + dz, toDst + j);
            Vector512.Store(Vector512.Load(sums.BiasIn + j) + dz, sums.BiasIn + j);
            Vector512.Store(Vector512.Load(sums.BiasOut + j) + Vector512.Load(grad + j), sums.BiasOut + j);
        }
    }

    /// <summary>LayerNorm's backward for one row: ∂γ += ∂n ⊙ x̂, ∂β += ∂n, and ∂e = ∂e' + (∂x̂ − mean ∂x̂ − x̂ · mean(∂x̂ ⊙ x̂)) / σ
    /// with ∂x̂ = γ ⊙ ∂n, written to <paramref name="gradIn"/> (the row's place in the gradient tensor).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NormBackward(in Operands o, in Sums sums, float* unscaled, float* gradNormalised, float rstd, float* gradOut, float* gradIn)
    {
        int h = o.H;
        var s0 = Vector512<float>.Zero;
        var s1 = Vector512<float>.Zero;
        for (int j = 0; j < h; j += 16)
        {
            var dn = Vector512.Load(gradNormalised + j);
            var xh = Vector512.Load(unscaled + j);
            Vector512.Store(Avx512F.FusedMultiplyAdd(dn, xh, Vector512.Load(sums.Gamma + j)), sums.Gamma + j);
            Vector512.Store(Vector512.Load(sums.Beta + j) + dn, sums.Beta + j);
            var dxh = dn * Vector512.Load(o.Gamma + j);
            s0 += dxh;
            s1 = Avx512F.FusedMultiplyAdd(dxh, xh, s1);
        }
        var meanGrad = Vector512.Create(Vector512.Sum(s0) / h);
        var meanGradX = Vector512.Create(Vector512.Sum(s1) / h);
        var vRstd = Vector512.Create(rstd);
        for (int j = 0; j < h; j += 16)
        {
            var dxh = Vector512.Load(gradNormalised + j) * Vector512.Load(o.Gamma + j);
            var xh = Vector512.Load(unscaled + j);
            Vector512.Store(Vector512.Load(gradOut + j) + (dxh - meanGrad - xh * meanGradX) * vRstd, gradIn + j);
        }
    }

    /// <summary>C[0..3][0..63] += Σ_p A[p][0..3]ᵀ · B[p][0..63] over the <paramref name="rows"/> rows p of a tile: a rank-<paramref name="rows"/>
    /// update of four rows of a weight gradient (A's four columns are read with stride <paramref name="lda"/>, one row per edge).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AccumulateOuter4x64(float* a, int lda, float* b, int ldb, float* c, int ldc, int rows)
    {
        float* c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        var c00 = Vector512.Load(c); var c01 = Vector512.Load(c + 16); var c02 = Vector512.Load(c + 32); var c03 = Vector512.Load(c + 48);
        var c10 = Vector512.Load(c1); var c11 = Vector512.Load(c1 + 16); var c12 = Vector512.Load(c1 + 32); var c13 = Vector512.Load(c1 + 48);
        var c20 = Vector512.Load(c2); var c21 = Vector512.Load(c2 + 16); var c22 = Vector512.Load(c2 + 32); var c23 = Vector512.Load(c2 + 48);
        var c30 = Vector512.Load(c3); var c31 = Vector512.Load(c3 + 16); var c32 = Vector512.Load(c3 + 32); var c33 = Vector512.Load(c3 + 48);
        for (int p = 0; p < rows; p++)
        {
            float* x = a + (long)p * lda;
            float* row = b + (long)p * ldb;
            var b0 = Vector512.Load(row); var b1 = Vector512.Load(row + 16); var b2 = Vector512.Load(row + 32); var b3 = Vector512.Load(row + 48);
            var s = Vector512.Create(x[0]);
            c00 = Avx512F.FusedMultiplyAdd(s, b0, c00); c01 = Avx512F.FusedMultiplyAdd(s, b1, c01);
            c02 = Avx512F.FusedMultiplyAdd(s, b2, c02); c03 = Avx512F.FusedMultiplyAdd(s, b3, c03);
            s = Vector512.Create(x[1]);
            c10 = Avx512F.FusedMultiplyAdd(s, b0, c10); c11 = Avx512F.FusedMultiplyAdd(s, b1, c11);
            c12 = Avx512F.FusedMultiplyAdd(s, b2, c12); c13 = Avx512F.FusedMultiplyAdd(s, b3, c13);
            s = Vector512.Create(x[2]);
            c20 = Avx512F.FusedMultiplyAdd(s, b0, c20); c21 = Avx512F.FusedMultiplyAdd(s, b1, c21);
            c22 = Avx512F.FusedMultiplyAdd(s, b2, c22); c23 = Avx512F.FusedMultiplyAdd(s, b3, c23);
            s = Vector512.Create(x[3]);
            c30 = Avx512F.FusedMultiplyAdd(s, b0, c30); c31 = Avx512F.FusedMultiplyAdd(s, b1, c31);
            c32 = Avx512F.FusedMultiplyAdd(s, b2, c32); c33 = Avx512F.FusedMultiplyAdd(s, b3, c33);
        }
        Vector512.Store(c00, c); Vector512.Store(c01, c + 16); Vector512.Store(c02, c + 32); Vector512.Store(c03, c + 48);
        Vector512.Store(c10, c1); Vector512.Store(c11, c1 + 16); Vector512.Store(c12, c1 + 32); Vector512.Store(c13, c1 + 48);
        Vector512.Store(c20, c2); Vector512.Store(c21, c2 + 16); Vector512.Store(c22, c2 + 32); Vector512.Store(c23, c2 + 48);
        Vector512.Store(c30, c3); Vector512.Store(c31, c3 + 16); Vector512.Store(c32, c3 + 32); Vector512.Store(c33, c3 + 48);
    }
}
