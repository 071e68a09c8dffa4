using System.Globalization;

namespace GmnGen.Tasks.Zoo;

/// <summary>One row of a zoo manifest: a stored checkpoint, how it was trained, and how well it does.</summary>
public sealed record ZooCheckpoint(
    string Id,
    int Run,
    string Architecture,
    string Kind,
    int Width,
    int Depth,
    int Kernel,
    string Norm,
    string Activation,
    double Dropout,
    string Optimizer,
    double LearningRate,
    double WeightDecay,
    double InitScale,
    double TrainFraction,
    int Epochs,
    int TotalSteps,
    int Step,
    long Seed,
    double TrainLoss,
    double TestAccuracy,
    string File)
{
    /// <summary>False for a diverged checkpoint (non-finite weights): listed, but without a weights file.</summary>
    public bool HasWeights => File.Length > 0;

    /// <summary>The manifest's header line, in column order.</summary>
    public const string Header =
        "id,run,architecture,kind,width,depth,kernel,norm,activation,dropout,optimizer,learning_rate,weight_decay," +
        "init_scale,train_fraction,epochs,total_steps,step,seed,train_loss,test_accuracy,file";

    /// <summary>The id of run <paramref name="run"/>'s checkpoint after <paramref name="step"/> steps.</summary>
    public static string MakeId(int run, int step) => $"r{run:D5}-s{step:D5}";

    /// <summary>This row as CSV (invariant culture, round-trippable numbers).</summary>
    public string ToCsv() => string.Join(",",
        Id, I(Run), Architecture, Kind, I(Width), I(Depth), I(Kernel), Norm, Activation, D(Dropout), Optimizer,
        D(LearningRate), D(WeightDecay), D(InitScale), D(TrainFraction), I(Epochs), I(TotalSteps), I(Step),
        Seed.ToString(CultureInfo.InvariantCulture), D(TrainLoss), D(TestAccuracy), File);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
    private static string D(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
