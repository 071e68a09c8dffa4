using System;
using System.IO;

namespace GmnGen.Cli.Bench;

/// <summary>
/// CPU time and page faults of this process from /proc/self/stat (zero elsewhere). On this kind of
/// virtual machine a minor fault costs microseconds of system time, so faults per step explain
/// much of the difference between allocator settings and between small and large batches.
/// </summary>
public readonly record struct ProcessCounters(double UserSeconds, double SystemSeconds, long MinorFaults)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static ProcessCounters Read()
    {
        const string file = "/proc/self/stat";
        if (!File.Exists(file)) return default;
        var text = File.ReadAllText(file);
        // Fields after "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return new ProcessCounters(long.Parse(fields[11]) / TicksPerSecond, long.Parse(fields[12]) / TicksPerSecond, long.Parse(fields[7]));
    }

    public static ProcessCounters operator -(ProcessCounters a, ProcessCounters b) =>
        new(a.UserSeconds - b.UserSeconds, a.SystemSeconds - b.SystemSeconds, a.MinorFaults - b.MinorFaults);

    public ProcessCounters Per(int count) => count <= 0 ? this : new(UserSeconds / count, SystemSeconds / count, MinorFaults / count);
}
