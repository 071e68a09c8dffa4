using System;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>Where a metanet runs: <c>auto</c> takes CUDA when TorchSharp finds a GPU, else the CPU.</summary>
public enum DeviceChoice { Auto, Cpu, Cuda }

public static class DeviceChoices
{
    public static DeviceChoice Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => DeviceChoice.Auto,
        "cpu" => DeviceChoice.Cpu,
        "cuda" or "gpu" => DeviceChoice.Cuda,
        _ => throw new ArgumentException($"Unknown device '{text}': expected auto, cpu or cuda."),
    };

    public static Device Resolve(this DeviceChoice choice) => choice switch
    {
        DeviceChoice.Cpu => CPU,
        DeviceChoice.Cuda when cuda.is_available() => CUDA,
        DeviceChoice.Cuda => throw new InvalidOperationException(
            "CUDA was requested but TorchSharp finds no CUDA device. Build with -p:GmnGenTorchBackend=cuda " +
            "(libtorch-cuda-12.8-linux-x64) on a machine with an NVIDIA GPU and driver, or use --device cpu."),
        _ => cuda.is_available() ? CUDA : CPU,
    };
}
