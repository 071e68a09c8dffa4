using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Bench;

/// <summary>(a) The machine's dense matrix-product rate: float32 1024³ matmul, the ceiling every other
/// rate is compared with.</summary>
public static class MatmulBench
{
    public const int Size = 1024;

    public sealed record Result(int Size, int Threads, int Reps, double MedianSeconds, double MinSeconds)
    {
        public double Flops => 2.0 * Size * Size * (double)Size;
        public double MedianGflops => Flops / MedianSeconds / 1e9;
        public double BestGflops => Flops / MinSeconds / 1e9;
    }

    public static Result Run(int reps, Device? device = null)
    {
        device ??= CPU;
        using var scope = NewDisposeScope();
        var a = randn(Size, Size).to(device);
        var b = randn(Size, Size).to(device);
        var times = Measure.Repeat(() =>
        {
            using var inner = NewDisposeScope();
            mm(a, b);
            DeviceSync.Wait(device);
        }, warmup: 3, reps: reps);
        return new Result(Size, get_num_threads(), reps, Measure.Median(times), System.Linq.Enumerable.Min(times));
    }
}
