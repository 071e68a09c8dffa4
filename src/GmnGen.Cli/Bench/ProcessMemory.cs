using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace GmnGen.Cli.Bench;

/// <summary>
/// Resident memory of this process from /proc (Linux only; NaN elsewhere). Peak RSS (VmHWM) is
/// process-wide, so each configuration first hands freed heap back (malloc_trim) and resets the
/// peak (writing 5 to /proc/self/clear_refs, Linux 4.0+); where the reset is refused, only the
/// increase over the value before the configuration is meaningful.
/// </summary>
public static class ProcessMemory
{
    public static double RssMiB => ReadStatusMiB("VmRSS");
    public static double PeakRssMiB => ReadStatusMiB("VmHWM");

    /// <summary>MemAvailable of the machine in MiB.</summary>
    public static double AvailableMiB => ReadKiB("/proc/meminfo", "MemAvailable") / 1024.0;

    /// <summary>Resets VmHWM to the current RSS; false when the kernel refuses.</summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Returns freed glibc heap to the system so the next configuration starts from a lean process.</summary>
    public static void Trim() => GmnGen.Runtime.NativeAllocator.ReturnFreeMemory();

    private static double ReadStatusMiB(string key) => ReadKiB("/proc/self/status", key) / 1024.0;

    private static double ReadKiB(string file, string key)
    {
        if (!File.Exists(file)) return double.NaN;
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        if (line is null) return double.NaN;
        var number = line[(key.Length + 1)..].Trim().Split(' ')[0];
        return double.TryParse(number, out var kib) ? kib : double.NaN;
    }

}

/// <summary>Memory of one configuration: peak and current RSS relative to where it started.</summary>
public sealed class MemoryProbe
{
    private MemoryProbe(double startRss, bool peakReset)
    {
        StartRssMiB = startRss;
        PeakWasReset = peakReset;
    }

    public double StartRssMiB { get; }
    public bool PeakWasReset { get; }

    public static MemoryProbe Start()
    {
        Measure.Collect();
        ProcessMemory.Trim();
        bool reset = ProcessMemory.TryResetPeak();
        return new MemoryProbe(ProcessMemory.RssMiB, reset);
    }

    /// <summary>Peak RSS since <see cref="Start"/> (since process start when the reset was refused).</summary>
    public double PeakMiB => ProcessMemory.PeakRssMiB;
    public double PeakIncreaseMiB => PeakMiB - StartRssMiB;
}
