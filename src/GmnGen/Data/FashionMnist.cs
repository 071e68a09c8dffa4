using System;
using System.IO;
using GmnGen.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28x28 grey images of clothing in 10 classes,
/// 60,000 for training and 10,000 for testing, read from the four IDX files on local disk.
/// Nothing is ever downloaded.
/// </summary>
/// <remarks>
/// The files are looked for in <see cref="DefaultDirectory"/> (where the Debian package
/// <c>dataset-fashion-mnist</c> installs them) unless a directory is passed to <see cref="Load"/>
/// or the environment variable <see cref="DirectoryVariable"/> names another folder.
/// The whole dataset becomes two pairs of CPU tensors, built once (about 220 MB of float32 pixels);
/// batches are index views into them, so no per-batch conversion happens.
/// </remarks>
public sealed class FashionMnist : IDisposable
{
    /// <summary>Where <c>sudo apt-get install dataset-fashion-mnist</c> puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Environment variable that overrides <see cref="DefaultDirectory"/>.</summary>
    public const string DirectoryVariable = "GMNGEN_FASHION_MNIST";

    /// <summary>Mean pixel value of the training images after scaling to [0, 1].</summary>
    public const double PixelMean = 0.2860;

    /// <summary>Standard deviation of the training pixels after scaling to [0, 1].</summary>
    public const double PixelStd = 0.3530;

    /// <summary>Image height and width.</summary>
    public const int ImageSize = 28;

    /// <summary>Number of classes (T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot).</summary>
    public const int ClassCount = 10;

    private FashionMnist(ImageSet train, ImageSet test)
    {
        Train = train;
        Test = test;
    }

    /// <summary>The 60,000 training images.</summary>
    public ImageSet Train { get; }

    /// <summary>The 10,000 test images.</summary>
    public ImageSet Test { get; }

    /// <summary>
    /// Loads both splits from <paramref name="directory"/>, or from <c>$GMNGEN_FASHION_MNIST</c>,
    /// or from <see cref="DefaultDirectory"/>, in that order of preference.
    /// </summary>
    /// <param name="directory">Folder holding <c>train-images-idx3-ubyte(.gz)</c> and the three other files.</param>
    /// <exception cref="FileNotFoundException">A file is missing; the message says how to install the dataset.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or image and label counts disagree.</exception>
    public static FashionMnist Load(string? directory = null)
    {
        directory ??= Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } fromEnv
            ? fromEnv
            : DefaultDirectory;
        var train = LoadSplit(directory, "train");
        try
        {
            return new FashionMnist(train, LoadSplit(directory, "t10k"));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>Frees the tensors of both splits.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }

    private static ImageSet LoadSplit(string directory, string prefix)
    {
        string imagesPath = FindFile(directory, $"{prefix}-images-idx3-ubyte");
        string labelsPath = FindFile(directory, $"{prefix}-labels-idx1-ubyte");
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Rows != ImageSize || images.Columns != ImageSize)
        {
            throw new InvalidDataException(
                $"'{imagesPath}' holds {images.Rows}x{images.Columns} images; Fashion-MNIST images are {ImageSize}x{ImageSize}.");
        }
        if (images.Count != labels.Length)
        {
            throw new InvalidDataException(
                $"'{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Length} labels; they must match.");
        }

        // Intermediates (the uint8 tensors) die with the scope; the two results are moved out of it.
        using var scope = NewDisposeScope();
        var pixels = tensor(images.Pixels, new long[] { images.Count, 1, ImageSize, ImageSize }, dtype: ScalarType.Byte);
        var normalised = pixels.to_type(ScalarType.Float32).div_(Scalars.Of(255.0)).sub_(Scalars.Of(PixelMean)).div_(Scalars.Of(PixelStd));
        var classes = tensor(labels, new long[] { labels.Length }, dtype: ScalarType.Byte).to_type(ScalarType.Int64);
        return new ImageSet(scope.MoveToOuter(normalised), scope.MoveToOuter(classes));
    }

    /// <summary>Returns the path of <paramref name="baseName"/>, gzip'd or not, or throws naming what is missing.</summary>
    private static string FindFile(string directory, string baseName)
    {
        string gz = Path.Combine(directory, baseName + ".gz");
        if (File.Exists(gz)) return gz;
        string plain = Path.Combine(directory, baseName);
        if (File.Exists(plain)) return plain;
        throw new FileNotFoundException(
            $"'{gz}' is missing. Fashion-MNIST not found: install it with `sudo apt-get install dataset-fashion-mnist` " +
            $"or set {DirectoryVariable} to a folder with the idx files.",
            gz);
    }
}

/// <summary>
/// A set of labelled images held as two tensors with the same first dimension.
/// </summary>
/// <remarks>
/// <see cref="Images"/> is float32 <c>[n, 1, 28, 28]</c>: each pixel byte is scaled to [0, 1] and then
/// normalised as <c>(x - 0.2860) / 0.3530</c> (<see cref="FashionMnist.PixelMean"/>,
/// <see cref="FashionMnist.PixelStd"/>: the training-set statistics), so training pixels have mean 0 and
/// standard deviation 1. The test set uses the same constants, as it must.
/// The set owns its tensors: they are detached from any dispose scope, and <see cref="Dispose"/> frees them.
/// </remarks>
public sealed class ImageSet : IDisposable
{
    /// <summary>Wraps two tensors; both are detached from the current dispose scope and owned by this set.</summary>
    /// <param name="images">float32 <c>[n, 1, 28, 28]</c>, already normalised.</param>
    /// <param name="labels">int64 <c>[n]</c>, class indices.</param>
    public ImageSet(Tensor images, Tensor labels)
    {
        if (images.shape.Length == 0 || labels.shape.Length != 1 || images.shape[0] != labels.shape[0])
        {
            throw new ArgumentException(
                $"Images [{string.Join(", ", images.shape)}] and labels [{string.Join(", ", labels.shape)}] must share their first dimension.");
        }
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
    }

    /// <summary>float32 <c>[n, 1, 28, 28]</c>, scaled to [0, 1] then normalised with mean 0.2860 and std 0.3530.</summary>
    public Tensor Images { get; }

    /// <summary>int64 <c>[n]</c> class indices in 0..9.</summary>
    public Tensor Labels { get; }

    /// <summary>Number of samples, n.</summary>
    public int Count => (int)Labels.shape[0];

    /// <summary>The first <paramref name="n"/> samples (all of them if there are fewer), as views sharing this set's memory.</summary>
    public ImageSet Take(int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Cannot take a negative number of samples.");
        return Slice(0, Math.Min(n, Count));
    }

    /// <summary>Samples <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1, as views sharing this set's memory.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the set.</exception>
    public ImageSet Slice(int start, int count)
    {
        if (start < 0 || count < 0 || (long)start + count > Count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(start), $"Slice({start}, {count}) lies outside a set of {Count} samples.");
        }
        // narrow() makes views, so slicing copies nothing; disposing a view leaves the parent intact.
        return new ImageSet(Images.narrow(0, start, count), Labels.narrow(0, start, count));
    }

    /// <summary>Frees this set's tensor handles (views taken from it stay valid).</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
