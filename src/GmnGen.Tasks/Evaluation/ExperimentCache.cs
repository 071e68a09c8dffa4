using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GmnGen.Storage;
using GmnGen.Tasks.Reporting;

namespace GmnGen.Tasks.Evaluation;

/// <summary>
/// Finished fits of one experiment, one JSON file each (written atomically) in a folder named by a
/// hash of everything that determines the results (zoo contents and options). Rerunning the same
/// experiment reuses them; changing anything starts a fresh folder, so stale results are never mixed in.
/// </summary>
public sealed class ExperimentCache
{
    private static readonly JsonSerializerOptions Json = new() { IncludeFields = true };
    private readonly string directory;

    /// <param name="root">Folder the cache lives under (e.g. the report folder's <c>cache/</c>).</param>
    /// <param name="fingerprint">Text that changes whenever the results would (zoo ids and targets, options).</param>
    public ExperimentCache(string root, string fingerprint)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint)))[..16].ToLowerInvariant();
        directory = Path.Combine(root, hash);
        AtomicFile.RemoveStaleTemporaries(directory);   // left by a process killed while writing a fit
    }

    /// <summary>The stored fit, or null when it is not there or unreadable (then it is simply redone).</summary>
    public MethodRun? TryRead(string split, string method, long seed)
    {
        var path = PathOf(split, method, seed);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<MethodRun>(File.ReadAllText(path), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Stores a finished fit.</summary>
    public void Write(MethodRun run) =>
        AtomicFile.WriteAllText(PathOf(run.Split, run.Method, run.Seed), JsonSerializer.Serialize(run, Json));

    private string PathOf(string split, string method, long seed) =>
        Path.Combine(directory, $"{split}-{method.ToLowerInvariant()}-{seed}.json");
}
