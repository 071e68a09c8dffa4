using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Cli.Bench;
using GmnGen.Graphs;
using GmnGen.Metanet;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.SelfCheck;

/// <summary>One property checked on the device: the largest difference seen and the tolerance it must stay within.</summary>
public sealed record CheckResult(string Name, double Difference, double Tolerance)
{
    /// <summary>Within tolerance (a NaN difference never passes).</summary>
    public bool Passed => Difference <= Tolerance;
}

/// <summary>
/// The metanet's key properties on a device, against the CPU: outputs and every gradient equal to
/// the CPU's on the same batch (float32 tolerance), invariance to a random automorphism of a
/// network, and a batch giving what its graphs give one by one. Needs no SDK: the published tool
/// runs it wherever TorchSharp finds its natives (docs/cuda.md).
/// </summary>
public static class SelfChecks
{
    /// <summary>Relative tolerance against the largest magnitude compared: float32 arithmetic in another order.</summary>
    public const double Tolerance = 1e-4;

    public static IReadOnlyList<CheckResult> Run(Device device, long seed = 7)
    {
        manual_seed(seed).Dispose();
        var graphs = Architecture.Zoo.RandomGraphs(3).Concat(Architecture.Wide.RandomGraphs(2)).ToList();
        var config = new GmnConfig { Hidden = 32, Blocks = 2, PoolStandardDeviation = true };
        using var cpu = NewMetanet(config, graphs, seed);
        using var onDevice = NewMetanet(config, graphs, seed);
        onDevice.to(device);
        var results = new List<CheckResult>();
        try
        {
            var (cpuOut, cpuGrads) = OutputsAndGradients(cpu, graphs, CPU);
            var (deviceOut, deviceGrads) = OutputsAndGradients(onDevice, graphs, device);
            results.Add(new("outputs equal the CPU's", Relative(deviceOut, cpuOut), Tolerance));
            results.Add(new($"gradients equal the CPU's ({cpuGrads.Count} tensors)", cpuGrads.Zip(deviceGrads, Relative).Max(), 10 * Tolerance));

            onDevice.eval();
            using (no_grad())
            {
                var net = Architecture.Zoo.Create();
                using var before = net.ToParameterGraph();
                foreach (var p in net.ApplyRandomAutomorphism(new Generator(unchecked((ulong)seed) + 1))) p.Dispose();
                using var after = net.ToParameterGraph();
                (net as IDisposable)?.Dispose();
                results.Add(new("invariant to a random automorphism", Relative(Forward(onDevice, [after], device), Forward(onDevice, [before], device)), Tolerance));

                var together = Forward(onDevice, graphs, device);
                var alone = cat(graphs.Select(g => Forward(onDevice, [g], device)).ToArray(), 0);
                results.Add(new("a batch gives its graphs' outputs one by one", Relative(together, alone), Tolerance));
            }
        }
        finally
        {
            Architecture.Release(graphs);
        }
        return results;
    }

    private static GraphMetanet NewMetanet(GmnConfig config, IReadOnlyList<ParameterGraph> graphs, long seed)
    {
        var metanet = new GraphMetanet(config);
        // Every weight drawn afresh, the same for both copies, residual layers included: the
        // product's zero-initialised residual layers would make each block the identity, and the
        // checks would not reach the message passing.
        manual_seed(seed + 100).Dispose();
        using (no_grad())
            foreach (var p in metanet.parameters())
                if (p.dim() >= 2) nn.init.xavier_uniform_(p, gain: 2.0);
                else nn.init.normal_(p, 0, 0.1);
        metanet.FitValueNormalization(graphs);
        return metanet;
    }

    private static (Tensor Outputs, List<Tensor> Gradients) OutputsAndGradients(GraphMetanet metanet, IReadOnlyList<ParameterGraph> graphs, Device device)
    {
        metanet.train();
        metanet.zero_grad();
        using var batch = GraphBatch.Collate(graphs, device);
        var output = metanet.forward(batch);
        using var loss = output.mul(output).mean();
        metanet.Backward(loss);
        var gradients = metanet.parameters().Where(p => p.grad is not null).Select(p => p.grad!.detach().cpu()).ToList();
        return (output.detach().cpu(), gradients);
    }

    private static Tensor Forward(GraphMetanet metanet, IReadOnlyList<ParameterGraph> graphs, Device device)
    {
        using var batch = GraphBatch.Collate(graphs, device);
        return metanet.forward(batch).cpu();
    }

    /// <summary>Largest absolute difference over the largest magnitude (at least 1e-6), in float64.</summary>
    private static double Relative(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var x = a.to(float64).cpu();
        var y = b.to(float64).cpu();
        double scale = Math.Max(1e-6, Math.Max(x.abs().max().item<double>(), y.abs().max().item<double>()));
        return x.sub(y).abs().max().item<double>() / scale;
    }
}
