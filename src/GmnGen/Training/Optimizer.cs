using System;
using System.Collections.Generic;
using System.Linq;
using GmnGen.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GmnGen.Training;

/// <summary>
/// A first-order optimiser that hands libtorch no number it does not own: every hyper-parameter is
/// an explicit <see cref="Scalar"/> made once and disposed with the optimiser, every per-step factor
/// one disposed right after its step, and every temporary lives in the step's dispose scope.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's own optimisers pass plain doubles to operators that take a <c>Scalar</c>
/// (six per parameter per Adam step), so each becomes an implicit <c>Scalar</c> left to the
/// finalizer, which can free it while libtorch is still reading it (docs/results.md, "Native objects
/// and the finalizer"). <see cref="Adam"/> and <see cref="Sgd"/> apply the same updates as
/// TorchSharp's <c>optim.Adam</c>, <c>optim.AdamW</c> and <c>optim.SGD</c>, operation for operation,
/// so they give the same numbers.
/// </remarks>
public abstract class Optimizer : IDisposable
{
    private readonly List<Scalar> owned = [];
    private bool disposed;

    /// <param name="parameters">The parameters to update (duplicates are updated once).</param>
    /// <param name="learningRate">The initial learning rate (positive).</param>
    protected Optimizer(IEnumerable<Parameter> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive.");
        Parameters = parameters.Distinct().ToArray();
        LearningRate = learningRate;
    }

    /// <summary>The parameters this optimiser updates, in the order given.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The learning rate of the next <see cref="Step"/>; a schedule sets it between steps.</summary>
    public double LearningRate { get; set; }

    /// <summary>Drops every parameter's gradient (PyTorch's <c>zero_grad(set_to_none=True)</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters)
        {
            using var grad = p.grad;
            if (grad is not null) p.grad = null;
        }
    }

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var grad = Parameters[i].grad;
            if (grad is not null) Update(i, Parameters[i], grad);
        }
    }

    /// <summary>Updates parameter <paramref name="index"/> from its gradient, inside the step's dispose scope and without autograd.</summary>
    private protected abstract void Update(int index, Parameter parameter, Tensor grad);

    /// <summary>A Scalar that lives as long as the optimiser.</summary>
    private protected Scalar Own(double value)
    {
        var scalar = value.ToScalar();
        owned.Add(scalar);
        return scalar;
    }

    /// <summary>A state tensor that outlives the step's dispose scope (disposed by the subclass).</summary>
    private protected static Tensor State(Tensor fresh) => fresh.DetachFromDisposeScope();

    /// <summary>Frees the optimiser's state tensors and Scalars; <see cref="Step"/> then throws. Calling it again does nothing.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Dispose(true);
        foreach (var scalar in owned) scalar.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the subclass's state tensors.</summary>
    protected virtual void Dispose(bool disposing) { }
}

/// <summary>
/// Adam (Kingma and Ba) with L2 <see cref="WeightDecay"/> added to the gradient, or AdamW
/// (Loshchilov and Hutter) with <c>decoupled</c> decay that shrinks the weights by
/// <c>1 − lr·decay</c> each step; betas 0.9 and 0.999, eps 1e-8, as TorchSharp's and PyTorch's defaults.
/// </summary>
public sealed class Adam : Optimizer
{
    private const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
    private readonly Scalar beta1, beta1Complement, beta2, beta2Complement, epsilon, l2;
    private readonly Tensor?[] average, averageSquare;
    private readonly long[] steps;

    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">The initial learning rate.</param>
    /// <param name="weightDecay">Decay factor (not negative); 0 for none.</param>
    /// <param name="decoupled">True for AdamW's decoupled decay, false for Adam's L2 term.</param>
    public Adam(IEnumerable<Parameter> parameters, double learningRate, double weightDecay = 0, bool decoupled = false)
        : base(parameters, learningRate)
    {
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must not be negative.");
        WeightDecay = weightDecay;
        Decoupled = decoupled;
        beta1 = Own(Beta1);
        beta1Complement = Own(1 - Beta1);
        beta2 = Own(Beta2);
        beta2Complement = Own(1 - Beta2);
        epsilon = Own(Epsilon);
        l2 = Own(weightDecay);
        average = new Tensor?[Parameters.Count];
        averageSquare = new Tensor?[Parameters.Count];
        steps = new long[Parameters.Count];
    }

    /// <summary>The decay factor given at construction.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether the decay is AdamW's (decoupled) rather than an L2 term in the gradient.</summary>
    public bool Decoupled { get; }

    private protected override void Update(int index, Parameter parameter, Tensor grad)
    {
        long step = ++steps[index];
        double lr = LearningRate;
        if (Decoupled)
        {
            using var shrink = (1 - lr * WeightDecay).ToScalar();
            parameter.mul_(shrink);
        }
        else if (WeightDecay != 0)
        {
            grad = grad.add(parameter, alpha: l2);
        }
        var m = average[index] ??= State(zeros_like(parameter));
        var v = averageSquare[index] ??= State(zeros_like(parameter));
        m.mul_(beta1).add_(grad, alpha: beta1Complement);
        v.mul_(beta2).addcmul_(grad, grad, value: beta2Complement);
        using var correction2 = Math.Sqrt(1 - Math.Pow(Beta2, step)).ToScalar();
        using var stepSize = (-lr / (1 - Math.Pow(Beta1, step))).ToScalar();
        var denominator = v.sqrt().div_(correction2).add_(epsilon, Scalars.One);
        parameter.addcdiv_(m, denominator, value: stepSize);
    }

    /// <summary>Frees the first- and second-moment averages.</summary>
    protected override void Dispose(bool disposing)
    {
        foreach (var t in average.Concat(averageSquare)) t?.Dispose();
    }
}

/// <summary>Stochastic gradient descent with heavy-ball momentum (PyTorch's form, no dampening) and L2 weight decay.</summary>
public sealed class Sgd : Optimizer
{
    private readonly Scalar momentum, l2;
    private readonly Tensor?[] velocity;

    /// <param name="parameters">The parameters to update.</param>
    /// <param name="learningRate">The initial learning rate.</param>
    /// <param name="momentum">Momentum in [0, 1); 0 for plain SGD.</param>
    /// <param name="weightDecay">L2 factor added to the gradient (not negative).</param>
    public Sgd(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double weightDecay = 0)
        : base(parameters, learningRate)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must not be negative.");
        Momentum = momentum;
        WeightDecay = weightDecay;
        this.momentum = Own(momentum);
        l2 = Own(weightDecay);
        velocity = new Tensor?[Parameters.Count];
    }

    /// <summary>The momentum given at construction.</summary>
    public double Momentum { get; }

    /// <summary>The L2 factor given at construction.</summary>
    public double WeightDecay { get; }

    private protected override void Update(int index, Parameter parameter, Tensor grad)
    {
        if (WeightDecay != 0) grad = grad.add(parameter, alpha: l2);
        if (Momentum != 0)
        {
            // PyTorch starts the buffer at the first gradient, then buf = momentum·buf + grad.
            if (velocity[index] is { } buffer) buffer.mul_(momentum).add_(grad, Scalars.One);
            else velocity[index] = State(grad.clone().detach());
            grad = velocity[index]!;
        }
        using var stepSize = (-LearningRate).ToScalar();
        parameter.add_(grad, alpha: stepSize);
    }

    /// <summary>Frees the momentum buffers.</summary>
    protected override void Dispose(bool disposing)
    {
        foreach (var t in velocity) t?.Dispose();
    }
}
