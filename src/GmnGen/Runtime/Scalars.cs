using System.Collections.Concurrent;
using TorchSharp;

namespace GmnGen.Runtime;

/// <summary>
/// Process-lifetime <see cref="Scalar"/> constants, so that code on hot paths never lets TorchSharp
/// turn a number into a <c>Scalar</c> that nobody disposes (<see cref="FinalizerWatch"/> says why).
/// Write <c>x.mul(Scalars.Of(0.5))</c> for <c>x * 0.5</c>, <c>a.add(b, Scalars.One)</c> for
/// <c>a + b</c> (TorchSharp's <c>+</c> and <c>add_(t)</c> make an implicit 1).
/// </summary>
/// <remarks>
/// For constants only: each distinct value stays allocated until the process ends. A value that
/// changes from call to call (a learning rate, an offset) is an explicit <c>using var s = v.ToScalar()</c>.
/// A c10 Scalar is immutable, so the constants are shared by every thread.
/// </remarks>
public static class Scalars
{
    private static readonly ConcurrentDictionary<double, Scalar> Doubles = new();
    private static readonly ConcurrentDictionary<long, Scalar> Longs = new();

    /// <summary>The floating-point 1 (the <c>alpha</c> of an unscaled add).</summary>
    public static Scalar One { get; } = Of(1.0);

    /// <summary>The floating-point 0.</summary>
    public static Scalar Zero { get; } = Of(0.0);

    /// <summary>A floating-point constant (keeps an integer tensor's results floating point, as a C# double would).</summary>
    public static Scalar Of(double value) => Doubles.GetOrAdd(value, v => v.ToScalar());

    /// <summary>An integer constant (keeps an integer tensor's results integer).</summary>
    public static Scalar Of(long value) => Longs.GetOrAdd(value, v => v.ToScalar());

    /// <summary>int64 <c>[start, stop)</c>: <c>torch.arange</c> with its bounds as disposed Scalars
    /// (TorchSharp's one- and two-argument overloads make the missing start and step implicitly).</summary>
    public static torch.Tensor Arange(long start, long stop, torch.Device? device = null)
    {
        using var first = start.ToScalar();
        using var end = stop.ToScalar();
        return torch.arange(first, end, Of(1L), dtype: torch.int64, device: device);
    }
}
