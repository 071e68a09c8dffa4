using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>
/// The edge encoder of a training forward whose first block runs on the tiles, on <see cref="EdgeEncoderKernels"/>: the
/// value code and its map are computed tile by tile into a fresh leaf (the first block's input edge states), and the
/// backward recomputes the code to give the gradients of the static codes, the map and the code's frequencies and
/// phases, which autograd carries on from there (the static codes into the static encoder). The value standardisation
/// before it (and its noise or dropout) stays in libtorch: it has no parameters.
/// </summary>
internal sealed unsafe class EdgeEncoderTape : ITiledTape
{
    private readonly Tensor values, rows, staticCode, frequency, phase, map;

    /// <param name="values">float32 [E]: each edge's standardised value (no gradient is taken through it).</param>
    /// <param name="rows">int64 [E]: each edge's row of <paramref name="staticCode"/> (the batch's, not owned).</param>
    /// <param name="staticCode">[rows, h]: the static codes (in the autograd graph; the tape takes it out of its dispose scope).</param>
    /// <param name="frequency">The value code's frequencies [1, width] (a parameter).</param>
    /// <param name="phase">Its phases [1, width] (a parameter).</param>
    /// <param name="map">The value code's map [h, width] (out, in; a parameter).</param>
    public EdgeEncoderTape(Tensor values, Tensor rows, Tensor staticCode, Tensor frequency, Tensor phase, Tensor map)
    {
        this.values = values.detach().contiguous().DetachFromDisposeScope();
        this.rows = rows;
        this.staticCode = staticCode.DetachFromDisposeScope();
        this.frequency = frequency;
        this.phase = phase;
        this.map = map;
        using var _ = no_grad();
        EdgesOut = Encode(this.values, rows, staticCode, frequency, phase, map).requires_grad_(true).DetachFromDisposeScope();
    }

    /// <summary>The edge encoder's forward on the tiles, without a tape (inference): new [E, h] edge states, in the caller's
    /// dispose scope. The arguments are the constructor's.</summary>
    public static Tensor Encode(Tensor values, Tensor rows, Tensor staticCode, Tensor frequency, Tensor phase, Tensor map)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        int h = (int)map.shape[0];
        long count = values.shape[0];
        var edges = empty(count, h, dtype: ScalarType.Float32);
        var o = Operands(values.detach().contiguous(), rows, frequency, phase, map.t().contiguous(), staticCode.detach().contiguous(), map.contiguous());
        float* output = TiledEdgeInference.Floats(edges);
        TileThreads.Run(count, TileThreads.For(count), (start, end, _) => EdgeEncoderKernels.Forward(o, output, start, end));
        return edges.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public Tensor EdgesOut { get; }

    /// <inheritdoc/>
    public bool HasGradients
    {
        get
        {
            using var grad = EdgesOut.grad;
            return grad is not null;
        }
    }

    /// <inheritdoc/>
    public Tensor? Backward(bool retainGraph, Tensor? handedGradient)
    {
        using var scope = NewDisposeScope();
        int h = (int)map.shape[0], width = (int)map.shape[1];
        long staticRows = staticCode.shape[0], count = values.shape[0];
        Tensor gradStatic, gradMap, gradFrequency, gradPhase;
        using (no_grad())
        {
            var grad = TapeGradients.Of(EdgesOut, handedGradient);
            int threads = TileThreads.For(count);
            // Per thread: ∂S [rows, h], ∂Wᵀ [width, h], ∂f and ∂p [width]; summed over threads afterwards.
            long stride = staticRows * h + (long)width * h + 2L * width;
            var sums = zeros(threads, stride, dtype: ScalarType.Float32);
            var o = Operands(values, rows, frequency, phase, map.t().contiguous(), staticCode.detach().contiguous(), map.contiguous());
            float* gradData = TiledEdgeInference.Floats(grad), sumData = TiledEdgeInference.Floats(sums);
            TileThreads.Run(count, threads, (start, end, t) =>
            {
                float* mine = sumData + t * stride;
                var into = new EdgeEncoderKernels.Sums
                {
                    Static = mine, MapIn = mine + staticRows * h, Frequency = mine + staticRows * h + (long)width * h,
                    Phase = mine + staticRows * h + (long)width * h + width,
                };
                EdgeEncoderKernels.Backward(o, into, gradData, start, end);
            });
            var total = threads == 1 ? sums[0] : sums.sum(0L);
            var parts = total.split([staticRows * h, (long)width * h, width, width]);
            gradStatic = parts[0].view(staticRows, h);
            gradMap = parts[1].view(width, h).t();
            gradFrequency = parts[2].view_as(frequency);
            gradPhase = parts[3].view_as(phase);
        }
        var targets = new List<Tensor>();
        var grads = new List<Tensor>();
        foreach (var (target, grad) in new[] { (staticCode, gradStatic), (map, gradMap), (frequency, gradFrequency), (phase, gradPhase) })
        {
            if (!target.requires_grad) continue;
            targets.Add(target);
            grads.Add(grad);
        }
        if (targets.Count > 0) autograd.backward(targets, grads, retain_graph: retainGraph);
        return null;   // the encoder's input is the batch's values, not a tape's
    }

    /// <summary>The kernels' operands (every tensor float32 and contiguous, made so in the caller's dispose scope, which keeps
    /// them alive while the kernels read them).</summary>
    private static EdgeEncoderKernels.Operands Operands(Tensor values, Tensor rows, Tensor frequency, Tensor phase, Tensor mapIn,
        Tensor staticRows, Tensor mapOut) => new()
    {
        H = (int)mapOut.shape[0], Width = (int)mapOut.shape[1],
        Values = TiledEdgeInference.Floats(values), Frequency = TiledEdgeInference.Floats(frequency.detach().contiguous()),
        Phase = TiledEdgeInference.Floats(phase.detach().contiguous()), Static = TiledEdgeInference.Floats(staticRows),
        MapIn = TiledEdgeInference.Floats(mapIn), Map = TiledEdgeInference.Floats(mapOut), Row = TiledEdgeInference.Longs(TiledEdgeInference.Contiguous(rows)),
    };

    /// <summary>Disposes the leaf, the kept values and the static codes' handle.</summary>
    public void Dispose()
    {
        EdgesOut.Dispose();
        values.Dispose();
        staticCode.Dispose();
    }
}
