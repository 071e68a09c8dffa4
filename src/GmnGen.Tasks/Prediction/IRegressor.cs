using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tasks.Prediction;

/// <summary>
/// What <see cref="PredictorTrainer{TInput}"/> drives: a module that maps a batch of networks to one
/// (standardised) prediction each. Each method turns a sample into its input once per fit
/// (<see cref="Encode"/>: a graph, or a feature row), not once per epoch.
/// </summary>
/// <typeparam name="TInput">What one sample becomes before batching.</typeparam>
internal interface IRegressor<TInput> : IDisposable
{
    /// <summary>The trainable module (its state is what best-epoch selection copies).</summary>
    nn.Module Module { get; }

    /// <summary>The sample's input; throws naming the sample when the method cannot take it.</summary>
    TInput Encode(LabelledGraph sample);

    /// <summary>float32 [n] on the module's device: one prediction per input, in order.</summary>
    Tensor Forward(IReadOnlyList<TInput> batch);

    /// <summary>Backpropagates a loss computed from this regressor's latest training forward into the module's <c>.grad</c>.</summary>
    void Backward(Tensor loss) => loss.backward();
}

/// <summary>
/// A regressor that may train on mixtures of training samples (weight-space MixUp): for some rows it
/// predicts a mix of the row's network with a partner's, and says which partner and in what proportion,
/// so that the trainer mixes the (standardised) targets alike.
/// </summary>
internal interface IMixingRegressor<TInput> : IRegressor<TInput>
{
    /// <summary>float32 [n] predictions for the training rows <paramref name="rows"/> (indices into the
    /// training split given at creation; <paramref name="inputs"/> are their encodings), with, per row,
    /// the partner row mixed in (−1: none) and the partner's weight λ.</summary>
    (Tensor Predicted, int[] Partner, float[] Lambda) ForwardTraining(IReadOnlyList<int> rows, IReadOnlyList<TInput> inputs);
}
