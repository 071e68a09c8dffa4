using System.Collections.Generic;

namespace GmnGen.Cli.Bench;

/// <summary>What one <c>gmn bench</c> run measures, resolved from the command line.</summary>
public sealed record BenchSettings
{
    /// <summary>Graphs per batch for graph building and training.</summary>
    public required IReadOnlyList<int> BatchSizes { get; init; }
    /// <summary>Declared networks whose graphs are built and trained on.</summary>
    public required IReadOnlyList<Architecture> Networks { get; init; }
    /// <summary>Metanet widths trained; the first is the GmnConfig default.</summary>
    public required IReadOnlyList<int> Widths { get; init; }
    /// <summary>Precisions of the per-edge products that training is measured in (<see cref="GmnGen.Metanet.GraphMetanet.TrainingPrecision"/>), each configuration in each.</summary>
    public IReadOnlyList<GmnGen.Metanet.ProductPrecision> TrainingPrecisions { get; init; } = [GmnGen.Metanet.ProductPrecision.Float32];
    /// <summary>Timed training steps per configuration (fewer when <see cref="ConfigSeconds"/> runs out).</summary>
    public required int Steps { get; init; }
    /// <summary>Untimed steps before the timed ones (the first step of a shape allocates Adam state and heap).</summary>
    public required int WarmupSteps { get; init; }
    /// <summary>Soft time limit of one training configuration: no new timed step starts after it (at least two run).</summary>
    public required double ConfigSeconds { get; init; }
    /// <summary>A training configuration whose step is predicted (from the next smaller batch of the same
    /// network and width) to take longer than this is skipped; 0 runs every configuration.</summary>
    public required double MaxStepSeconds { get; init; }
    /// <summary>Steps of the leak check (0: none).</summary>
    public required int LeakSteps { get; init; }
    /// <summary>Repetitions of each graph-building measurement.</summary>
    public required int BuildReps { get; init; }
    /// <summary>Repetitions of the 1024³ matrix product.</summary>
    public required int MatmulReps { get; init; }
    /// <summary>Graphs in the inference batch.</summary>
    public required int InferenceBatch { get; init; }
    /// <summary>Timed inference repetitions.</summary>
    public required int InferenceReps { get; init; }
    public required bool Quick { get; init; }
    /// <summary>Run the plain-PyTorch reference (scripts/reference_gmn.py) on the same configurations at <see cref="ReferenceBatch"/>.</summary>
    public required bool Reference { get; init; }
    /// <summary>Graphs per batch of the reference's training steps (the figure: 32).</summary>
    public required int ReferenceBatch { get; init; }
    /// <summary>The allocator settings the reference runs under, one reference run each (<see cref="ReferenceAllocator"/>).</summary>
    public IReadOnlyList<ReferenceAllocator> ReferenceAllocators { get; init; } = [ReferenceAllocator.Default, ReferenceAllocator.Tuned];
    public required string OutputPath { get; init; }
    /// <summary>Where the matmul, training and inference run (graphs are built on the CPU and collated onto it).</summary>
    public TorchSharp.torch.Device Device { get; init; } = TorchSharp.torch.CPU;
    /// <summary>How the run was started, for the report.</summary>
    public required string CommandLine { get; init; }
}
