using System;
using System.Threading;

namespace GmnGen.Cli.Soak;

/// <summary>How hard <see cref="GcPressure"/> pushes the garbage collector.</summary>
public enum PressureKind
{
    /// <summary>No extra thread.</summary>
    None,

    /// <summary>A thread that allocates small arrays without pause: gen-0 collections start on it while the
    /// training thread is inside native calls (what a progress display's timer did).</summary>
    Allocate,

    /// <summary>As <see cref="Allocate"/>, plus a forced full collection every 10 ms.</summary>
    Collect,
}

/// <summary>
/// A background .NET thread that makes the garbage collector run while the training thread computes:
/// the condition under which an undisposed TorchSharp object can be freed by the finalizer in the middle
/// of the native call that uses it. Stops when disposed.
/// </summary>
public sealed class GcPressure : IDisposable
{
    private readonly Thread? thread;
    private volatile bool stopping;

    public GcPressure(PressureKind kind)
    {
        Kind = kind;
        if (kind == PressureKind.None) return;
        thread = new Thread(() => Run(kind == PressureKind.Collect)) { IsBackground = true, Name = "gc-pressure" };
        thread.Start();
    }

    public PressureKind Kind { get; }

    private void Run(bool collect)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long lastCollect = 0;
        while (!stopping)
        {
            GC.KeepAlive(new byte[256]);
            if (collect && clock.ElapsedMilliseconds - lastCollect >= 10)
            {
                GC.Collect();
                lastCollect = clock.ElapsedMilliseconds;
            }
        }
    }

    public void Dispose()
    {
        stopping = true;
        thread?.Join();
    }
}
