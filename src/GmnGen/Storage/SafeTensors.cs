using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Storage;

/// <summary>
/// Reads and writes tensors in the safetensors format (an 8-byte little-endian header length, a
/// JSON header of name → dtype, shape and byte offsets, then the raw data), so a model zoo's weights
/// open in Python (safetensors, numpy) as well as here, and PyTorch checkpoints open here. Each
/// tensor keeps its dtype. Writes are atomic; a file that breaks the format is refused with its
/// path, the tensor and what was expected.
/// </summary>
public static class SafeTensors
{
    /// <summary>The safetensors dtype names this reader and writer support, with their TorchSharp types and sizes.</summary>
    private static readonly (string Name, ScalarType Type, int Bytes)[] DTypes =
    [
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2), ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4), ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>Writes <paramref name="tensors"/> (any device, each in its own dtype) and the free-form <paramref name="metadata"/> to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="ArgumentException">Two tensors share a name, or a tensor's dtype has no safetensors name.</exception>
    public static void Save(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian");
        var duplicate = tensors.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"{path}: two tensors are named '{duplicate.Key}'.", nameof(tensors));
        var header = new Dictionary<string, object>();
        if (metadata is not null) header["__metadata__"] = metadata;
        var blobs = new List<byte[]>();
        long offset = 0;
        using (var scope = NewDisposeScope())
        {
            foreach (var (name, tensor) in tensors)
            {
                var dtype = DTypes.FirstOrDefault(d => d.Type == tensor.dtype);
                if (dtype.Name is null)
                    throw new ArgumentException($"{path}: tensor '{name}' has dtype {tensor.dtype}, which safetensors cannot store here (supported: {string.Join(", ", DTypes.Select(d => d.Type))}).", nameof(tensors));
                var bytes = tensor.detach().cpu().contiguous().bytes.ToArray();
                header[name] = new Dictionary<string, object> { ["dtype"] = dtype.Name, ["shape"] = tensor.shape, ["data_offsets"] = new[] { offset, offset + bytes.Length } };
                blobs.Add(bytes);
                offset += bytes.Length;
            }
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        // The format pads the header with spaces to a multiple of 8 bytes.
        int padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            stream.Write(BitConverter.GetBytes((ulong)padded));
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var blob in blobs) stream.Write(blob);
        });
    }

    /// <summary>Reads every tensor of a safetensors file onto the CPU, each in its stored dtype. The caller owns (disposes) them.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message names the file, the tensor and what was expected.</exception>
    public static IReadOnlyDictionary<string, Tensor> Load(string path)
    {
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"Weights file not found: {path}", path);
        var (entries, dataStart) = ReadHeader(path, bytes);
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var entry in entries)
            {
                var raw = new byte[entry.End - entry.Begin];
                Buffer.BlockCopy(bytes, (int)(dataStart + entry.Begin), raw, 0, raw.Length);
                result[entry.Name] = FromBytes(raw, entry.Type, entry.Shape);
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>The header's free-form metadata (empty when there is none).</summary>
    /// <exception cref="InvalidDataException">The header is not valid safetensors.</exception>
    public static IReadOnlyDictionary<string, string> Metadata(string path)
    {
        using var stream = File.OpenRead(path);
        var lengthBytes = new byte[8];
        if (stream.Read(lengthBytes) < 8) throw new InvalidDataException($"{path}: {stream.Length} bytes, too short for a safetensors file (8-byte header length first).");
        ulong length = BitConverter.ToUInt64(lengthBytes, 0);
        if (length > (ulong)(stream.Length - 8)) throw new InvalidDataException($"{path}: the header length {length} runs past the end of the file ({stream.Length} bytes).");
        var json = new byte[(int)length];
        stream.ReadExactly(json);
        using var doc = Parse(path, json);
        return doc.RootElement.TryGetProperty("__metadata__", out var meta) && meta.ValueKind == JsonValueKind.Object
            ? meta.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())
            : new Dictionary<string, string>();
    }

    private sealed record Entry(string Name, ScalarType Type, long[] Shape, long Begin, long End);

    /// <summary>Parses and checks the header: every entry well-formed, its byte range inside the data
    /// and of its shape's size, and the ranges tiling the data without overlaps or holes (the format's rule).</summary>
    private static (List<Entry> Entries, long DataStart) ReadHeader(string path, byte[] bytes)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: {bytes.Length} bytes, too short for a safetensors file (8-byte header length first).");
        ulong headerLength = BitConverter.ToUInt64(bytes, 0);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new InvalidDataException($"{path}: the header length {headerLength} runs past the end of the file ({bytes.Length} bytes); the file is truncated or not safetensors.");
        long dataStart = 8 + (long)headerLength, dataLength = bytes.Length - dataStart;
        using var doc = Parse(path, bytes.AsSpan(8, (int)headerLength).ToArray());
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: the header is JSON but not an object of tensors.");
        var entries = new List<Entry>();
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            if (property.Name == "__metadata__") continue;
            entries.Add(ReadEntry(path, property, dataLength));
        }
        long expected = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != expected)
                throw new InvalidDataException(entry.Begin < expected
                    ? $"{path}: tensor '{entry.Name}' (bytes {entry.Begin}..{entry.End}) overlaps the tensor before it, which ends at byte {expected}."
                    : $"{path}: bytes {expected}..{entry.Begin} before tensor '{entry.Name}' belong to no tensor; safetensors data has no holes.");
            expected = entry.End;
        }
        if (expected != dataLength)
            throw new InvalidDataException($"{path}: the tensors cover {expected} bytes of data, the file holds {dataLength} after its header.");
        return (entries, dataStart);
    }

    private static Entry ReadEntry(string path, JsonProperty property, long dataLength)
    {
        string name = property.Name;
        var value = property.Value;
        InvalidDataException Bad(string what) => new($"{path}: tensor '{name}': {what}.");
        if (value.ValueKind != JsonValueKind.Object) throw Bad("expected an object with dtype, shape and data_offsets");
        if (!value.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String) throw Bad("no dtype string");
        string dtypeName = dtypeJson.GetString()!;
        var dtype = DTypes.FirstOrDefault(d => d.Name == dtypeName);
        if (dtype.Name is null) throw Bad($"dtype '{dtypeName}' is not supported (supported: {string.Join(", ", DTypes.Select(d => d.Name))})");
        if (!value.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array
            || shapeJson.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long n) || n < 0))
            throw Bad("shape must be an array of non-negative integers");
        var shape = shapeJson.EnumerateArray().Select(d => d.GetInt64()).ToArray();
        if (!value.TryGetProperty("data_offsets", out var offsetsJson) || offsetsJson.ValueKind != JsonValueKind.Array || offsetsJson.GetArrayLength() != 2
            || offsetsJson.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out _)))
            throw Bad("data_offsets must be [begin, end]");
        long begin = offsetsJson[0].GetInt64(), end = offsetsJson[1].GetInt64();
        if (begin < 0 || end < begin || end > dataLength)
            throw Bad($"data_offsets {begin}..{end} lie outside the {dataLength} bytes of data");
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (end - begin != count * dtype.Bytes)
            throw Bad($"shape [{string.Join(", ", shape)}] of {dtypeName} needs {count * dtype.Bytes} bytes, data_offsets {begin}..{end} hold {end - begin}");
        return new Entry(name, dtype.Type, shape, begin, end);
    }

    private static JsonDocument Parse(string path, byte[] json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the header is not valid JSON ({e.Message}); the file is damaged or not safetensors.", e);
        }
    }

    private static Tensor FromBytes(byte[] raw, ScalarType type, long[] shape)
    {
        var result = empty(shape, dtype: type);
        result.bytes = raw;
        return result;
    }
}
