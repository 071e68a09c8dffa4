using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using GmnGen.Runtime;
using TorchSharp;

namespace GmnGen.Cli.Bench;

/// <summary>The facts a benchmark figure depends on.</summary>
public sealed record MachineInfo(string CpuModel, int LogicalCpus, int TorchThreads, double MemoryGiB,
    bool AllocatorTuned, bool TorchHugePages, string MallocEnvironment, string GlibcTunables, string OmpWaitPolicy, string TransparentHugePages,
    string Runtime, string TorchSharpVersion, string Os)
{
    public static MachineInfo Read() => new(
        ReadCpuModel(),
        Environment.ProcessorCount,
        torch.get_num_threads(),
        ReadMemTotalGiB(),
        NativeAllocator.IsTuned,
        NativeAllocator.HugePagesRequested,
        Environment.GetEnvironmentVariable("GMNGEN_DEFAULT_MALLOC") ?? "(unset)",
        Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "(unset)",
        Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "(unset)",
        ReadFirstLine("/sys/kernel/mm/transparent_hugepage/enabled"),
        RuntimeInformation.FrameworkDescription,
        typeof(torch).Assembly.GetName().Version?.ToString() ?? "?",
        RuntimeInformation.OSDescription);

    public string AllocatorDescription => (AllocatorTuned
        ? "glibc tuned by GmnGen (no mmap, no trimming)"
        : "glibc defaults (GMNGEN_DEFAULT_MALLOC=1 or not glibc)")
        + (TorchHugePages ? "; libtorch huge pages (THP_MEM_ALLOC_ENABLE=1)" : "; libtorch without huge pages");

    private static string ReadCpuModel()
    {
        const string file = "/proc/cpuinfo";
        if (!File.Exists(file)) return RuntimeInformation.ProcessArchitecture.ToString();
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "?" : line[(line.IndexOf(':') + 1)..].Trim();
    }

    /// <summary>The 1, 5 and 15 minute load averages: above the core count, other processes compete for the CPU.</summary>
    public static string LoadAverage()
    {
        var line = ReadFirstLine("/proc/loadavg");
        return string.Join(" ", line.Split(' ').Take(3));
    }

    private static string ReadFirstLine(string file) =>
        File.Exists(file) ? File.ReadLines(file).FirstOrDefault()?.Trim() ?? "?" : "n/a";

    private static double ReadMemTotalGiB()
    {
        const string file = "/proc/meminfo";
        if (!File.Exists(file)) return double.NaN;
        var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is not null && double.TryParse(line[9..].Trim().Split(' ')[0], out var kib) ? kib / (1024.0 * 1024.0) : double.NaN;
    }
}
