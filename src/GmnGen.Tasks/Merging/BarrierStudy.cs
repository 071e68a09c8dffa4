using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using GmnGen.Data;
using GmnGen.Symmetries.Matching;
using GmnGen.Tasks.Zoo;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Merging;

/// <summary>The two ways of pairing B with A that the study compares.</summary>
public static class MergeMethods
{
    /// <summary>A interpolated with B as trained.</summary>
    public const string Naive = "naive";

    /// <summary>A interpolated with B permuted by weight matching (<see cref="WeightMatching.Align(IGraphNetwork, IGraphNetwork, int, long)"/>).</summary>
    public const string Aligned = "aligned";

    /// <summary>Both, in report order.</summary>
    public static IReadOnlyList<string> All { get; } = [Naive, Aligned];
}

/// <summary>Settings of <see cref="BarrierStudy.Run(Func{nn.Module{Tensor, Tensor}}, Func{Tensor, Tensor}?, nn.Module{Tensor, Tensor}, nn.Module{Tensor, Tensor}, ImageSet, ImageSet, BarrierStudyOptions?, IProgress{BarrierProgress}?)"/>.</summary>
public sealed record BarrierStudyOptions
{
    /// <summary>Values of λ, evenly spaced in [0, 1] with both ends; 11 by default.</summary>
    public int Points { get; init; } = 11;

    /// <summary>Recompute BatchNorm statistics at every λ, endpoints included (<see cref="BatchNormReset"/>); true by default.</summary>
    public bool ResetBatchNorm { get; init; } = true;

    /// <summary>Images per forward pass when scoring.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Images per forward pass when recomputing BatchNorm statistics.</summary>
    public int ResetBatchSize { get; init; } = 500;

    /// <summary>Most sweeps of weight matching.</summary>
    public int MaxSweeps { get; init; } = 100;

    /// <summary>Seeds the order in which weight matching visits the symmetry groups.</summary>
    public long MatchingSeed { get; init; }
}

/// <summary>One interpolated network's scores.</summary>
/// <param name="Lambda">λ: 0 is A, 1 is B (or aligned B).</param>
/// <param name="Method"><see cref="MergeMethods.Naive"/> or <see cref="MergeMethods.Aligned"/>.</param>
/// <param name="TestLoss">Mean cross-entropy on the test set.</param>
/// <param name="TestAccuracy">Accuracy on the test set.</param>
/// <param name="TrainLoss">Mean cross-entropy on the training subset.</param>
/// <param name="TrainAccuracy">Accuracy on the training subset.</param>
public sealed record BarrierPoint(double Lambda, string Method, double TestLoss, double TestAccuracy, double TrainLoss, double TrainAccuracy);

/// <summary>The four barriers of one method's curve (<see cref="Barrier"/>).</summary>
/// <param name="Method">The method.</param>
/// <param name="TestLoss">Loss barrier on the test set.</param>
/// <param name="TestAccuracy">Accuracy barrier on the test set.</param>
/// <param name="TrainLoss">Loss barrier on the training subset.</param>
/// <param name="TrainAccuracy">Accuracy barrier on the training subset.</param>
public sealed record MethodBarriers(string Method, double TestLoss, double TestAccuracy, double TrainLoss, double TrainAccuracy)
{
    /// <summary>The barriers of <paramref name="method"/>'s points among <paramref name="points"/> (ordered by λ here).</summary>
    public static MethodBarriers Of(string method, IEnumerable<BarrierPoint> points)
    {
        var curve = points.Where(p => p.Method == method).OrderBy(p => p.Lambda).ToList();
        var lambdas = curve.Select(p => p.Lambda).ToList();
        return new MethodBarriers(method,
            Barrier.OfLoss(lambdas, curve.Select(p => p.TestLoss).ToList()), Barrier.OfAccuracy(lambdas, curve.Select(p => p.TestAccuracy).ToList()),
            Barrier.OfLoss(lambdas, curve.Select(p => p.TrainLoss).ToList()), Barrier.OfAccuracy(lambdas, curve.Select(p => p.TrainAccuracy).ToList()));
    }
}

/// <summary>What <see cref="BarrierStudy"/> found.</summary>
/// <param name="Points">Every (λ, method) pair's scores, by λ, then method in <see cref="MergeMethods.All"/> order.</param>
/// <param name="Barriers">Per method, in <see cref="MergeMethods.All"/> order.</param>
/// <param name="Matching">How weight matching of B onto A went.</param>
/// <param name="BatchNormLayers">BatchNorm layers whose statistics were recomputed at each λ (0: none).</param>
/// <param name="TrainImages">Size of the training subset scored (and used for the BatchNorm statistics).</param>
/// <param name="TestImages">Size of the test set.</param>
/// <param name="Elapsed">Wall-clock time of the study (alignment and every evaluation).</param>
public sealed record BarrierStudyResult(IReadOnlyList<BarrierPoint> Points, IReadOnlyList<MethodBarriers> Barriers, MatchingResult Matching,
    int BatchNormLayers, int TrainImages, int TestImages, TimeSpan Elapsed);

