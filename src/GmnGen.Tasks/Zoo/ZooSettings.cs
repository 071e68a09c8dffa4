using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using GmnGen.Storage;

namespace GmnGen.Tasks.Zoo;

/// <summary>
/// Everything that decides which members a zoo holds, except how many: run <c>i</c> of a zoo is a
/// function of these settings and <c>i</c> alone, so a zoo can grow, resume, or be built in shards
/// on several machines and still be the same zoo. Stored as <c>zoo.json</c> beside the manifest.
/// </summary>
/// <param name="Family">Which architectures members are drawn from.</param>
/// <param name="Seed">Master seed; each run derives its own.</param>
/// <param name="Checkpoints">Checkpoints kept per run, at geometrically spaced steps ending at the last.</param>
/// <param name="TestImages">Fashion-MNIST test images each checkpoint's accuracy is measured on (the first n of the 10,000).</param>
/// <param name="BatchSize">Minibatch size of every run.</param>
/// <param name="Plan">Which version of <see cref="RunPlanner"/>'s distributions draws the runs (<see cref="CurrentPlan"/> for
/// new zoos; a <c>zoo.json</c> without the field was written by plan 1).</param>
public sealed record ZooSettings(ZooFamily Family, long Seed, int Checkpoints = 3, int TestImages = 10_000, int BatchSize = 128,
    int Plan = ZooSettings.CurrentPlan)
{
    /// <summary>File name of the settings inside a zoo folder.</summary>
    public const string FileName = "zoo.json";

    /// <summary>The run plan new zoos use: 2 (fewer runs that never learn, later checkpoints; <see cref="RunPlanner"/>).</summary>
    public const int CurrentPlan = 2;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Checks ranges; throws naming the setting.</summary>
    public void Validate()
    {
        if (Family == 0) throw new ArgumentException("Family must name at least one zoo family.");
        if (Checkpoints is < 1 or > 16) throw new ArgumentException($"Checkpoints must be 1..16, not {Checkpoints}.");
        if (TestImages is < 100 or > 10_000) throw new ArgumentException($"TestImages must be 100..10000, not {TestImages}.");
        if (BatchSize is < 1 or > 4096) throw new ArgumentException($"BatchSize must be 1..4096, not {BatchSize}.");
        if (Plan is < 1 or > CurrentPlan) throw new ArgumentException($"Plan must be 1..{CurrentPlan}, not {Plan}.");
    }

    /// <summary>Reads <c>zoo.json</c> from <paramref name="directory"/>, or null when there is none.</summary>
    public static ZooSettings? Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            string text = File.ReadAllText(path);
            var settings = JsonSerializer.Deserialize<ZooSettings>(text, Json) ?? throw new InvalidDataException($"{path} is empty.");
            // Zoos written before plans had versions lack the field; the constructor's default would call them current.
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty(nameof(Plan), out _) ? settings : settings with { Plan = 1 };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid zoo settings file: {e.Message}", e);
        }
    }

    /// <summary>Writes <c>zoo.json</c> atomically.</summary>
    public void Write(string directory) =>
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));
}

/// <summary>Part <see cref="Index"/> (1-based) of <see cref="Count"/>: run i belongs to it when i mod Count = Index − 1.</summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>The whole zoo as one shard.</summary>
    public static Shard All => new(1, 1);

    /// <summary>Whether run <paramref name="run"/> belongs to this shard.</summary>
    public bool Owns(int run) => run % Count == Index - 1;

    /// <summary>The manifest file this shard writes: <c>manifest.csv</c>, or <c>manifest-shard-k-of-n.csv</c>.</summary>
    public string ManifestName => Count == 1 ? "manifest.csv" : $"manifest-shard-{Index}-of-{Count}.csv";

    /// <summary>Parses "k/n" with 1 ≤ k ≤ n.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], out int k) && int.TryParse(parts[1], out int n) && n >= 1 && k >= 1 && k <= n)
            return new Shard(k, n);
        throw new FormatException($"--shard expects k/n with 1 <= k <= n (e.g. 2/4), not '{text}'.");
    }

    /// <summary>"k/n", the form <see cref="Parse"/> reads.</summary>
    public override string ToString() => $"{Index}/{Count}";
}
