using System;

namespace GmnGen;

/// <summary>
/// Base of the attributes that declare a layer with parameters. Exactly one goes on each
/// annotated property, and its kind must match the property's TorchSharp module type.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public abstract class ParametricLayerAttribute : Attribute
{
    /// <summary>Name of the sub-module, i.e. the state_dict key prefix. Defaults to the property name.</summary>
    public string? Name { get; set; }
}

/// <summary>Fully connected layer <c>y = x Wᵀ + b</c> with <c>W: [out, in]</c>.</summary>
/// <param name="outFeatures">Number of output neurons.</param>
public sealed class LinearAttribute(int outFeatures) : ParametricLayerAttribute
{
    public int OutFeatures { get; } = outFeatures;
    /// <summary>Expected input features; checked against the inferred shape when set.</summary>
    public int In { get; set; }
    public bool Bias { get; set; } = true;
}

/// <summary>1D convolution over <c>[channels, length]</c>; weight <c>[out, in, kernel]</c>.</summary>
public sealed class Conv1dAttribute(int outChannels) : ParametricLayerAttribute
{
    public int OutChannels { get; } = outChannels;
    public int Kernel { get; set; } = 3;
    public int Stride { get; set; } = 1;
    public int Padding { get; set; }
    public int Dilation { get; set; } = 1;
    public bool Bias { get; set; } = true;
    /// <summary>Expected input channels; checked against the inferred shape when set.</summary>
    public int In { get; set; }
}

/// <summary>2D convolution over <c>[channels, height, width]</c> with a square kernel;
/// weight <c>[out, in, kernel, kernel]</c>.</summary>
public sealed class Conv2dAttribute(int outChannels) : ParametricLayerAttribute
{
    public int OutChannels { get; } = outChannels;
    public int Kernel { get; set; } = 3;
    public int Stride { get; set; } = 1;
    public int Padding { get; set; }
    public int Dilation { get; set; } = 1;
    public bool Bias { get; set; } = true;
    /// <summary>Expected input channels; checked against the inferred shape when set.</summary>
    public int In { get; set; }
}

/// <summary>Batch normalisation over <c>[features]</c> or <c>[channels, length]</c>.</summary>
public sealed class BatchNorm1dAttribute : ParametricLayerAttribute
{
    /// <summary>Expected channels; checked against the inferred shape when set.</summary>
    public int Features { get; set; }
    public double Eps { get; set; } = 1e-5;
    public double Momentum { get; set; } = 0.1;
}

/// <summary>Batch normalisation over <c>[channels, height, width]</c>.</summary>
public sealed class BatchNorm2dAttribute : ParametricLayerAttribute
{
    /// <summary>Expected channels; checked against the inferred shape when set.</summary>
    public int Features { get; set; }
    public double Eps { get; set; } = 1e-5;
    public double Momentum { get; set; } = 0.1;
}

/// <summary>Layer normalisation over the feature axis of <c>[features]</c>, with affine weight and bias.</summary>
public sealed class LayerNormAttribute : ParametricLayerAttribute
{
    /// <summary>Expected features; checked against the inferred shape when set.</summary>
    public int Features { get; set; }
    public double Eps { get; set; } = 1e-5;
}
