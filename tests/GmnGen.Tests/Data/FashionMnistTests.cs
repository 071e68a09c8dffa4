using System;
using System.IO;
using System.IO.Compression;
using GmnGen.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Data;

/// <summary>
/// The real dataset, loaded once per test run: decompressing and converting it takes about a second,
/// and the tensors are only read, so every test class may share them.
/// </summary>
internal static class SharedFashionMnist
{
    private static readonly Lazy<FashionMnist> Instance = new(() => FashionMnist.Load());

    public static FashionMnist Data => Instance.Value;
}

public sealed class FashionMnistTests
{
    [Fact]
    public void Real_files_load_with_the_documented_sizes_shapes_and_types()
    {
        var data = SharedFashionMnist.Data;

        Assert.Equal(60000, data.Train.Count);
        Assert.Equal(10000, data.Test.Count);
        Assert.Equal(new long[] { 60000, 1, 28, 28 }, data.Train.Images.shape);
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, data.Test.Images.shape);
        Assert.Equal(new long[] { 60000 }, data.Train.Labels.shape);
        Assert.Equal(new long[] { 10000 }, data.Test.Labels.shape);
        Assert.Equal(ScalarType.Float32, data.Train.Images.dtype);
        Assert.Equal(ScalarType.Int64, data.Train.Labels.dtype);
        Assert.Equal(ScalarType.Float32, data.Test.Images.dtype);
        Assert.Equal(ScalarType.Int64, data.Test.Labels.dtype);
    }

    [Fact]
    public void Labels_lie_in_0_to_9_and_every_class_occurs()
    {
        var data = SharedFashionMnist.Data;
        foreach (var set in new[] { data.Train, data.Test })
        {
            using var scope = NewDisposeScope();
            Assert.Equal(0L, set.Labels.min().item<long>());
            Assert.Equal(9L, set.Labels.max().item<long>());
            var counts = bincount(set.Labels, minlength: 10);
            Assert.Equal(10L, counts.shape[0]);
            Assert.True(counts.min().item<long>() > 0, "every class should occur");
        }
    }

    [Fact]
    public void Normalisation_gives_training_pixels_mean_0_and_std_1()
    {
        using var scope = NewDisposeScope();
        var images = SharedFashionMnist.Data.Train.Images;

        double mean = images.mean().item<float>();
        double std = images.std().item<float>();

        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(std, 0.98, 1.02);
    }

    [Fact]
    public void Take_and_Slice_are_views_of_the_right_samples()
    {
        var train = SharedFashionMnist.Data.Train;
        using var first = train.Take(100);
        using var middle = train.Slice(50, 10);
        using var all = train.Take(int.MaxValue);
        using var scope = NewDisposeScope();

        Assert.Equal(100, first.Count);
        Assert.Equal(new long[] { 100, 1, 28, 28 }, first.Images.shape);
        Assert.Equal(10, middle.Count);
        Assert.True(middle.Images.eq(first.Images.narrow(0, 50, 10)).all().item<bool>());
        Assert.True(middle.Labels.eq(train.Labels.narrow(0, 50, 10)).all().item<bool>());
        Assert.Equal(train.Count, all.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => train.Slice(train.Count - 5, 10));
    }

    [Fact]
    public void Missing_directory_names_the_path_and_the_apt_package()
    {
        string missing = Path.Combine(Path.GetTempPath(), "gmngen-no-such-dir-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(missing));

        Assert.Contains(missing, e.Message);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("GMNGEN_FASHION_MNIST", e.Message);
    }

    [Fact]
    public void IdxReader_reads_small_plain_and_gzip_files()
    {
        using var dir = new TempDirectory();
        byte[] images = Idx(IdxReader.ImagesMagic, new[] { 2, 2, 3 }, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
        byte[] labels = Idx(IdxReader.LabelsMagic, new[] { 2 }, new byte[] { 7, 9 });
        string imagesPath = dir.Write("images-idx3-ubyte.gz", Gzip(images));
        string labelsPath = dir.Write("labels-idx1-ubyte", labels);

        var read = IdxReader.ReadImages(imagesPath);

        Assert.Equal((2, 2, 3), (read.Count, read.Rows, read.Columns));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, read.Pixels);
        Assert.Equal(new byte[] { 7, 9 }, IdxReader.ReadLabels(labelsPath));
    }

    [Fact]
    public void IdxReader_rejects_a_bad_magic_naming_the_file()
    {
        using var dir = new TempDirectory();
        // A label file where images are expected: the magic is wrong for ReadImages.
        string path = dir.Write("not-images.idx", Idx(IdxReader.LabelsMagic, new[] { 2 }, new byte[] { 1, 2 }));

        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("expected 0x00000803", e.Message);
    }

    [Fact]
    public void IdxReader_rejects_truncated_files_naming_the_file()
    {
        using var dir = new TempDirectory();
        // Header promises 3 images of 2x2 (12 bytes) but only 5 follow.
        byte[] truncated = Idx(IdxReader.ImagesMagic, new[] { 3, 2, 2 }, new byte[] { 1, 2, 3, 4, 5 });
        string plain = dir.Write("short-images-idx3-ubyte", truncated);
        string gzipped = dir.Write("short-images-idx3-ubyte.gz", Gzip(truncated));
        string headerOnly = dir.Write("header-only-idx1-ubyte", new byte[] { 0, 0, 8, 1, 0, 0 });

        foreach (string path in new[] { plain, gzipped })
        {
            var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
            Assert.Contains("12 bytes", e.Message);
        }
        var header = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(headerOnly));
        Assert.Contains(headerOnly, header.Message);
        Assert.Contains("truncated", header.Message);
    }

    [Fact]
    public void Load_rejects_image_and_label_counts_that_disagree()
    {
        using var dir = new TempDirectory();
        var pixels = new byte[2 * 28 * 28];
        foreach (string split in new[] { "train", "t10k" })
        {
            dir.Write($"{split}-images-idx3-ubyte.gz", Gzip(Idx(IdxReader.ImagesMagic, new[] { 2, 28, 28 }, pixels)));
            dir.Write($"{split}-labels-idx1-ubyte.gz", Gzip(Idx(IdxReader.LabelsMagic, new[] { 3 }, new byte[] { 0, 1, 2 })));
        }

        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));

        Assert.Contains("2 images", e.Message);
        Assert.Contains("3 labels", e.Message);
        Assert.Contains(Path.Combine(dir.Path, "train-labels-idx1-ubyte.gz"), e.Message);
    }

    /// <summary>An IDX file: big-endian magic, big-endian dimensions, then the payload as given.</summary>
    private static byte[] Idx(int magic, int[] dimensions, byte[] payload)
    {
        using var buffer = new MemoryStream();
        WriteBigEndian(buffer, magic);
        foreach (int size in dimensions) WriteBigEndian(buffer, size);
        buffer.Write(payload);
        return buffer.ToArray();
    }

    private static void WriteBigEndian(Stream stream, int value) =>
        stream.Write(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value });

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }
        return buffer.ToArray();
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("gmngen-idx-").FullName;

        public string Write(string name, byte[] content)
        {
            string path = System.IO.Path.Combine(Path, name);
            File.WriteAllBytes(path, content);
            return path;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
