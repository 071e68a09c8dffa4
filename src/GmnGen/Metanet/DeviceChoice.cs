using System;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>Where a metanet runs: <c>auto</c> takes CUDA when TorchSharp finds a GPU, else the CPU.</summary>
public enum DeviceChoice
{
    /// <summary>CUDA when TorchSharp finds a CUDA device, else the CPU.</summary>
    Auto,
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>The CUDA device; resolving it fails when TorchSharp finds none.</summary>
    Cuda,
}

/// <summary>Parsing and resolution of <see cref="DeviceChoice"/> (the <c>--device</c> option).</summary>
public static class DeviceChoices
{
    /// <summary>Parses <c>auto</c>, <c>cpu</c>, or <c>cuda</c> (alias <c>gpu</c>), case-insensitive and ignoring surrounding whitespace.</summary>
    /// <exception cref="ArgumentException">Any other text.</exception>
    public static DeviceChoice Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => DeviceChoice.Auto,
        "cpu" => DeviceChoice.Cpu,
        "cuda" or "gpu" => DeviceChoice.Cuda,
        _ => throw new ArgumentException($"Unknown device '{text}': expected auto, cpu or cuda."),
    };

    /// <summary>The TorchSharp device for <paramref name="choice"/>: <c>auto</c> takes CUDA when available, else the CPU.</summary>
    /// <exception cref="InvalidOperationException">CUDA was asked for but TorchSharp finds no CUDA device
    /// (a CPU-only libtorch build, or no GPU and driver).</exception>
    public static Device Resolve(this DeviceChoice choice) => choice switch
    {
        DeviceChoice.Cpu => CPU,
        DeviceChoice.Cuda when cuda.is_available() => CUDA,
        DeviceChoice.Cuda => throw new InvalidOperationException(
            "CUDA was requested but TorchSharp finds no CUDA device. Build with -p:GmnGenTorchBackend=cuda " +
            "(libtorch-cuda-12.8-linux-x64) on a machine with an NVIDIA GPU and driver, point it at a PyTorch install's CUDA libraries " +
            "(docs/cuda.md), or use --device cpu."),
        _ => cuda.is_available() ? CUDA : CPU,
    };
}
