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
    public readonly Parameter in_proj_weight;
    public readonly Parameter? in_proj_bias;
    public readonly Linear out_proj;
#pragma warning restore IDE1006
    public long Width { get; }
    public long Heads { get; }

    public SelfAttention(long width, long heads, bool hasBias = true) : base(nameof(SelfAttention))
    {
        if (heads <= 0 || width % heads != 0) throw new ArgumentException($"{heads} heads do not divide width {width}.", nameof(heads));
        (Width, Heads) = (width, heads);
        // PyTorch's initialisation: Xavier-uniform projections, zero in-projection bias.
        in_proj_weight = new Parameter(nn.init.xavier_uniform_(empty(3 * width, width)));
        in_proj_bias = hasBias ? new Parameter(zeros(3 * width)) : null;
        out_proj = nn.Linear(width, width, hasBias: hasBias);
        RegisterComponents();
        ModuleOwnership.OwnState(this);   // built inside a caller's dispose scope, the state still stays with the module
    }

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
