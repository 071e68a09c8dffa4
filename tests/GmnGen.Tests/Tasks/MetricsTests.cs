using System;
using GmnGen.Tasks.Evaluation;

namespace GmnGen.Tests.Tasks;

public sealed class MetricsTests
{
    // Eight checkpoints' true and predicted accuracies with one tie in each list (0.72 twice, 0.70 twice).
    private static readonly double[] Truth = [0.61, 0.72, 0.55, 0.80, 0.72, 0.49, 0.66, 0.58];
    private static readonly double[] Predicted = [0.60, 0.70, 0.59, 0.75, 0.69, 0.52, 0.70, 0.61];

    [Fact]
    public void R2_matches_an_exact_rational_computation()
    {
        // scipy is not installed here; computed with Python's fractions.Fraction, exactly:
        //   m = mean(t); 1 - sum((t-p)^2) / sum((t-m)^2) = 5199/5911 = 0.8795466080189477
        Assert.Equal(5199.0 / 5911.0, Metrics.R2(Truth, Predicted), 12);
    }

    [Fact]
    public void R2_by_hand_is_one_for_perfect_zero_for_the_mean_and_negative_when_worse_than_the_mean()
    {
        // t = 1,2,3,4 (mean 2.5, SS_tot = 2.25+0.25+0.25+2.25 = 5); p = 1.5,2,2.5,5 (SS_res = 0.25+0+0.25+1 = 1.5): 1 - 1.5/5 = 0.7.
        Assert.Equal(0.7, Metrics.R2([1, 2, 3, 4], [1.5, 2, 2.5, 5]), 12);
        Assert.Equal(1.0, Metrics.R2([1, 2, 3, 4], [1, 2, 3, 4]), 12);
        Assert.Equal(0.0, Metrics.R2([1, 2, 3, 4], [2.5, 2.5, 2.5, 2.5]), 12);
        // t = 1,2,3 (SS_tot = 2); p = 3,3,3 (SS_res = 4+1+0 = 5): 1 - 5/2 = -1.5. A constant prediction is allowed.
        Assert.Equal(-1.5, Metrics.R2([1, 2, 3], [3, 3, 3]), 12);
    }

    [Fact]
    public void Kendall_tau_b_with_ties_matches_the_tie_group_formula()
    {
        // Independent formula (python3, no scipy): tau_b = S / sqrt((n0 - n1)(n0 - n2)), n0 = n(n-1)/2 = 28,
        // n1 = n2 = 1 (one tied pair in each list), S = sum sign(dx)·sign(dy) = 22, so 22/27 = 0.8148148148148148.
        Assert.Equal(22.0 / 27.0, Metrics.KendallTau(Truth, Predicted), 12);
    }

    [Fact]
    public void Kendall_tau_b_small_tie_cases_by_hand()
    {
        // x = 1,2,2,3; y = 1,3,2,2. Pairs: (0,1) C, (0,2) C, (0,3) C, (1,2) tied in x only, (1,3) D, (2,3) tied in y only.
        // C = 3, D = 1, n0 = 6, n1 = n2 = 1: (3 - 1) / sqrt(5·5) = 0.4.
        Assert.Equal(0.4, Metrics.KendallTau([1, 2, 2, 3], [1, 3, 2, 2]), 12);
        // x = 1,1,2,3; y = 5,5,6,4. (0,1) tied in both (counts nowhere), (0,2) C, (0,3) D, (1,2) C, (1,3) D, (2,3) D.
        // C = 2, D = 3, n1 = n2 = 1: (2 - 3) / sqrt(5·5) = -0.2.
        Assert.Equal(-0.2, Metrics.KendallTau([1, 1, 2, 3], [5, 5, 6, 4]), 12);
    }

    [Fact]
    public void Kendall_tau_is_one_for_the_same_order_and_minus_one_for_the_reverse()
    {
        // Only the order matters: a monotone transform of the truth scores 1.
        Assert.Equal(1.0, Metrics.KendallTau([0.1, 0.4, 0.2, 0.9], [1, 16, 4, 81]), 12);
        Assert.Equal(-1.0, Metrics.KendallTau([0.1, 0.4, 0.2, 0.9], [9, 6, 8, 1]), 12);
    }

    [Fact]
    public void Mismatched_lengths_too_few_samples_and_constant_inputs_throw()
    {
        Assert.Throws<ArgumentException>(() => Metrics.R2([1, 2, 3], [1, 2]));
        Assert.Throws<ArgumentException>(() => Metrics.KendallTau([1, 2, 3], [1, 2]));
        Assert.Throws<ArgumentException>(() => Metrics.R2([1], [1]));
        Assert.Throws<ArgumentException>(() => Metrics.KendallTau([1], [1]));
        Assert.Throws<ArgumentException>(() => Metrics.R2([2, 2, 2], [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => Metrics.KendallTau([2, 2, 2], [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => Metrics.KendallTau([1, 2, 3], [5, 5, 5]));
        Assert.Throws<ArgumentNullException>(() => Metrics.R2(null!, [1, 2]));
    }
}
