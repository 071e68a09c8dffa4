using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace GmnGen.Runtime;

/// <summary>
/// libtorch's oneDNN backend ("mkldnn": convolutions, bfloat16 products) can be switched off for the whole process, and is
/// on CPUs where it computes wrong convolutions. On AMD Zen 5 (family 26) the oneDNN 3.7.1 inside libtorch 2.10 returned
/// NaN from 3 to 12 % of 1-D and 2-D float32 convolutions over random inputs, and wrong values from others (Conv1d gradients
/// off by 94, a ResNet's loss curve no longer bit-for-bit repeatable), whatever the thread count or the ISA it was limited to;
/// with oneDNN off, libtorch's own convolutions gave none in 1,800 (docs/onednn-zen5.md). Off, float32 convolutions of the zoo
/// CNNs ran 2-3× faster there, but bfloat16 products fall back to a slow path (a 16384 × 64 by 64 × 64 product took 100 ms
/// instead of 0.8), so <see cref="Metanet.ProductPrecision.BFloat16"/> is no gain on such CPUs. Float32 products never use oneDNN.
/// </summary>
public static unsafe class OneDnn
{
    /// <summary>Overrides the default: <c>on</c> keeps oneDNN on every CPU, <c>off</c> turns it off on every CPU.</summary>
    public const string Variable = "GMNGEN_ONEDNN";

    /// <summary>Whether this CPU is one where oneDNN's convolutions were measured to be wrong (AMD family 26, Zen 5).</summary>
    public static bool ConvolutionsWrongOnThisCpu { get; } = IsAmdFamily(0x1A);

    /// <summary>Whether libtorch uses oneDNN now (libtorch's <c>at::globalContext().userEnabledMkldnn()</c>); setting it
    /// switches it for the whole process, for the operations dispatched from then on.</summary>
    public static bool Enabled
    {
        get => Context.Get(Context.Global());
        set => Context.Set(Context.Global(), value);
    }

    /// <summary>What the process starts with: off where <see cref="ConvolutionsWrongOnThisCpu"/> or <see cref="Variable"/>
    /// says <c>off</c>, untouched otherwise (libtorch is loaded only to switch it). Returns whether oneDNN was switched off;
    /// where that fails (a libtorch without the flag's symbols) it says so on stderr and leaves oneDNN on.</summary>
    public static bool ApplyDefault()
    {
        string? choice = Environment.GetEnvironmentVariable(Variable)?.Trim().ToLowerInvariant();
        if (choice == "on" || (choice != "off" && !ConvolutionsWrongOnThisCpu)) return false;
        try
        {
            Enabled = false;
            // Without oneDNN libtorch tries NNPACK for convolutions, which does not recognise these CPUs and prints a warning on
            // every call ("Could not initialize NNPACK! Reason: Unsupported hardware", thousands per zoo): its own kernels run.
            Context.SetNnpack(Context.Global(), false);
            return true;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException)
        {
            Console.Error.WriteLine($"GmnGen: could not switch libtorch's oneDNN off ({(e.InnerException ?? e).Message}); " +
                                    "its convolutions can be wrong on this CPU (docs/onednn-zen5.md).");
            return false;
        }
    }

    private static bool IsAmdFamily(int family)
    {
        if (!X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163;   // "AuthenticAMD"
        int eax = X86Base.CpuId(1, 0).Eax;
        int baseFamily = (eax >> 8) & 0xF;
        return amd && (baseFamily == 0xF ? baseFamily + ((eax >> 20) & 0xFF) : baseFamily) == family;
    }

    /// <summary>libtorch's global context, through the library TorchSharp loaded (dlopen by soname returns that copy, so the
    /// flag switched is the one its operations read). TorchSharp exposes no binding for it.</summary>
    private static class Context
    {
        private static readonly IntPtr Library = LoadTorch();
        private static readonly delegate* unmanaged<IntPtr> GlobalContext =
            (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(Library, "_ZN2at13globalContextEv");
        private static readonly delegate* unmanaged<IntPtr, byte> UserEnabledMkldnn =
            (delegate* unmanaged<IntPtr, byte>)NativeLibrary.GetExport(Library, "_ZNK2at7Context17userEnabledMkldnnEv");
        private static readonly delegate* unmanaged<IntPtr, byte, void> SetUserEnabledMkldnn =
            (delegate* unmanaged<IntPtr, byte, void>)NativeLibrary.GetExport(Library, "_ZN2at7Context20setUserEnabledMkldnnEb");
        private static readonly delegate* unmanaged<IntPtr, byte, void> SetUserEnabledNnpack =
            (delegate* unmanaged<IntPtr, byte, void>)NativeLibrary.GetExport(Library, "_ZN2at7Context20setUserEnabledNNPACKEb");

        private static IntPtr LoadTorch()
        {
            _ = TorchSharp.torch.get_num_threads();   // TorchSharp loads its libtorch first
            return NativeLibrary.Load("libtorch_cpu.so");
        }

        public static IntPtr Global() => GlobalContext();

        public static bool Get(IntPtr context) => UserEnabledMkldnn(context) != 0;

        public static void Set(IntPtr context, bool enabled) => SetUserEnabledMkldnn(context, enabled ? (byte)1 : (byte)0);

        public static void SetNnpack(IntPtr context, bool enabled) => SetUserEnabledNnpack(context, enabled ? (byte)1 : (byte)0);
    }
}
