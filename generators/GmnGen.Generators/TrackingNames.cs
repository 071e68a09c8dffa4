namespace GmnGen.Generators;

/// <summary>Names of the pipeline steps; the incrementality tests look them up in the driver's run result.</summary>
public static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string Build = nameof(Build);
    public const string Spec = nameof(Spec);
    public const string Stub = nameof(Stub);
    public const string Diagnostics = nameof(Diagnostics);
}
