using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace GmnGen.Metanet;

/// <summary>
/// The edge encoder of a training forward on tiles of <see cref="Rows"/> edges, forward and backward, where the blocks'
/// edge passes run on the tiles too (<see cref="EdgeEncoderTape"/>):
/// <code>
///   c = sin(v·f + p)               the value code, <see cref="Width"/> sinusoids of the edge's standardised value v
///   e = S[row] + c Wᵀ               the static code of the edge's architecture row plus the value code's map (W: [h, Width])
/// </code>
/// The libtorch composition writes and reads the E × <see cref="Width"/> code and its cosines several times and scatters
/// the E × h gradient into the static rows through a sort; here the code lives in a tile buffer, recomputed in the backward.
/// </summary>
internal static unsafe class EdgeEncoderKernels
{
    /// <summary>Edges per tile (a multiple of four, the product kernels' rows).</summary>
    public const int Rows = 16;

    /// <summary>Sinusoids per value (<see cref="GraphMetanet"/>'s value encoder: 4 × <see cref="GmnConfig.ScalarEncoding"/>, a
    /// multiple of 64 only where <see cref="Supports"/>).</summary>
    public static bool Supports(int width, int h) => EdgeTileKernels.Supports(h) && width > 0 && width % 64 == 0;

    /// <summary>One call's operands: per edge its standardised value and static row; the code's frequencies and phases;
    /// the static codes [rows, H]; the map as [Width, H] (Wᵀ, for the forward) and as [H, Width] (W, for the backward).</summary>
    public struct Operands
    {
        public int H, Width;
        public float* Values, Frequency, Phase, Static, MapIn, Map;
        public long* Row;
    }

    /// <summary>Where one thread sums its gradients: ∂S [rows, H], ∂Wᵀ [Width, H], ∂f and ∂p [Width].</summary>
    public struct Sums
    {
        public float* Static, MapIn, Frequency, Phase;
    }

