using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GmnGen.Metanet;

/// <summary>
/// The whole inference edge pass of a block on tiles of <see cref="Rows"/> edges that stay in the CPU's caches: edge LayerNorm,
/// A's product with its node parts and bias, SiLU, the scatters, and the residual product accumulated straight
/// into the edge states. Only the edge states themselves travel to and from memory (the libtorch composition
/// writes and reads five E × h intermediates). The products are a 4-row × 64-column AVX-512 kernel
/// (<see cref="Accumulate4x64"/>); widths that are multiples of 64 only.
/// </summary>
internal static unsafe class EdgeTileKernels
{
    /// <summary>LayerNorm's ε (TorchSharp's default, which <see cref="MessagePassingBlock"/>'s edge norm uses).</summary>
    public const float NormEpsilon = 1e-5f;

    /// <summary>One call's operands: edge states [rows, H] and where their new states go, <see cref="Out"/> (the same rows
    /// for an update in place), where the pre-activations go, <see cref="Pre"/> [rows, H] (training keeps them for the
    /// backward; null: not kept), the per-node projections <see cref="Ends"/>
    /// [nodes, 2H] (source part, then destination part), the norm's γ and β, A's bias b₁, Rₑ's bias b₂ and the int64
    /// endpoints (and graphs, or null) of each edge.</summary>
    public struct Operands
    {
        public int H;
        public float* E, Out, Pre, Ends, Gamma, Beta, BiasIn, BiasOut;
        public long* Src, Dst, Graph;
    }

    /// <summary>Whether this CPU and width can run the tiles (AVX-512F, h a multiple of 64, at most <see cref="MaxWidth"/>).</summary>
    public static bool Supports(int h) => Avx512F.IsSupported && h % 64 == 0 && h > 0 && h <= MaxWidth;

    /// <summary>The widest rows the tiles take (a tile's buffers, 2 × 16 × h floats, are 256 KiB at this width).</summary>
    public const int MaxWidth = 2048;

    /// <summary>Edges per tile. Each product runs over one 64-column panel of its weight at a time for all the tile's rows, so
    /// the panel (k × 64 floats, 32 KiB at h = 128) is read from L2 into L1 once per tile and reused by all its rows; the rows'
    /// buffers (2 × 16 × h floats) stay in L1/L2 between the passes over them.</summary>
    public const int Rows = 16;

