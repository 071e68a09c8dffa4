using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace GmnGen.Tests.Support;

/// <summary>
/// Writes random but valid [Network] declarations (MLPs, 1D and 2D CNNs with every supported layer
/// and option), tracking the shape so that every choice fits.
/// </summary>
public static class RandomDefinitions
{
    private static readonly string[] Activations = ["ReLU", "LeakyReLU(NegativeSlope = 0.2)", "GELU", "SiLU", "Tanh", "Sigmoid"];

    public static string Declare(string className, Random random)
    {
        return random.Next(3) switch
        {
            0 => Mlp(className, random),
            1 => Cnn(className, random, dims: 1),
            _ => Cnn(className, random, dims: 2),
        };
    }

    private static string Mlp(string name, Random r)
    {
        var members = new List<string>();
        int features = r.Next(2, 9);
        int hidden = r.Next(1, 4);
        for (int i = 0; i < hidden; i++)
        {
            int width = r.Next(2, 12);
            members.Add($"[Linear({width}{Bias(r)}){Activation(r)}{(r.Next(4) == 0 ? ", Dropout(P = 0.3)" : "")}] public partial Linear Fc{i} {{ get; }}");
            if (r.Next(3) == 0) members.Add($"[LayerNorm] public partial LayerNorm Ln{i} {{ get; }}");
            else if (r.Next(3) == 0) members.Add($"[BatchNorm1d{Activation(r)}] public partial BatchNorm1d Bn{i} {{ get; }}");
        }
        members.Add($"[Linear({r.Next(1, 5)}{Bias(r)})] public partial Linear Out {{ get; }}");
        return Class(name, $"[{features}]", members);
    }

    private static string Cnn(string name, Random r, int dims)
    {
        var members = new List<string>();
        int channels = r.Next(1, 4);
        int size = r.Next(8, 15);
        var shape = $"[{channels}, {string.Join(", ", Enumerable.Repeat(size, dims))}]";
        int layers = r.Next(1, 4);
        string conv = dims == 1 ? "Conv1d" : "Conv2d", norm = dims == 1 ? "BatchNorm1d" : "BatchNorm2d";
        for (int i = 0; i < layers; i++)
        {
            int kernel = r.Next(1, 4), stride = r.Next(1, 3), padding = r.Next(0, 2), dilation = r.Next(1, 3);
            int span = dilation * (kernel - 1) + 1;
            if (size + 2 * padding < span) { dilation = 1; span = kernel; }
            size = (size + 2 * padding - span) / stride + 1;
            members.Add($"[{conv}({r.Next(2, 7)}, Kernel = {kernel}, Stride = {stride}, Padding = {padding}, Dilation = {dilation}{Bias(r)}){Activation(r)}] public partial {conv} Conv{i} {{ get; }}");
            var after = new StringBuilder();
            if (size >= 4 && r.Next(3) == 0)
            {
                string pool = (r.Next(2) == 0 ? "MaxPool" : "AvgPool") + (dims == 1 ? "1d" : "2d");
                after.Append($", {pool}(2)");
                size /= 2;
            }
            if (r.Next(2) == 0) members.Add($"[{norm}{Activation(r)}{after}] public partial {norm} Bn{i} {{ get; }}");
            else if (after.Length > 0) members[^1] = members[^1].Replace("] public partial", after + "] public partial");
        }
        string head = r.Next(2) == 0 ? "GlobalAvgPool" : "Flatten";
        members.Add($"[{head}, Linear({r.Next(1, 6)}{Bias(r)})] public partial Linear Head {{ get; }}");
        return Class(name, shape, members);
    }

    private static string Bias(Random r) => r.Next(4) == 0 ? ", Bias = false" : "";

    private static string Activation(Random r) =>
        r.Next(5) == 0 ? "" : ", " + Activations[r.Next(Activations.Length)];

    private static string Class(string name, string shape, List<string> members) =>
        $"[Network(InputShape = {shape})]\npublic sealed partial class {name}\n{{\n    {string.Join("\n    ", members)}\n}}\n";
}
