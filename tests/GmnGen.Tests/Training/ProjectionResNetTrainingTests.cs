using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GmnGen.Tests.Networks;
using GmnGen.Tests.Tasks;
using GmnGen.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Training;

/// <summary>
/// The ResNet with a projection shortcut that once trained to NaN with two torch threads: 20 runs
/// with two threads while another .NET thread allocates (and so starts collections) all the time,
/// every loss finite, and each seed's two runs identical loss for loss. With TorchSharp's own Adam,
/// whose Scalars the finalizer can free mid-call, 9 of 10 such runs threw (docs/results.md).
/// </summary>
[Collection(nameof(GlobalGeneratorCollection))]
public sealed class ProjectionResNetTrainingTests
{
    [Fact]
    public void Twenty_runs_with_two_threads_under_gc_pressure_stay_finite_and_reproduce()
    {
        int threads = get_num_threads();
        set_num_threads(2);
        bool stop = false;
        var pressure = new Thread(() => { while (!Volatile.Read(ref stop)) GC.KeepAlive(new byte[256]); });
        pressure.Start();
        try
        {
            var losses = new Dictionary<(int Seed, int Repeat), List<float>>();
            for (int seed = 0; seed < 10; seed++)
                for (int repeat = 0; repeat < 2; repeat++)
                    losses[(seed, repeat)] = Train(seed);
            Assert.All(losses, kv => Assert.True(kv.Value.All(float.IsFinite), $"seed {kv.Key.Seed}, repeat {kv.Key.Repeat}: a loss was not finite"));
            for (int seed = 0; seed < 10; seed++)
                Assert.Equal(losses[(seed, 0)], losses[(seed, 1)]);
        }
        finally
        {
            Volatile.Write(ref stop, true);
            pressure.Join();
            set_num_threads(threads);
        }
    }

    /// <summary>40 Adam steps on a fixed random batch (the network's input is [3, 8, 8]); every step's loss.</summary>
    private static List<float> Train(int seed)
    {
        manual_seed(seed).Dispose();
        using var net = new ResNet();
        using var optimizer = new Adam(net.parameters(), 1e-2);
        using var generator = new Generator((ulong)seed);
        using var x = randn([64, 3, 8, 8], generator: generator);
        using var y = randint(0, 10, [64], generator: generator);
        var losses = new List<float>();
        net.train();
        for (int step = 0; step < 40; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var loss = nn.functional.cross_entropy(net.forward(x), y);
            loss.backward();
            optimizer.Step();
            losses.Add(loss.item<float>());
        }
        return losses;
    }
}
