using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Bench;

/// <summary>
/// CUDA runs asynchronously: a step "ends" when its kernels are queued. Reading one value of a tensor
/// made after them waits for every kernel queued before on the (single, default) stream, so timings
/// include the work. A no-op on the CPU.
/// </summary>
public static class DeviceSync
{
    public static void Wait(Device device)
    {
        if (device.type != DeviceType.CUDA) return;
        using var marker = zeros(1, device: device);
        _ = marker.cpu().item<float>();
    }
}
