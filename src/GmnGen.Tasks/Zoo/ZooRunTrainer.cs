using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using GmnGen.Data;
using GmnGen.Storage;
using GmnGen.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Zoo;

/// <summary>Trains one zoo run and stores its checkpoints (safetensors, one file each, written atomically).</summary>
public sealed class ZooRunTrainer(FashionMnist data, ImageSet testImages, string weightsDirectory)
{
    /// <summary>Folder name of the weights inside a zoo folder.</summary>
    public const string WeightsFolder = "weights";

    /// <summary>
    /// Trains <paramref name="plan"/> and returns one manifest row per checkpoint. Checkpoints whose
    /// weights are not finite (a diverged run) get a row without weights file and with NaN accuracy:
    /// no metanet can read them, but the manifest still records that the run happened (resume skips it).
    /// </summary>
    public IReadOnlyList<ZooCheckpoint> Train(RunPlan plan, int batchSize)
    {
        var architecture = plan.Architecture;
        // The global generator is seeded here and used by nothing else while the run lasts:
        // initial weights and dropout masks follow from the run's seed alone.
        random.manual_seed(plan.Seed).Dispose();   // returns a new handle to the global generator
        using var model = architecture.Create();
        ScaleInitialWeights(model, plan.InitScale);
        using var subset = TrainingSubset(plan);

        var snapshots = new Dictionary<int, (Dictionary<string, Tensor> State, double Loss)>();
        var wanted = plan.CheckpointSteps.ToHashSet();
        var options = new TrainingOptions
        {
            Optimizer = plan.Optimizer,
            LearningRate = plan.LearningRate,
            WeightDecay = plan.WeightDecay,
            Epochs = plan.Epochs,
            BatchSize = batchSize,
            Seed = plan.Seed,
            MaxSteps = plan.TotalSteps,
            InputTransform = architecture.ShapeInput,
        };
        try
        {
            ClassifierTrainer.Train(model, subset, options, new Callback<TrainingProgress>(p =>
            {
                if (wanted.Contains(p.Step)) snapshots[p.Step] = (Snapshot(model), p.Loss);
            }));

            var rows = new List<ZooCheckpoint>();
            foreach (int step in plan.CheckpointSteps)
            {
                var (state, loss) = snapshots[step];
                if (!state.Values.All(AllFinite))
                {
                    rows.Add(Row(plan, step, loss, double.NaN, file: ""));
                    continue;
                }
                model.load_state_dict(state, strict: false);
                double accuracy = ClassifierTrainer.Accuracy(model, testImages, architecture.ShapeInput);
                rows.Add(Store(plan, step, state, loss, accuracy));
            }
            return rows;
        }
        finally
        {
            foreach (var (state, _) in snapshots.Values)
                foreach (var t in state.Values) t.Dispose();
        }
    }

    private ZooCheckpoint Store(RunPlan plan, int step, Dictionary<string, Tensor> state, double loss, double accuracy)
    {
        var a = plan.Architecture;
        string id = ZooCheckpoint.MakeId(plan.Run, step);
        string file = $"{WeightsFolder}/{id}.safetensors";
        var tensors = a.Layout.State.Select(s => (s.Name, state[s.Name])).ToList();
        var metadata = new Dictionary<string, string>
        {
            ["architecture"] = a.Name,
            ["run"] = plan.Run.ToString(CultureInfo.InvariantCulture),
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            ["test_accuracy"] = accuracy.ToString("R", CultureInfo.InvariantCulture),
        };
        SafeTensors.Save(Path.Combine(weightsDirectory, $"{id}.safetensors"), tensors, metadata);
        return Row(plan, step, loss, accuracy, file);
    }

    private static ZooCheckpoint Row(RunPlan plan, int step, double loss, double accuracy, string file)
    {
        var a = plan.Architecture;
        return new ZooCheckpoint(ZooCheckpoint.MakeId(plan.Run, step), plan.Run, a.Name, a.Kind, a.Width, a.Depth, a.Kernel,
            a.Norm, a.Activation, a.Dropout, plan.Optimizer.ToString().ToLowerInvariant(), plan.LearningRate, plan.WeightDecay,
            plan.InitScale, plan.TrainFraction, plan.Epochs, plan.TotalSteps, step, plan.Seed, loss, accuracy, file);
    }

    /// <summary>A detached copy of the state (parameters and buffers) that outlives the training step's dispose scope.</summary>
    private static Dictionary<string, Tensor> Snapshot(nn.Module model)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();   // the detach() views go with it, the copies stay
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    private static bool AllFinite(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.isfinite().all().item<bool>();
    }

    private static void ScaleInitialWeights(nn.Module model, double scale)
    {
        using var _ = no_grad();
        using var factor = scale.ToScalar();
        foreach (var p in model.parameters())
            if (p.dim() >= 2) p.mul_(factor);   // conv and linear weights; biases and norm affines keep their init
    }

    private ImageSet TrainingSubset(RunPlan plan)
    {
        using var generator = new Generator((ulong)plan.Seed);
        using var scope = NewDisposeScope();
        var indices = randperm(data.Train.Count, generator: generator).narrow(0, 0, plan.TrainImages);
        return new ImageSet(data.Train.Images.index_select(0, indices), data.Train.Labels.index_select(0, indices));
    }

    /// <summary>Calls back synchronously (unlike Progress&lt;T&gt;, which posts to a context).</summary>
    private sealed class Callback<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
