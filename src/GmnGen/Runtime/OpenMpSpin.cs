using System;
using System.IO;

namespace GmnGen.Runtime;

/// <summary>
/// Shortens how long libtorch's OpenMP threads spin after each parallel region before they sleep. libgomp spins 300,000
/// times by default, on a core that GmnGen's CPU tiles (which run on .NET threads) want right after a libtorch operation:
/// on two cores the spinning worker took 16 % of a training step's CPU samples, and with <see cref="SpinCount"/> = 10,000
/// the step ran 5 % to 10 % faster (docs/benchmarks.md, lever "OpenMP spin-waits").
/// libgomp reads <c>GOMP_SPINCOUNT</c> once, when it loads with libtorch, from the C environment, so this runs from GmnGen's
/// module initializer before GmnGen loads libtorch; a program that calls TorchSharp before it first touches GmnGen keeps
/// libgomp's default (<see cref="Describe"/> says which). A user's own <c>GOMP_SPINCOUNT</c> or <c>OMP_WAIT_POLICY</c> is
/// left alone (the first would override the second).
/// </summary>
public static class OpenMpSpin
{
    /// <summary>libgomp's spin-count variable.</summary>
    public const string Variable = "GOMP_SPINCOUNT";

    /// <summary>The spin count GmnGen asks for (a few microseconds of spinning instead of about a millisecond).</summary>
    public const string SpinCount = "10000";

    private static string state = "not set (not Linux)";

    /// <summary>The spin count in the C environment, where libgomp reads it, or null when unset.</summary>
    public static string? Current => NativeEnvironment.Get(Variable);

    /// <summary>Whether GmnGen set <see cref="Variable"/> at start-up before libgomp was loaded, so that libgomp uses it.</summary>
    public static bool AppliedBeforeLibgomp { get; private set; }

    /// <summary>What happened at start-up, for reports (e.g. "GOMP_SPINCOUNT=10000, set by GmnGen before libgomp loaded").</summary>
    public static string Describe() => state;

    /// <summary>Sets <see cref="Variable"/> to <see cref="SpinCount"/> in the C environment unless the user set it or
    /// <c>OMP_WAIT_POLICY</c>.</summary>
    internal static void ApplyDefault()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (Current is { } own)
        {
            state = $"{Variable}={own}, the user's";
            return;
        }
        if (NativeEnvironment.Get("OMP_WAIT_POLICY") is { } policy)
        {
            state = $"not set: OMP_WAIT_POLICY={policy}, the user's";
            return;
        }
        bool loaded = File.ReadAllText("/proc/self/maps").Contains("libgomp", StringComparison.Ordinal);
        NativeEnvironment.SetDefault(Variable, SpinCount);
        AppliedBeforeLibgomp = !loaded;
        state = loaded ? $"{Variable}={SpinCount}, set too late (libgomp had loaded: its default applies)"
            : $"{Variable}={SpinCount}, set by GmnGen before libgomp loaded";
    }
}
