using System;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Bench;

/// <summary>
/// (0) How this machine hands out memory, measured first and used to warm it: filling a large buffer
/// the process has just allocated (first touch), filling it again (mapped memory), and, after handing it
/// back to the system, allocating and filling the same size once more. The first touch (the kernel zeroing
/// fresh pages; on a virtual machine, the host backing them) ran 20 to 50 times slower than a touch of
/// mapped memory on the AMD machine, and whichever
/// configuration first needs that memory would pay for it (in one run the first WideCnn step took 15 s,
/// 22 s of it system time, the fourth 3 s with none), so the bench touches it once before measuring.
/// </summary>
public static class MemoryTouchBench
{
    public sealed record Result(double GiB, double FirstTouchSeconds, double MappedSeconds, double AfterReleaseSeconds)
    {
        public double FirstTouchGiBPerSecond => GiB / FirstTouchSeconds;
        public double MappedGiBPerSecond => GiB / MappedSeconds;
        public double AfterReleaseGiBPerSecond => GiB / AfterReleaseSeconds;
    }

    /// <summary>The size touched: 60 % of the available memory, at most 16 GiB (the largest default
    /// configuration, WideCnn at h = 128, B = 32, peaks at about 8.5 GiB).</summary>
    public static double DefaultGiB(double availableMiB) =>
        double.IsNaN(availableMiB) ? 4 : Math.Min(16, 0.6 * availableMiB / 1024);

    public static Result Run(double gib)
    {
        long floats = (long)(gib * (1L << 30) / sizeof(float));
        double first, mapped, again;
        using (var buffer = empty(floats))
        {
            first = Fill(buffer, 1);
            mapped = Fill(buffer, 2);
        }
        ProcessMemory.Trim();   // hand it back: later allocations fault again, now on memory the host has backed
        using (var buffer = empty(floats)) again = Fill(buffer, 3);
        ProcessMemory.Trim();
        return new Result(gib, first, mapped, again);
    }

    private static double Fill(Tensor buffer, double value)
    {
        using var scalar = value.ToScalar();
        return Measure.Seconds(() => buffer.fill_(scalar));
    }
}