/// <summary>Reported after each evaluated network.</summary>
/// <param name="Done">Networks evaluated so far.</param>
/// <param name="Total">Networks to evaluate (points × methods).</param>
/// <param name="Method">The method of the last one.</param>
/// <param name="Lambda">Its λ.</param>
public sealed record BarrierProgress(int Done, int Total, string Method, double Lambda);

/// <summary>
/// Linear mode connectivity of two trained networks, with and without weight matching (Ainsworth et al.,
/// "Git Re-Basin", 2023): loss and accuracy along θ(λ) = (1−λ)·A + λ·B on the test set and a training
/// subset, for B as it is and for B aligned to A, and the barriers of each curve.
/// </summary>
public static class BarrierStudy
{
    /// <summary>The study for two networks of a zoo architecture.</summary>
    public static BarrierStudyResult Run(ZooArchitecture architecture, nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b, ImageSet train, ImageSet test,
        BarrierStudyOptions? options = null, IProgress<BarrierProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return Run(architecture.Create, architecture.ShapeInput, a, b, train, test, options, progress);
    }

    /// <summary>
    /// Scores θ(λ) for each λ of <see cref="Barrier.Lambdas"/> and each method; A and B are left as they were.
    /// With <see cref="BarrierStudyOptions.ResetBatchNorm"/> every interpolated network, endpoints included,
    /// gets BatchNorm statistics measured on <paramref name="train"/>, so the whole curve is treated alike.
    /// </summary>
    /// <param name="create">Makes a new instance of the architecture (a generated network, so an <see cref="IGraphNetwork"/>).</param>
    /// <param name="shapeInput">Reshapes image batches to the network's input (null: as is).</param>
    /// <param name="a">Network A.</param>
    /// <param name="b">Network B; weight matching permutes a copy of it.</param>
    /// <param name="train">The fixed training subset scored (e.g. 10,000 training images).</param>
    /// <param name="test">The test set.</param>
    /// <param name="options">Points and batch sizes (defaults: <see cref="BarrierStudyOptions"/>).</param>
    /// <param name="progress">Told after each evaluated network.</param>
    public static BarrierStudyResult Run(Func<nn.Module<Tensor, Tensor>> create, Func<Tensor, Tensor>? shapeInput,
        nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b, ImageSet train, ImageSet test,
        BarrierStudyOptions? options = null, IProgress<BarrierProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new BarrierStudyOptions();
        var lambdas = Barrier.Lambdas(options.Points);
        var stopwatch = Stopwatch.StartNew();

        var (aligned, matching) = AlignedCopy(create, a, b, options.MaxSweeps, options.MatchingSeed);
        using var alignedB = aligned;
        using var merged = create();
        var partners = new Dictionary<string, nn.Module<Tensor, Tensor>> { [MergeMethods.Naive] = b, [MergeMethods.Aligned] = alignedB };
        var points = new List<BarrierPoint>();
        int total = lambdas.Count * MergeMethods.All.Count, layers = 0;
        foreach (double lambda in lambdas)
        {
            foreach (var method in MergeMethods.All)
            {
                Interpolation.Interpolate(a, partners[method], lambda, merged);
                if (options.ResetBatchNorm) layers = BatchNormReset.Reset(merged, train, shapeInput, options.ResetBatchSize);
                var onTest = ClassifierScore.Of(merged, test, shapeInput, options.BatchSize);
                var onTrain = ClassifierScore.Of(merged, train, shapeInput, options.BatchSize);
                points.Add(new BarrierPoint(lambda, method, onTest.Loss, onTest.Accuracy, onTrain.Loss, onTrain.Accuracy));
                progress?.Report(new BarrierProgress(points.Count, total, method, lambda));
            }
        }
        var barriers = MergeMethods.All.Select(m => MethodBarriers.Of(m, points)).ToList();
        return new BarrierStudyResult(points, barriers, matching, layers, train.Count, test.Count, stopwatch.Elapsed);
    }

    /// <summary>
    /// A new instance holding B's state permuted by weight matching onto A (B itself is not changed); it computes
    /// B's function. The caller disposes it.
    /// </summary>
    /// <exception cref="ArgumentException">The networks are not generated networks (<see cref="IGraphNetwork"/>) of one architecture.</exception>
    public static (nn.Module<Tensor, Tensor> Aligned, MatchingResult Matching) AlignedCopy(Func<nn.Module<Tensor, Tensor>> create,
        nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b, int maxSweeps = 100, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (a is not IGraphNetwork reference)
            throw new ArgumentException($"Weight matching needs a generated network ([Network]); A is a {a.GetType().Name}.", nameof(a));
        var copy = create();
        try
        {
            if (copy is not IGraphNetwork other)
                throw new ArgumentException($"Weight matching needs a generated network ([Network]); the factory made a {copy.GetType().Name}.", nameof(create));
            Interpolation.CopyState(b, copy);
            var matching = WeightMatching.Align(reference, other, maxSweeps, seed);
            return (copy, matching);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }
}
