using System;
using System.Runtime.InteropServices;

namespace GmnGen.Runtime;

/// <summary>The C library's environment, which native libraries (libtorch, libgomp) read with getenv. .NET's
/// Environment.SetEnvironmentVariable keeps its own copy on Linux and does not write there.</summary>
internal static class NativeEnvironment
{
    /// <summary>The variable's value in the C environment, or null (also off Linux).</summary>
    public static string? Get(string name) => OperatingSystem.IsLinux() ? Marshal.PtrToStringUTF8(getenv(name)) : null;

    /// <summary>Sets the variable in the C environment unless it is set already (the user's value wins); no-op off Linux.</summary>
    public static void SetDefault(string name, string value)
    {
        if (OperatingSystem.IsLinux()) setenv(name, value, overwrite: 0);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
