using System;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Cli.Soak;

/// <summary>What one way of passing a number to libtorch gave over many calls.</summary>
/// <param name="Calls">Multiplications made.</param>
/// <param name="Wrong">Results whose value was not the number passed.</param>
/// <param name="Errors">Calls that threw (libtorch's "Unknown scalar type", failed internal checks).</param>
/// <param name="FirstError">The first error's message, or empty.</param>
public sealed record RaceOutcome(long Calls, long Wrong, long Errors, string FirstError);

/// <summary>
/// The mechanism behind the crashes, shown on purpose: the same multiplication <c>x · k</c> made with
/// TorchSharp's implicit conversion of <c>k</c> to a Scalar (left to the finalizer) and with a Scalar
/// the caller owns and disposes. Under <see cref="GcPressure"/> a collection can run while the call is
/// in libtorch; the implicit Scalar is unreachable by then and the finalizer may free it before libtorch
/// reads it.
/// </summary>
public static class ScalarRace
{
    /// <summary>Runs <paramref name="calls"/> multiplications one way; <paramref name="owned"/> selects the Scalar the caller disposes.</summary>
    public static RaceOutcome Run(long calls, bool owned)
    {
        using var x = ones(16);
        long wrong = 0, errors = 0;
        string first = "";
        for (long i = 0; i < calls; i++)
        {
            double k = 3 + i % 5;
            try
            {
                using var scope = NewDisposeScope();
                Tensor product;
                if (owned)
                {
                    using var factor = k.ToScalar();
                    product = x.mul(factor);
                }
                else
                {
                    product = x.mul(k);   // deliberate implicit Scalar: the unsafe way, for comparison
                }
                if (product[0].item<float>() != k) wrong++;
            }
            catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException)
            {
                errors++;
                if (first.Length == 0) first = e.Message.Split('\n')[0].Trim();
            }
        }
        return new RaceOutcome(calls, wrong, errors, first);
    }
}