    /// <summary>Edges [start, end): their encodings into <paramref name="output"/> ([E, H]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in Operands o, float* output, long start, long end)
    {
        int h = o.H, w = o.Width;
        var code = (float*)NativeMemory.AlignedAlloc((nuint)(Rows * w * sizeof(float)), 64);
        try
        {
            for (long i = start; i < end; i += Rows)
            {
                int m = (int)Math.Min(Rows, end - i);
                for (int r = 0; r < m; r++)
                {
                    Code(o, i + r, code + r * w, null);
                    Buffer.MemoryCopy(o.Static + o.Row[i + r] * h, output + (i + r) * h, (long)h * sizeof(float), (long)h * sizeof(float));
                }
                EdgeTileKernels.Products(code, w, o.MapIn, output + i * h, m, h);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(code);
        }
    }

    /// <summary>Edges [start, end) of the backward, from ∂e (<paramref name="grad"/>, [E, H]) into this thread's <paramref name="sums"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(in Operands o, in Sums sums, float* grad, long start, long end)
    {
        int h = o.H, w = o.Width;
        // The code and its cosines, ∂c, and (for the last, partial tile) ∂e padded with zero rows.
        var scratch = (float*)NativeMemory.AlignedAlloc((nuint)((3 * Rows * w + Rows * h) * sizeof(float)), 64);
        try
        {
            float* code = scratch, cosine = code + Rows * w, gradCode = cosine + Rows * w, padded = gradCode + Rows * w;
            for (long i = start; i < end; i += Rows)
            {
                int m = (int)Math.Min(Rows, end - i);
                float* g = grad + i * h;
                if (m < Rows)
                {
                    // Rows past the end stay zero in the code and in ∂e, so they add nothing to the sums.
                    new Span<float>(scratch, 3 * Rows * w + Rows * h).Clear();
                    Buffer.MemoryCopy(g, padded, (long)Rows * h * sizeof(float), (long)m * h * sizeof(float));
                    g = padded;
                }
                for (int r = 0; r < m; r++)
                {
                    Code(o, i + r, code + r * w, cosine + r * w);
                    float* into = sums.Static + o.Row[i + r] * h;
                    for (int j = 0; j < h; j += 16) Vector512.Store(Vector512.Load(into + j) + Vector512.Load(g + r * h + j), into + j);
                }
                new Span<float>(gradCode, Rows * w).Clear();
                EdgeTileKernels.Products(g, h, o.Map, gradCode, Rows, w);
                for (int p = 0; p < w; p += 4)
                    for (int j = 0; j < h; j += 64)
                        EdgeTileBackwardKernels.AccumulateOuter4x64(code + p, w, g + j, h, sums.MapIn + p * h + j, h, Rows);
                for (int r = 0; r < m; r++)
                {
                    var v = Vector512.Create(o.Values[i + r]);
                    for (int k = 0; k < w; k += 16)
                    {
                        var d = Vector512.Load(gradCode + r * w + k) * Vector512.Load(cosine + r * w + k);
                        Vector512.Store(Vector512.Load(sums.Phase + k) + d, sums.Phase + k);
                        Vector512.Store(Avx512F.FusedMultiplyAdd(d, v, Vector512.Load(sums.Frequency + k)), sums.Frequency + k);
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(scratch);
        }
    }

    /// <summary>Edge i's value code sin(v·f + p) into <paramref name="code"/> and, when asked, its cosines.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Code(in Operands o, long i, float* code, float* cosine)
    {
        var v = Vector512.Create(o.Values[i]);
        for (int k = 0; k < o.Width; k += 16)
        {
            var (sin, cos) = SinCos(Avx512F.FusedMultiplyAdd(v, Vector512.Load(o.Frequency + k), Vector512.Load(o.Phase + k)));
            Vector512.Store(sin, code + k);
            if (cosine != null) Vector512.Store(cos, cosine + k);
        }
    }

    /// <summary>sin x and cos x lane by lane (Cephes' single-precision scheme: x reduced by multiples of π/2 in three parts,
    /// then degree-7 and degree-8 polynomials on [−π/4, π/4]; within a few ulp of MathF.Sin/Cos for |x| up to 8192).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector512<float> Sin, Vector512<float> Cos) SinCos(Vector512<float> x)
    {
        var n = Avx512F.RoundScale(x * Vector512.Create(0.636619772367581343f), 0);   // nearest multiple of π/2 (ties to even)
        var r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-1.5703125f), x);
        r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-4.837512969970703125e-4f), r);
        r = Avx512F.FusedMultiplyAdd(n, Vector512.Create(-7.549789954891882e-8f), r);
        var r2 = r * r;
        var s = Vector512.Create(-1.9515295891e-4f);
        s = Avx512F.FusedMultiplyAdd(s, r2, Vector512.Create(8.3321608736e-3f));
        s = Avx512F.FusedMultiplyAdd(s, r2, Vector512.Create(-1.6666654611e-1f));
        s = Avx512F.FusedMultiplyAdd(s * r2, r, r);
        var c = Vector512.Create(2.443315711809948e-5f);
        c = Avx512F.FusedMultiplyAdd(c, r2, Vector512.Create(-1.388731625493765e-3f));
        c = Avx512F.FusedMultiplyAdd(c, r2, Vector512.Create(4.166664568298827e-2f));
        c = Avx512F.FusedMultiplyAdd(c * r2, r2, Avx512F.FusedMultiplyAdd(r2, Vector512.Create(-0.5f), Vector512<float>.One));
        // x = r + q·π/2: q's two low bits pick the quadrant (sin, cos) → (s, c), (c, −s), (−s, −c), (−c, s).
        var q = Vector512.ConvertToInt32(n);
        var swap = Vector512.Equals(q & Vector512<int>.One, Vector512<int>.One).AsSingle();
        var sin = Vector512.ConditionalSelect(swap, c, s);
        var cos = Vector512.ConditionalSelect(swap, s, c);
        var signBit = Vector512.Create(int.MinValue);
        var sinSign = Vector512.ShiftLeft(q & Vector512.Create(2), 30);                  // quadrants 2, 3
        var cosSign = Vector512.ShiftLeft((q + Vector512<int>.One) & Vector512.Create(2), 30);   // quadrants 1, 2
        return ((sin.AsInt32() ^ (sinSign & signBit)).AsSingle(), (cos.AsInt32() ^ (cosSign & signBit)).AsSingle());
    }
}
