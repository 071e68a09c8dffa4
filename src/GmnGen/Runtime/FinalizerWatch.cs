using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Linq;
using System.Threading;

namespace GmnGen.Runtime;

/// <summary>
/// Counts the TorchSharp objects whose native memory the .NET finalizer freed because nobody
/// disposed them: tensors (parameters included; an undisposed module shows up as its parameters
/// and buffers), scalars and generators.
/// </summary>
/// <remarks>
/// Why it matters: TorchSharp frees an undisposed native object on the finalizer thread, while the
/// thread that made it may be computing. A <c>Scalar</c> or a temporary tensor is unreachable as
/// soon as its handle has been read, i.e. <em>during</em> the native call that uses it, so a
/// collection started by any other thread can free it mid-call: "Unknown scalar type", failed
/// internal checks, or values read from reused memory (docs/results.md, "Native objects and the
/// finalizer"). Code that leaves nothing here cannot meet that race.
/// <para>
/// Tensors are counted by TorchSharp's own lifetime statistics of the finalizer thread (a tensor's
/// finalizer records its disposal there only when it still held a native handle); scalars and
/// generators by the runtime's <c>FinalizeObject</c> events, one per finalized object with its type.
/// Both are process-wide: other threads' garbage counts too, so measure with nothing else running.
/// Enabling the events costs a little speed.
/// </para>
/// </remarks>
public sealed class FinalizerWatch : IDisposable
{
    private readonly Listener listener;

    private FinalizerWatch()
    {
        // The batch cache's keys hold the topologies collated last: a layout built at run time whose
        // last holder is that cache would become garbage when the workload's batches push it out,
        // and count as the workload's (FinalizerCountTests, "Tensor × 6"). Emptied first, it is
        // garbage of earlier work, finalized now with the rest and not counted.
        Batching.GraphBatch.ClearTopologyCache();
        DrainFinalizers();
        listener = new Listener();
        if (!listener.WaitUntilEnabled(TimeSpan.FromSeconds(10)))
            throw new InvalidOperationException("The runtime's GC events did not start (EventSource disabled in this process?).");
        listener.Reset();
        tensorsAtStart = Sentinel.FinalizedTensors;
    }

    private readonly long tensorsAtStart;

    /// <summary>Starts counting; whatever became garbage before is finalized first and not counted.
    /// Empties the batch-topology cache (<see cref="Batching.GraphBatch.ClearTopologyCache"/>) so that
    /// nothing earlier work left there is counted either.</summary>
    public static FinalizerWatch Start() => new();

    /// <summary>
    /// Collects, runs every pending finalizer, and returns how many TorchSharp objects of each type
    /// the finalizer ran since <see cref="Start"/> (type name → count; empty when nothing leaked).
    /// Objects still referenced are not garbage and are not counted: drop them before calling.
    /// </summary>
    public IReadOnlyDictionary<string, long> Collect()
    {
        DrainFinalizers();
        if (!listener.WaitForSentinel(TimeSpan.FromSeconds(30)))
            throw new TimeoutException("The finalizer did not report back within 30 s.");
        var counts = listener.Counts.Where(kv => kv.Value > 0).ToDictionary(kv => kv.Key, kv => kv.Value);
        long tensors = Sentinel.FinalizedTensors - tensorsAtStart;
        if (tensors > 0) counts["Tensor"] = tensors;
        return counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    /// <summary>"Scalar × 12, Tensor × 3", or "nothing" for an empty count.</summary>
    public static string Describe(IReadOnlyDictionary<string, long> counts) =>
        counts.Count == 0 ? "nothing" : string.Join(", ", counts.Select(kv => $"{kv.Key} × {kv.Value}"));

    /// <summary>Stops listening to the runtime's finalization events.</summary>
    public void Dispose() => listener.Dispose();

    // One round frees only the outermost layer of finalizable garbage: what an object with a
    // finalizer references stays alive until that finalizer has run, so an undisposed module holding
    // sub-modules holding tensors needs three rounds. Two rounds could let such chains finish inside
    // the watched window and count as the workload's.
    private const int DrainRounds = 8;

    private static void DrainFinalizers()
    {
        for (int i = 0; i < DrainRounds; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>
    /// Finalized last in <see cref="Collect"/>: once its event has arrived, every earlier one has. Its
    /// finalizer runs on the finalizer thread, so it reads that thread's tensor statistics.
    /// </summary>
    private sealed class Sentinel
    {
        public static readonly IntPtr TypeId = typeof(Sentinel).TypeHandle.Value;
        private static long finalizedTensors;

        /// <summary>Tensors with a native handle that the finalizer thread had disposed when the last sentinel ran.</summary>
        public static long FinalizedTensors => Interlocked.Read(ref finalizedTensors);

        ~Sentinel()
        {
            var stats = TorchSharp.DisposeScopeManager.Statistics.TensorStatistics;
            Interlocked.Exchange(ref finalizedTensors, stats.DisposedOutsideScopeCount + stats.DisposedInScopeCount);
        }
    }

    private sealed class Listener : EventListener
    {
        private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private static readonly Type[] FreesNativeMemory =
            [typeof(TorchSharp.Scalar), typeof(TorchSharp.torch.Generator)];

        public readonly ConcurrentDictionary<string, long> Counts = new();
        private readonly ConcurrentDictionary<IntPtr, string?> names = new();
        private long sentinelsSeen;
        private volatile bool enabled;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name != RuntimeSource) return;
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
            enabled = true;
        }

        public bool WaitUntilEnabled(TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (!enabled && clock.Elapsed < timeout) Thread.Sleep(10);
            if (!enabled) return false;
            // Events flow once the session runs: wait until a sentinel's finalization is seen.
            return WaitForSentinel(timeout);
        }

        public void Reset() => Counts.Clear();

        public bool WaitForSentinel(TimeSpan timeout)
        {
            long target = Interlocked.Read(ref sentinelsSeen) + 1;
            var clock = Stopwatch.StartNew();
            MakeSentinel();
            while (Interlocked.Read(ref sentinelsSeen) < target && clock.Elapsed < timeout)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Thread.Sleep(20);
            }
            return Interlocked.Read(ref sentinelsSeen) >= target;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void MakeSentinel() => _ = new Sentinel();

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName != "FinalizeObject" || e.Payload is null || e.PayloadNames is null) return;
            int index = e.PayloadNames.IndexOf("TypeID");
            if (index < 0 || e.Payload[index] is not IntPtr typeId) return;
            if (typeId == Sentinel.TypeId)
            {
                Interlocked.Increment(ref sentinelsSeen);
                return;
            }
            var name = names.GetOrAdd(typeId, NameIfTorchSharp);
            if (name is not null) Counts.AddOrUpdate(name, 1, (_, c) => c + 1);
        }

        /// <summary>
        /// The type's name if every run of its finalizer frees a TorchSharp native object, else null.
        /// Tensors are not among them (a tensor whose handle moved to a parameter is finalized
        /// empty; the statistics count them instead), nor modules, their handles or pinned arrays,
        /// whose finalizers free nothing native and run even after Dispose.
        /// </summary>
        private static string? NameIfTorchSharp(IntPtr typeId)
        {
            try
            {
                var type = Type.GetTypeFromHandle(RuntimeTypeHandle.FromIntPtr(typeId));
                return type is not null && FreesNativeMemory.Any(t => t.IsAssignableFrom(type)) ? type.Name : null;
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}
