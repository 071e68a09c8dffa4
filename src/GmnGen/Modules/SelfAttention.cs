using System;
using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Modules;

/// <summary>
/// Multi-head self-attention over a sequence stored channels-first, <c>[batch, width, tokens]</c>,
/// with PyTorch's <c>nn.MultiheadAttention</c> parameters and state_dict names:
/// <c>in_proj_weight [3·width, width]</c> (query, key and value rows, each split into heads of
/// <c>width / heads</c> rows), <c>in_proj_bias [3·width]</c>, and <c>out_proj</c> (Linear width → width).
/// </summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    // Fields, not properties: TorchSharp registers fields by their names, which give the state_dict keys.
#pragma warning disable IDE1006 // PyTorch's names
    /// <summary>Query, key and value projections stacked, <c>[3·width, width]</c>.</summary>
    public readonly Parameter in_proj_weight;
    /// <summary>Query, key and value biases stacked, <c>[3·width]</c>, or null without biases.</summary>
    public readonly Parameter? in_proj_bias;
    /// <summary>Output projection, width → width, with a bias unless the layer has none.</summary>
    public readonly Linear out_proj;
#pragma warning restore IDE1006
    /// <summary>Channels of the sequence (the model width).</summary>
    public long Width { get; }
    /// <summary>Number of heads, each of <c>Width / Heads</c> dimensions.</summary>
    public long Heads { get; }

    /// <summary>A layer with PyTorch's initialisation of the in-projection (Xavier-uniform weight, zero bias).</summary>
    /// <param name="width">Channels of the sequence.</param>
    /// <param name="heads">Number of heads; must divide <paramref name="width"/>.</param>
    /// <param name="hasBias">Whether the in- and output projections have biases.</param>
    /// <exception cref="ArgumentException"><paramref name="heads"/> is not positive or does not divide <paramref name="width"/>.</exception>
    public SelfAttention(long width, long heads, bool hasBias = true) : base(nameof(SelfAttention))
    {
        if (heads <= 0 || width % heads != 0) throw new ArgumentException($"{heads} heads do not divide width {width}.", nameof(heads));
        (Width, Heads) = (width, heads);
        // PyTorch's initialisation of the in-projection (Xavier-uniform weight, zero bias); the output
        // projection keeps Linear's default, bias included (PyTorch's MultiheadAttention zeroes that bias).
        in_proj_weight = new Parameter(nn.init.xavier_uniform_(empty(3 * width, width)));
        in_proj_bias = hasBias ? new Parameter(zeros(3 * width)) : null;
        out_proj = nn.Linear(width, width, hasBias: hasBias);
        RegisterComponents();
        ModuleOwnership.OwnState(this);   // built inside a caller's dispose scope, the state still stays with the module
    }

    /// <summary>Scaled dot-product attention of every token to every token (no mask), per head:
    /// <c>[batch, width, tokens]</c> → <c>[batch, width, tokens]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], tokens = input.shape[2], headWidth = Width / Heads;
        var x = input.transpose(1, 2);                                       // [b, t, w]
        var qkv = nn.functional.linear(x, in_proj_weight, in_proj_bias);      // [b, t, 3w]
        Tensor Split(long part) => qkv.narrow(2, part * Width, Width)
            .reshape(batch, tokens, Heads, headWidth).transpose(1, 2);          // [b, h, t, d]
        var (q, k, v) = (Split(0), Split(1), Split(2));
        var weights = nn.functional.softmax(q.matmul(k.transpose(2, 3)).div(Scalars.Of(Math.Sqrt(headWidth))), 3);
        var heads = weights.matmul(v).transpose(1, 2).reshape(batch, tokens, Width);
        return out_proj.forward(heads).transpose(1, 2).MoveToOuterDisposeScope(); // [b, w, t]
    }
}
