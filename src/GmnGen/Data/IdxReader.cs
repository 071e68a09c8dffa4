using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace GmnGen.Data;

/// <summary>
/// The pixels of an IDX image file: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Columns"/>
/// unsigned bytes, stored row-major and image after image in <see cref="Pixels"/>.
/// </summary>
/// <param name="Pixels">All pixels, <c>Count * Rows * Columns</c> bytes.</param>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Height of each image.</param>
/// <param name="Columns">Width of each image.</param>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Columns);

/// <summary>
/// Reads the IDX files MNIST-style datasets ship in (http://yann.lecun.com/exdb/mnist/ describes the format):
/// a big-endian header (magic number, then one 32-bit size per dimension) followed by the raw data.
/// Files may be gzip-compressed; that is detected from the gzip signature, not the file name,
/// so a decompressed file that kept its <c>.gz</c> name still reads.
/// </summary>
/// <remarks>
/// Every malformed input (wrong magic, short data, broken gzip) raises an <see cref="InvalidDataException"/>
/// whose message names the file and what was expected, because "unexpected end of stream" alone
/// does not tell which of four files is broken.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an image file: unsigned bytes (0x08), three dimensions [n, rows, cols].</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a label file: unsigned bytes (0x08), one dimension [n].</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file (magic 0x00000803).</summary>
    /// <param name="path">Path of the file, gzip-compressed or plain.</param>
    /// <exception cref="InvalidDataException">The file is not a complete uint8 three-dimensional IDX file.</exception>
    public static IdxImages ReadImages(string path)
    {
        using var stream = OpenDecompressed(path);
        ReadMagic(stream, path, ImagesMagic, "images (uint8, 3 dimensions)");
        int count = ReadDimension(stream, path, "image count");
        int rows = ReadDimension(stream, path, "row count");
        int columns = ReadDimension(stream, path, "column count");
        long size = (long)count * rows * columns;
        if (size > Array.MaxLength)
        {
            throw new InvalidDataException(
                $"IDX file '{path}' declares {count} images of {rows}x{columns} pixels, too large to hold in one array.");
        }
        byte[] pixels = ReadPayload(stream, path, (int)size, $"{count} images of {rows}x{columns} pixels");
        return new IdxImages(pixels, count, rows, columns);
    }

    /// <summary>Reads a label file (magic 0x00000801): one byte per sample.</summary>
    /// <param name="path">Path of the file, gzip-compressed or plain.</param>
    /// <exception cref="InvalidDataException">The file is not a complete uint8 one-dimensional IDX file.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var stream = OpenDecompressed(path);
        ReadMagic(stream, path, LabelsMagic, "labels (uint8, 1 dimension)");
        int count = ReadDimension(stream, path, "label count");
        return ReadPayload(stream, path, count, $"{count} labels");
    }

    /// <summary>Opens the file, wrapping it in a <see cref="GZipStream"/> when it starts with the gzip signature 1f 8b.</summary>
    private static Stream OpenDecompressed(string path)
    {
        var file = File.OpenRead(path);
        Span<byte> signature = stackalloc byte[2];
        int read = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
        file.Position = 0;
        // An IDX magic always starts with two zero bytes, so it can never be mistaken for gzip.
        return read == 2 && signature[0] == 0x1f && signature[1] == 0x8b
            ? new GZipStream(file, CompressionMode.Decompress)
            : file;
    }

    private static void ReadMagic(Stream stream, string path, int expected, string what)
    {
        int magic = ReadBigEndianInt32(stream, path, "magic number");
        if (magic != expected)
        {
            throw new InvalidDataException(
                $"IDX file '{path}' has magic number 0x{magic:X8}; expected 0x{expected:X8} for {what}.");
        }
    }

    private static int ReadDimension(Stream stream, string path, string what)
    {
        int value = ReadBigEndianInt32(stream, path, what);
        if (value < 0)
        {
            throw new InvalidDataException($"IDX file '{path}' has a negative {what} ({value}).");
        }
        return value;
    }

    private static int ReadBigEndianInt32(Stream stream, string path, string what)
    {
        Span<byte> buffer = stackalloc byte[4];
        int read = ReadFully(stream, path, buffer);
        if (read < 4)
        {
            throw new InvalidDataException(
                $"IDX file '{path}' is truncated: the header ends before its {what} (expected 4 bytes, found {read}).");
        }
        return BinaryPrimitives.ReadInt32BigEndian(buffer);
    }

    private static byte[] ReadPayload(Stream stream, string path, int length, string what)
    {
        var data = new byte[length];
        int read = ReadFully(stream, path, data);
        if (read < length)
        {
            throw new InvalidDataException(
                $"IDX file '{path}' is truncated: its header declares {what} ({length} bytes) but only {read} bytes follow.");
        }
        return data;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns the bytes read.</summary>
    private static int ReadFully(Stream stream, string path, Span<byte> buffer)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            // GZipStream reports corrupt or cut-off compressed data without naming the file.
            throw new InvalidDataException($"IDX file '{path}' has corrupt gzip data: {e.Message}", e);
        }
    }
}
