using System.Linq;
using GmnGen.Generators.Tests.Infrastructure;

namespace GmnGen.Generators.Tests.DiagnosticTests;

/// <summary>
/// Projection branches of several layers ([Shortcut] … [AddShortcut]): the well-formed ones build,
/// each malformed one lists exactly its GMN0026 (or GMN0021 for a branch of the wrong shape).
/// </summary>
public sealed partial class DiagnosticTests
{
    private const string BranchPrefix = """
        [Network(InputShape = [2, 8, 8])]
        public partial class Net
        {
            [Conv2d(4, Padding = 1, Stride = 2, Bias = false)] public partial Conv2d Conv1 { get; }
            [BatchNorm2d, ReLU] public partial BatchNorm2d Bn1 { get; }
            [Conv2d(4, Padding = 1, Bias = false)] public partial Conv2d Conv2 { get; }
            [BatchNorm2d] public partial BatchNorm2d Bn2 { get; }

        """;

    [Fact]
    public void A_projection_of_a_convolution_and_a_BatchNorm_with_an_activation_after_the_sum_builds()
    {
        var run = GeneratorHarness.Run(Usings + BranchPrefix + """
                [Shortcut(nameof(Conv1)), Conv2d(4, Kernel = 1, Stride = 2, Bias = false)] public partial Conv2d Proj { get; }
                [BatchNorm2d, AddShortcut, ReLU] public partial BatchNorm2d ProjBn { get; }
                [Conv2d(4, Padding = 1)] public partial Conv2d Conv3 { get; }
                [Residual(nameof(Conv3)), GlobalAvgPool, Linear(2)] public partial Linear Head { get; }
            }
            """);

        Assert.True(run.GeneratorDiagnostics.IsEmpty, string.Join("; ", run.GeneratorDiagnostics));
        Assert.True(run.OutputErrors.Count == 0, string.Join("; ", run.OutputErrors));
        var module = run.Sources.Single(s => s.Key.EndsWith("Net.Module.g.cs")).Value;
        // The branch reads Conv1's input, its BatchNorm runs before the sum, the ReLU after it, and the
        // next block's skip keeps the activated sum.
        int branch = module.IndexOf("x = Conv1__in;"), sum = module.IndexOf("x = Proj__main.add(x, "), relu = module.IndexOf("relu(x)", sum);
        Assert.True(branch > 0 && sum > branch && module.IndexOf("__ProjBn", branch) is int bn && bn > branch && bn < sum, module);
        Assert.True(relu > sum && module.IndexOf("var Conv3__in = x;", relu) > relu, module);
    }

    [Fact]
    public void GMN0026_a_second_shortcut_while_one_is_open_is_reported_on_it() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(4)] public partial Linear Fc1 { get; }
            [Linear(4)] public partial Linear Fc2 { get; }
            [Shortcut(nameof(Fc1)), {|GMN0026:Shortcut(nameof(Fc2))|}, Linear(4)] public partial Linear Proj { get; }
            [Linear(2)] public partial Linear Out { get; }
        }
        """);

    [Fact]
    public void GMN0026_an_AddShortcut_with_no_open_branch_is_reported_on_it()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(4), {|GMN0026:AddShortcut|}] public partial Linear Fc1 { get; }
                [Linear(2)] public partial Linear Out { get; }
            }
            """);

        AssertMessage("AddShortcut on 'Fc1' ends no shortcut branch; begin one with [Shortcut(nameof(...))] on the branch's first layer property, here or before", diagnostics.Single());
    }

    [Fact]
    public void GMN0026_a_residual_inside_a_branch_is_reported_on_it()
    {
        var diagnostics = AssertDiagnostics(BranchPrefix + """
                [Shortcut(nameof(Conv1)), Conv2d(4, Kernel = 1, Stride = 2, Bias = false)] public partial Conv2d Proj { get; }
                [BatchNorm2d, {|GMN0026:Residual(nameof(Conv2))|}, AddShortcut] public partial BatchNorm2d ProjBn { get; }
                [GlobalAvgPool, Linear(2)] public partial Linear Head { get; }
            }
            """);

        AssertMessage("Residual on 'ProjBn' is inside the shortcut branch from 'Conv1' begun on 'Proj'; end that branch with [AddShortcut] before this skip", diagnostics.Single());
    }

    [Fact]
    public void GMN0026_a_branch_without_a_layer_that_makes_channels_is_reported_on_its_Shortcut()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [2, 8, 8])]
            public partial class Net
            {
                [Conv2d(2, Padding = 1)] public partial Conv2d Conv1 { get; }
                [Conv2d(2, Padding = 1)] public partial Conv2d Conv2 { get; }
                [{|GMN0026:Shortcut(nameof(Conv2))|}, BatchNorm2d, AddShortcut] public partial BatchNorm2d Bn { get; }
                [GlobalAvgPool, Linear(2)] public partial Linear Head { get; }
            }
            """);

        AssertMessage("Shortcut on 'Bn' has no layer with neurons or channels in its branch (ended on 'Bn'); project with a Linear or 1x1 convolution, or use [Residual(nameof(Conv2))] for an identity skip", diagnostics.Single());
    }

    [Fact]
    public void GMN0021_a_branch_of_several_layers_of_the_wrong_shape_is_reported_on_its_Shortcut() => AssertDiagnostics(BranchPrefix + """
            [{|GMN0021:Shortcut(nameof(Conv1))|}, Conv2d(4, Kernel = 1, Bias = false)] public partial Conv2d Proj { get; }
            [BatchNorm2d, AddShortcut] public partial BatchNorm2d ProjBn { get; }
            [GlobalAvgPool, Linear(2)] public partial Linear Head { get; }
        }
        """);
}
