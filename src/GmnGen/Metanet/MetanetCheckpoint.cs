using System;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Metanet;

/// <summary>
/// A metanet in one file: a header naming the format, the <see cref="GmnConfig"/> as JSON, then
/// the weights and buffers (value normalisation included) in TorchSharp's format. Written
/// atomically (temporary file, then rename), so an interrupted save never leaves a torn file.
/// </summary>
public static class MetanetCheckpoint
{
    private const string Magic = "GMNCKPT1";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Writes <paramref name="metanet"/>'s configuration, weights and buffers to <paramref name="path"/>
    /// atomically, replacing any file there and creating its folder if needed; read it back with <see cref="Load"/>.</summary>
    public static void Save(GraphMetanet metanet, string path) =>
        Storage.AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(JsonSerializer.Serialize(metanet.Config, Json));
            metanet.save(writer);
        });

    /// <summary>The configuration stored in a checkpoint, without loading its weights.</summary>
    public static GmnConfig ReadConfig(string path)
    {
        using var stream = Open(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        return ReadHeader(reader, path);
    }

    /// <summary>Loads a metanet onto <paramref name="device"/>. When <paramref name="expected"/> is given, a
    /// checkpoint with another configuration is refused with the differing settings named.</summary>
    public static GraphMetanet Load(string path, Device? device = null, GmnConfig? expected = null)
    {
        using var stream = Open(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        var config = ReadHeader(reader, path);
        if (expected is not null && expected != config)
            throw new InvalidDataException($"{path}: the checkpoint was saved with {Describe(config)}, but {Describe(expected)} was expected.");
        var metanet = new GraphMetanet(config);
        try
        {
            metanet.load(reader, strict: true);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: the checkpoint is truncated (its weights end early).", e);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"{path}: the weights do not fit a metanet with {Describe(config)}: {e.Message}", e);
        }
        if (stream.Position != stream.Length)
            throw new InvalidDataException($"{path}: {stream.Length - stream.Position} unexpected bytes after the weights; the file is damaged or not one checkpoint.");
        if (device is not null) metanet.to(device);
        return metanet;
    }

    private static FileStream Open(string path) =>
        File.Exists(path) ? File.OpenRead(path) : throw new FileNotFoundException($"Metanet checkpoint not found: {path}", path);

    private static GmnConfig ReadHeader(BinaryReader reader, string path)
    {
        try
        {
            var magic = Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length));
            if (magic != Magic) throw new InvalidDataException($"{path} is not a GmnGen metanet checkpoint (expected the header {Magic}).");
            return JsonSerializer.Deserialize<GmnConfig>(reader.ReadString(), Json)
                ?? throw new InvalidDataException($"{path}: the checkpoint has no configuration.");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException)
        {
            throw new InvalidDataException($"{path}: truncated or damaged checkpoint header ({e.Message}).", e);
        }
    }

    private static string Describe(GmnConfig config) => JsonSerializer.Serialize(config, new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } });
}
