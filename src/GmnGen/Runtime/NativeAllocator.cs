using System;
using System.Runtime.InteropServices;

namespace GmnGen.Runtime;

/// <summary>
/// glibc gives every large allocation a fresh mmap and returns it on free, so each big libtorch
/// temporary page-faults in again: tall-skinny matrix products ran 3x slower here for that alone
/// (NOTES.md section 6), and a metanet step on 32 zoo graphs spent more time in the kernel than in
/// arithmetic. glibc caps the mmap threshold at 32 MiB, below a 160k-edge × 64 activation, so mmap
/// is switched off altogether (M_MMAP_MAX = 0) and trimming too: freed blocks stay in the heap for
/// the next step. The cost is that the process keeps its peak heap. Must run before the first
/// large tensor; a no-op off glibc.
/// </summary>
public static class NativeAllocator
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;
    private const int M_MMAP_MAX = -4;
    /// <summary>glibc's largest accepted mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX).</summary>
    private const int MaxMmapThreshold = 32 * 1024 * 1024;
    private static bool tuned;

    /// <summary>True once the thresholds were raised in this process.</summary>
    public static bool IsTuned => tuned;

    /// <summary>Raises glibc's mmap and trim thresholds once per process; returns whether it applied.</summary>
    public static bool Tune()
    {
        if (tuned) return true;
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            tuned = mallopt(M_MMAP_THRESHOLD, MaxMmapThreshold) == 1
                & mallopt(M_MMAP_MAX, 0) == 1
                & mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            tuned = false; // not glibc (e.g. musl): nothing to tune
        }
        return tuned;
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}

internal static class NativeAllocatorStartup
{
    /// <summary>Tunes the allocator as soon as GmnGen loads, which is before the first GmnGen tensor.
    /// Set GMNGEN_DEFAULT_MALLOC=1 to keep glibc's defaults (e.g. to measure the difference).</summary>
#pragma warning disable CA2255 // a library initializer is the point: users should not have to remember this
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("GMNGEN_DEFAULT_MALLOC") != "1") NativeAllocator.Tune();
    }
}
