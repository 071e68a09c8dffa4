using System.Linq;
using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GmnGen.Tasks.Prediction;

/// <summary>Linear layers with SiLU between them (none after the last): in → hidden × layers → out.</summary>
internal sealed class Mlp : Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> layers;

    /// <param name="input">Input width.</param>
    /// <param name="hidden">Width of each hidden layer.</param>
    /// <param name="hiddenLayers">Number of hidden layers (0: one linear map).</param>
    /// <param name="output">Output width.</param>
    public Mlp(int input, int hidden, int hiddenLayers, int output) : base(nameof(Mlp))
    {
        var widths = new[] { input }.Concat(Enumerable.Repeat(hidden, hiddenLayers)).Append(output).ToArray();
        layers = new ModuleList<Linear>(widths.Zip(widths.Skip(1), (a, b) => Linear(a, b)).ToArray());
        RegisterComponents();
        ModuleOwnership.OwnState(this);   // built inside a caller's dispose scope, the state still stays with the module
    }

    public override Tensor forward(Tensor x)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].forward(x);
            if (i < layers.Count - 1) x = functional.silu(x);
        }
        return x;
    }
}
