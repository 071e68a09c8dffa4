using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Graphs;
using GmnGen.Tasks.Zoo.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Zoo;

/// <summary>The model-zoo families of Lim et al. (2024), section 5.</summary>
[Flags]
public enum ZooFamily
{
    /// <summary>CNNs varying in width, depth, kernel, normalisation, activation and dropout.</summary>
    VaryingCnn = 1,

    /// <summary>Different kinds of network trained on the same task: MLPs, 2D CNNs, 1D CNNs over image rows,
    /// ResNets, small ViTs and DeepSets over image columns.</summary>
    Diverse = 2,
}

/// <summary>
/// One declared zoo architecture (a generated [Network] class) with the grid coordinates it was made from.
/// </summary>
/// <param name="Name">The class name, also the graph layout's architecture name.</param>
/// <param name="Families">The families it belongs to.</param>
/// <param name="Kind">"cnn", "mlp", "rows" (1D CNN over image rows), "resnet", "vit" or "deepsets".</param>
/// <param name="Width">Channels or hidden neurons per layer: the axis the out-of-distribution split varies.</param>
/// <param name="Depth">Hidden layers before the head (residual or transformer blocks for ResNets and ViTs).</param>
/// <param name="Kernel">Convolution kernel (patch size for ViTs); 0 for MLPs and DeepSets.</param>
/// <param name="Norm">"none", "bn" (BatchNorm) or "ln" (LayerNorm).</param>
/// <param name="Activation">Hidden activation.</param>
/// <param name="Dropout">Dropout probability before the head.</param>
/// <param name="InputShape">Shape of one sample without the batch axis; images are reshaped to it.</param>
/// <param name="Layout">The architecture's parameter graph layout.</param>
/// <param name="Create">Makes a freshly initialised instance.</param>
public sealed record ZooArchitecture(
    string Name,
    ZooFamily Families,
    string Kind,
    int Width,
    int Depth,
    int Kernel,
    string Norm,
    string Activation,
    double Dropout,
    IReadOnlyList<int> InputShape,
    ParameterGraphLayout Layout,
    Func<nn.Module<Tensor, Tensor>> Create)
{
    /// <summary>Reshapes a batch of <c>[b, 1, 28, 28]</c> images to this architecture's input shape.</summary>
    public Tensor ShapeInput(Tensor images) => images.reshape([images.shape[0], .. InputShape.Select(d => (long)d)]);

    /// <summary>The architectures of <paramref name="family"/>, in catalogue order.</summary>
    public static IReadOnlyList<ZooArchitecture> Of(ZooFamily family) =>
        ZooArchitectures.All.Where(a => (a.Families & family) != 0).ToList();

    /// <summary>The architecture called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No zoo architecture has that name.</exception>
    public static ZooArchitecture Find(string name) =>
        ZooArchitectures.All.FirstOrDefault(a => a.Name == name)
        ?? throw new KeyNotFoundException($"'{name}' is not a zoo architecture; they are declared in src/GmnGen.Tasks/Zoo/Architectures/ZooArchitectures.cs (scripts/make-zoo-architectures.py).");
}
