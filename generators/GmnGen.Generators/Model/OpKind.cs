namespace GmnGen.Generators.Model;

/// <summary>Every layer or operation attribute the generator understands, named like the attribute.</summary>
public enum OpKind
{
    // Layers with parameters: one per annotated property.
    Linear, Conv1d, Conv2d, BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d, DeepSets,
    PatchEmbed, PositionalEmbedding, ClassToken, SelfAttention,
    // Parameter-free operations.
    ReLU, LeakyReLU, GELU, SiLU, Tanh, Sigmoid, Dropout, Dropout1d, Dropout2d, Flatten, GlobalAvgPool,
    MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, SinusoidalPositions, FirstToken,
    // Skip connections (parameter-free; a projection's parameters belong to its layer).
    Residual, Shortcut, AddShortcut,
}

public static class OpKinds
{
    public static bool IsParametric(this OpKind kind) => kind <= OpKind.SelfAttention;

    public static bool IsActivation(this OpKind kind) => kind is >= OpKind.ReLU and <= OpKind.Sigmoid;

    /// <summary>The full name of the module type a parametric layer is held in: TorchSharp's, or
    /// GmnGen's own for layers TorchSharp lacks.</summary>
    public static string ModuleTypeName(this OpKind kind) => kind switch
    {
        OpKind.PatchEmbed => "TorchSharp.Modules.Conv2d", // a convolution whose map becomes a sequence
        OpKind.DeepSets or OpKind.PositionalEmbedding or OpKind.ClassToken or OpKind.SelfAttention => "GmnGen.Modules." + kind,
        _ => "TorchSharp.Modules." + kind,
    };

    /// <summary>Layers whose outputs are new neurons or channels (the rest normalise existing ones).</summary>
    public static bool MakesNodes(this OpKind kind) => kind is OpKind.Linear or OpKind.Conv1d or OpKind.Conv2d or OpKind.DeepSets or OpKind.PatchEmbed or OpKind.SelfAttention;

    /// <summary>Maps an attribute class name (e.g. "Conv2dAttribute") to its kind.</summary>
    public static OpKind? FromAttributeName(string name)
    {
        const string suffix = "Attribute";
        if (!name.EndsWith(suffix)) return null;
        var stem = name.Substring(0, name.Length - suffix.Length);
        foreach (OpKind kind in System.Enum.GetValues(typeof(OpKind)))
            if (kind.ToString() == stem) return kind;
        return null;
    }
}
