using GmnGen.Tests.Data;
using GmnGen.Tests.Networks;
using GmnGen.Tests.Support;
using GmnGen.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Training;

/// <summary>
/// Embedding-free sequence models of the paper's "diverse architectures" read an image directly:
/// its 28 rows are the channels of a length-28 sequence (1D CNN) or the features of 28 set
/// elements (DeepSets). The generated networks take Fashion-MNIST images with the image's channel
/// axis squeezed away. (RowCnn, the 1D CNN, trains too: see A_row_cnn_learns_fashion_mnist.)
/// </summary>
public sealed class RowModelTrainingTests
{
    private static readonly TrainingOptions Options = new()
    {
        Optimizer = OptimizerKind.Adam,
        LearningRate = 3e-3,
        Epochs = 5,
        MaxSteps = 80,
        BatchSize = 128,
        Seed = 77,
        InputTransform = x => x.squeeze(1), // [b, 1, 28, 28] -> [b, 28, 28]
    };

    [Fact]
    public void A_deep_sets_net_over_image_columns_learns_fashion_mnist() => AssertLearns(new DeepSetsNet(), seed: 52);

    [Fact]
    public void A_row_cnn_learns_fashion_mnist() => AssertLearns(new RowCnn(), seed: 53);

    private static void AssertLearns(nn.Module<Tensor, Tensor> model, long seed)
    {
        using var train = SharedFashionMnist.Data.Train.Take(2000);
        using var test = SharedFashionMnist.Data.Test.Take(1000);
        StateOrder.Randomise(model, seed);
        ClassifierTrainer.Train(model, train, Options);
        double accuracy = ClassifierTrainer.Accuracy(model, test, Options.InputTransform);
        Assert.True(accuracy > 0.4, $"{model.GetName()}: test accuracy {accuracy:P1} should exceed 40% (chance is 10%)");
    }
}