    /// <summary>Rows [start, end) of one block's inference edge pass; <paramref name="w1t"/> and <paramref name="w2t"/> are
    /// the transposed weights ([in, out], row-major); incoming/outgoing/pooled are this thread's scatter targets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in Operands o, float* w1t, float* w2t, long start, long end,
        float* incoming, float* outgoing, float* pooled)
    {
        int h = o.H;
        var buffers = (float*)NativeMemory.AlignedAlloc((nuint)(2 * Rows * h * sizeof(float)), 64);
        try
        {
            float* normalised = buffers, pre = buffers + Rows * h;
            for (long i = start; i < end; i += Rows)
            {
                int m = (int)Math.Min(Rows, end - i);
                for (int r = 0; r < m; r++) Prepare(o, i + r, normalised + r * h, pre + r * h);
                Products(normalised, w1t, pre, m, h);
                for (int r = 0; r < m; r++) Activate(o, i + r, pre + r * h, incoming, outgoing, pooled);
                Products(pre, w2t, o.Out + i * h, m, h);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(buffers);
        }
    }

    /// <summary>C[r] += A[r] · B for rows r &lt; <paramref name="rows"/> (A and C rows of h floats, B [h, h] row-major), panel by
    /// panel: each 64-column panel of B serves every row (four at a time, then one at a time) before the next is read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Products(float* a, float* b, float* c, int rows, int h) => Products(a, h, b, c, rows, h);

    /// <summary>C[r] += A[r] · B for rows r &lt; <paramref name="rows"/>: A [rows, k], B [k, n] and C [rows, n] row-major, n a
    /// multiple of 64, panel by panel as <see cref="Products(float*, float*, float*, int, int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Products(float* a, int k, float* b, float* c, int rows, int n)
    {
        for (int j = 0; j < n; j += 64)
        {
            int r = 0;
            for (; r + 4 <= rows; r += 4) Accumulate4x64(a + r * k, k, b + j, n, k, c + r * n + j, n);
            for (; r < rows; r++) Accumulate1x64(a + r * k, b + j, n, k, c + r * n + j);
        }
    }

    /// <summary>Row i: its LayerNorm into <paramref name="normalised"/>, A's node parts and bias into <paramref name="pre"/>,
    /// and the edge state plus b₂ into its output row (the residual product accumulates onto it later).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Prepare(in Operands o, long i, float* normalised, float* pre)
    {
        int h = o.H;
        float* e = o.E + i * h, output = o.Out + i * h;
        var (mean, rstd) = NormStatistics(e, h);
        var vMean = Vector512.Create(mean);
        var vRstd = Vector512.Create(rstd);
        float* fromSrc = o.Ends + o.Src[i] * 2 * h, fromDst = o.Ends + o.Dst[i] * 2 * h + h;
        for (int j = 0; j < h; j += 16)
        {
            var x = Vector512.Load(e + j);
            Vector512.Store((x - vMean) * vRstd * Vector512.Load(o.Gamma + j) + Vector512.Load(o.Beta + j), normalised + j);
            Vector512.Store(Vector512.Load(fromSrc + j) + Vector512.Load(fromDst + j) + Vector512.Load(o.BiasIn + j), pre + j);
            Vector512.Store(x + Vector512.Load(o.BiasOut + j), output + j);
        }
    }

    /// <summary>A row's mean and 1/√(variance + ε), LayerNorm's statistics (centred before squaring, as libtorch does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (float Mean, float Rstd) NormStatistics(float* e, int h)
    {
        var s0 = Vector512<float>.Zero;
        var s1 = Vector512<float>.Zero;
        for (int j = 0; j < h; j += 32)
        {
            s0 += Vector512.Load(e + j);
            s1 += Vector512.Load(e + j + 16);
        }
        float mean = Vector512.Sum(s0 + s1) / h;
        var vMean = Vector512.Create(mean);
        var q0 = Vector512<float>.Zero;
        var q1 = Vector512<float>.Zero;
        for (int j = 0; j < h; j += 32)
        {
            var d0 = Vector512.Load(e + j) - vMean;
            var d1 = Vector512.Load(e + j + 16) - vMean;
            q0 = Avx512F.FusedMultiplyAdd(d0, d0, q0);
            q1 = Avx512F.FusedMultiplyAdd(d1, d1, q1);
        }
        return (mean, 1f / MathF.Sqrt(Vector512.Sum(q0 + q1) / h + NormEpsilon));
    }

    /// <summary>SiLU of row i's pre-activation in place (the pre-activation kept first where <see cref="Operands.Pre"/> asks),
    /// summed into the scatter targets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Activate(in Operands o, long i, float* pre, float* incoming, float* outgoing, float* pooled)
    {
        int h = o.H;
        float* into = incoming + o.Dst[i] * h;
        float* outOf = outgoing == null ? null : outgoing + o.Src[i] * h;
        float* pool = pooled == null ? null : pooled + o.Graph[i] * h;
        float* keep = o.Pre == null ? null : o.Pre + i * h;
        for (int j = 0; j < h; j += 16)
        {
            var z = Vector512.Load(pre + j);
            if (keep != null) Vector512.Store(z, keep + j);
            var y = z * Reciprocal(Vector512<float>.One + Exp(-z));
            Vector512.Store(y, pre + j);
            Vector512.Store(Vector512.Load(into + j) + y, into + j);
            if (outOf != null) Vector512.Store(Vector512.Load(outOf + j) + y, outOf + j);
            if (pool != null) Vector512.Store(Vector512.Load(pool + j) + y, pool + j);
        }
    }

    /// <summary>C[0..3][0..63] += A[0..3][0..k) · B[0..k)[0..63]: sixteen accumulators held in registers over k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Accumulate4x64(float* a, int lda, float* b, int ldb, int k, float* c, int ldc)
    {
        float* c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        var c00 = Vector512.Load(c); var c01 = Vector512.Load(c + 16); var c02 = Vector512.Load(c + 32); var c03 = Vector512.Load(c + 48);
        var c10 = Vector512.Load(c1); var c11 = Vector512.Load(c1 + 16); var c12 = Vector512.Load(c1 + 32); var c13 = Vector512.Load(c1 + 48);
        var c20 = Vector512.Load(c2); var c21 = Vector512.Load(c2 + 16); var c22 = Vector512.Load(c2 + 32); var c23 = Vector512.Load(c2 + 48);
        var c30 = Vector512.Load(c3); var c31 = Vector512.Load(c3 + 16); var c32 = Vector512.Load(c3 + 32); var c33 = Vector512.Load(c3 + 48);
        float* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
        for (int p = 0; p < k; p++)
        {
            float* row = b + (long)p * ldb;
            var b0 = Vector512.Load(row); var b1 = Vector512.Load(row + 16); var b2 = Vector512.Load(row + 32); var b3 = Vector512.Load(row + 48);
            var x = Vector512.Create(a[p]);
            c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            c02 = Avx512F.FusedMultiplyAdd(x, b2, c02); c03 = Avx512F.FusedMultiplyAdd(x, b3, c03);
            x = Vector512.Create(a1[p]);
            c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            c12 = Avx512F.FusedMultiplyAdd(x, b2, c12); c13 = Avx512F.FusedMultiplyAdd(x, b3, c13);
            x = Vector512.Create(a2[p]);
            c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            c22 = Avx512F.FusedMultiplyAdd(x, b2, c22); c23 = Avx512F.FusedMultiplyAdd(x, b3, c23);
            x = Vector512.Create(a3[p]);
            c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            c32 = Avx512F.FusedMultiplyAdd(x, b2, c32); c33 = Avx512F.FusedMultiplyAdd(x, b3, c33);
        }
        Vector512.Store(c00, c); Vector512.Store(c01, c + 16); Vector512.Store(c02, c + 32); Vector512.Store(c03, c + 48);
        Vector512.Store(c10, c1); Vector512.Store(c11, c1 + 16); Vector512.Store(c12, c1 + 32); Vector512.Store(c13, c1 + 48);
        Vector512.Store(c20, c2); Vector512.Store(c21, c2 + 16); Vector512.Store(c22, c2 + 32); Vector512.Store(c23, c2 + 48);
        Vector512.Store(c30, c3); Vector512.Store(c31, c3 + 16); Vector512.Store(c32, c3 + 32); Vector512.Store(c33, c3 + 48);
    }

    /// <summary>One row of <see cref="Accumulate4x64"/>, for a tile's rows left over after the groups of four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate1x64(float* a, float* b, int ldb, int k, float* c)
    {
        var c0 = Vector512.Load(c); var c1 = Vector512.Load(c + 16); var c2 = Vector512.Load(c + 32); var c3 = Vector512.Load(c + 48);
        for (int p = 0; p < k; p++)
        {
            float* row = b + (long)p * ldb;
            var x = Vector512.Create(a[p]);
            c0 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(row), c0);
            c1 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(row + 16), c1);
            c2 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(row + 32), c2);
            c3 = Avx512F.FusedMultiplyAdd(x, Vector512.Load(row + 48), c3);
        }
        Vector512.Store(c0, c); Vector512.Store(c1, c + 16); Vector512.Store(c2, c + 32); Vector512.Store(c3, c + 48);
    }

    /// <summary>1/d lane by lane: the 14-bit hardware estimate and one Newton step (relative error ~2⁻²⁸, below float32's
    /// rounding), several times the throughput of a 512-bit division, which the SiLUs would otherwise wait on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Reciprocal(Vector512<float> d)
    {
        var r = Avx512F.Reciprocal14(d);
        return r * (Vector512.Create(2f) - d * r);
    }

    /// <summary>eˣ lane by lane (Cephes' single-precision scheme: 2ⁿ·e^r with |r| ≤ ln2/2 and a degree-6 polynomial;
    /// within 2 ulp of MathF.Exp over the clamped range [−87.3, 88.3], which keeps the result a finite normal float).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-87.3f)), Vector512.Create(88.3f));
        var n = Vector512.Floor(x * Vector512.Create(1.44269504088896341f) + Vector512.Create(0.5f));
        var r = x - n * Vector512.Create(0.693359375f) - n * Vector512.Create(-2.12194440e-4f);
        var p = Vector512.Create(1.9875691500e-4f);
        p = p * r + Vector512.Create(1.3981999507e-3f);
        p = p * r + Vector512.Create(8.3334519073e-3f);
        p = p * r + Vector512.Create(4.1665795894e-2f);
        p = p * r + Vector512.Create(1.6666665459e-1f);
        p = p * r + Vector512.Create(5.0000001201e-1f);
        p = p * r * r + r + Vector512<float>.One;
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
        return p * scale;
    }
}
