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
/// Reads and writes float32 tensors in the safetensors format (an 8-byte little-endian header
/// length, a JSON header of name → dtype, shape and byte offsets, then the raw data), so a model
/// zoo's weights open in Python (safetensors, numpy) as well as here. Writes are atomic.
/// </summary>
public static class SafeTensors
{
    public static void Save(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new Dictionary<string, object>();
        if (metadata is not null) header["__metadata__"] = metadata;
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            var data = tensor.detach().to(CPU).to(float32).contiguous().data<float>().ToArray();
            var bytes = new byte[data.Length * sizeof(float)];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian");
            header[name] = new Dictionary<string, object> { ["dtype"] = "F32", ["shape"] = tensor.shape, ["data_offsets"] = new[] { offset, offset + bytes.Length } };
            blobs.Add(bytes);
            offset += bytes.Length;
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

    /// <summary>Reads every tensor of a safetensors file (float32 only) onto the CPU.</summary>
    public static IReadOnlyDictionary<string, Tensor> Load(string path)
    {
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"Weights file not found: {path}", path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: too short for a safetensors file.");
        var headerLength = (long)BitConverter.ToUInt64(bytes, 0);
        if (headerLength > bytes.Length - 8) throw new InvalidDataException($"{path}: header length {headerLength} exceeds the file.");
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        var result = new Dictionary<string, Tensor>();
        long dataStart = 8 + headerLength;
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            var dtype = entry.Value.GetProperty("dtype").GetString();
            if (dtype != "F32") throw new InvalidDataException($"{path}: tensor '{entry.Name}' has dtype {dtype}; only F32 is supported.");
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            long count = shape.Aggregate(1L, (a, d) => a * d);
            if (offsets[1] - offsets[0] != count * sizeof(float) || dataStart + offsets[1] > bytes.Length)
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' [{string.Join(", ", shape)}] does not match its data range {offsets[0]}..{offsets[1]}.");
            var data = new float[count];
            Buffer.BlockCopy(bytes, (int)(dataStart + offsets[0]), data, 0, (int)(count * sizeof(float)));
            result[entry.Name] = tensor(data).reshape(shape);
        }
        return result;
    }

    /// <summary>The header's free-form metadata (empty when there is none).</summary>
    public static IReadOnlyDictionary<string, string> Metadata(string path)
    {
        using var stream = File.OpenRead(path);
        var lengthBytes = new byte[8];
        stream.ReadExactly(lengthBytes);
        var json = new byte[(int)BitConverter.ToUInt64(lengthBytes, 0)];
        stream.ReadExactly(json);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("__metadata__", out var meta)
            ? meta.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "")
            : new Dictionary<string, string>();
    }
}
