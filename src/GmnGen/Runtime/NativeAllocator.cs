using System;
using System.Runtime.InteropServices;

namespace GmnGen.Runtime;

/// <summary>
/// Keeps big libtorch temporaries from page-faulting in afresh on every step. glibc gives every
/// large allocation a fresh mmap and returns it on free, and this VM takes ~10 µs per 4 KiB fault:
/// tall-skinny products ran 3x slower for that alone (NOTES.md section 6), and a metanet step spent
/// more time in the kernel than in arithmetic. Two settings, both applied once at start-up:
/// <list type="bullet">
/// <item>glibc: mmap off (M_MMAP_MAX = 0; its threshold is capped at 32 MiB, below one 160k-edge × 64
/// activation) and trimming off (M_TRIM_THRESHOLD = -1), so freed blocks stay in the heap for the
/// next step. The cost is that the process keeps its peak heap.</item>
/// <item>libtorch: THP_MEM_ALLOC_ENABLE=1 makes c10's CPU allocator align buffers of 2 MiB and more to
/// 2 MiB and advise transparent huge pages for them, so memory the heap does fault in comes 2 MiB
/// per fault instead of 4 KiB (this kernel's THP mode is "madvise": nothing happens without the
/// advice). c10 reads the variable at its first allocation, through the C environment, which .NET's
/// Environment.SetEnvironmentVariable does not write on Linux: hence libc's setenv.</item>
/// </list>
/// Must run before the first large tensor; a no-op off glibc. docs/benchmarks.md measures each.
/// </summary>
public static class NativeAllocator
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_MAX = -4;
    /// <summary>The libtorch (c10) switch for huge-page-aligned CPU allocations.</summary>
    public const string HugePagesVariable = "THP_MEM_ALLOC_ENABLE";
    private static bool tuned;

    /// <summary>True once glibc's thresholds were set in this process.</summary>
    public static bool IsTuned => tuned;

    /// <summary>Whether libtorch was asked for huge-page allocations (the C environment has the switch on).</summary>
    public static bool HugePagesRequested => NativeEnvironment.Get(HugePagesVariable) == "1";

    /// <summary>Sets glibc's thresholds once per process and asks libtorch for huge pages unless the
    /// user set <see cref="HugePagesVariable"/> already; returns whether glibc was tuned.</summary>
    public static bool Tune()
    {
        if (tuned) return true;
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            // -1 is "never trim" (mallopt's int becomes SIZE_MAX); int.MaxValue still trimmed a
            // 9 GiB step's heap above 2 GiB of free top, to fault it back in on the next step.
            tuned = mallopt(M_MMAP_MAX, 0) == 1 & mallopt(M_TRIM_THRESHOLD, -1) == 1;
            NativeEnvironment.SetDefault(HugePagesVariable, "1");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            tuned = false; // not glibc (e.g. musl): nothing to tune
        }
        return tuned;
    }

    /// <summary>The <c>GLIBC_TUNABLES</c> value that gives a child process (one that cannot call <see cref="Tune"/>, such as
    /// Python) glibc's side of the same settings: no mmap for large blocks, no trimming. <paramref name="existing"/>, the
    /// value the child would otherwise get, is kept in front, so a user's own tunables still apply where they set others.</summary>
    /// <param name="existing">The inherited <c>GLIBC_TUNABLES</c>, or null.</param>
    public static string ChildTunables(string? existing)
    {
        // glibc reads the trim threshold as a size_t: its largest value is "never trim", as mallopt's -1 above.
        const string tuned = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=18446744073709551615";
        return string.IsNullOrEmpty(existing) ? tuned : existing + ":" + tuned;
    }

    /// <summary>
    /// Hands the heap's free pages back to the system (glibc's <c>malloc_trim(0)</c>). With trimming
    /// off, a long process keeps every page it ever freed and, as the sizes of its work vary, its
    /// resident memory creeps up by fragmentation (+244 MiB over a 20-minute <c>gmn soak</c>, with
    /// nothing leaked). Long jobs call this between units of work (a zoo run, a fit), where one
    /// re-fault costs nothing next to the work; steps within a unit keep the warm heap. No-op off glibc.
    /// </summary>
    public static void ReturnFreeMemory()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { malloc_trim(0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(UIntPtr pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}

internal static class RuntimeStartup
{
    /// <summary>Tunes the allocator as soon as GmnGen loads, which is before the first GmnGen tensor, shortens OpenMP's
    /// spin-waits (<see cref="OpenMpSpin.ApplyDefault"/>, before libtorch and its libgomp load), then switches libtorch's
    /// oneDNN off where its convolutions are wrong (<see cref="OneDnn.ApplyDefault"/>, which loads libtorch).
    /// Set GMNGEN_DEFAULT_MALLOC=1 to keep glibc's and libtorch's allocator defaults (e.g. to measure the difference).</summary>
#pragma warning disable CA2255 // a library initializer is the point: users should not have to remember this
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("GMNGEN_DEFAULT_MALLOC") != "1") NativeAllocator.Tune();
        OpenMpSpin.ApplyDefault();
        OneDnn.ApplyDefault();
    }
}
