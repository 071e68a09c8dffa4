using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using GmnGen.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit.Sdk;

namespace GmnGen.Generators.Tests.DiagnosticTests;

/// <summary>
/// Every GMNxxxx diagnostic that user code can trigger: which definitions raise it, exactly where
/// (the span marked <c>{|GMNxxxx:...|}</c> in the source) and, for some, the exact message. An
/// invalid definition must raise exactly the expected diagnostics and generate no files.
/// </summary>
public sealed partial class DiagnosticTests
{
    private const string Usings = "using GmnGen;\nusing TorchSharp.Modules;\n\n";

    /// <summary>Every snapshot this class produces; the stale-snapshot test compares the folder with it.</summary>
    public static readonly IReadOnlyList<string> SnapshotNames = new[]
    {
        $"{nameof(DiagnosticTests)}.{nameof(Flatten_mismatch_points_at_In_and_suggests_GlobalAvgPool_or_the_flattened_size)}",
        $"{nameof(DiagnosticTests)}.{nameof(Linear_on_a_spatial_map_is_underlined_on_the_whole_attribute)}",
        $"{nameof(DiagnosticTests)}.{nameof(Every_invalid_member_is_reported_not_just_the_first)}",
    };

    // ---- GMN0001 layer size mismatch ---------------------------------------------------------------

    [Fact]
    public void GMN0001_Linear_whose_In_differs_from_the_input_features_is_reported_on_In()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3, {|GMN0001:In = 5|})] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("Layer 'Fc' expects 5 input features, but gets 4", diagnostics.Single());
    }

    [Fact]
    public void GMN0001_Conv2d_whose_In_differs_from_the_input_channels_is_reported_on_In()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 28, 28])]
            public partial class Net
            {
                [Conv2d(4, {|GMN0001:In = 3|})] public partial Conv2d Conv { get; }
                [GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
            }
            """);

        AssertMessage("Layer 'Conv' expects 3 input channels, but gets 1", diagnostics.Single());
    }

    [Fact]
    public void GMN0001_BatchNorm2d_whose_Features_differ_from_the_channels_is_reported_on_Features()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 28, 28])]
            public partial class Net
            {
                [Conv2d(8)] public partial Conv2d Conv { get; }
                [BatchNorm2d({|GMN0001:Features = 4|})] public partial BatchNorm2d Bn { get; }
                [GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
            }
            """);

        AssertMessage("Layer 'Bn' expects 4 channels, but gets 8", diagnostics.Single());
    }

    [Fact]
    public void GMN0001_LayerNorm_whose_Features_differ_from_the_input_is_reported_on_Features() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(6)] public partial Linear Fc { get; }
            [LayerNorm({|GMN0001:Features = 4|})] public partial LayerNorm Norm { get; }
        }
        """);

    [Fact]
    public void GMN0001_In_given_by_name_in_a_different_argument_order_is_still_located()
    {
        AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear({|GMN0001:In = 5|}, Bias = false, outFeatures: {|CS1016:3|})] public partial Linear Fc { get; }
            }
            """);
    }

    // ---- GMN0002 flatten into Linear ----------------------------------------------------------------

    [Fact]
    public void GMN0002_Linear_after_Flatten_of_an_unpooled_map_with_wrong_In_is_reported_on_In()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 4, 4])]
            public partial class Net
            {
                [Conv2d(2, Kernel = 3)] public partial Conv2d Conv { get; }
                [Flatten, Linear(10, {|GMN0002:In = 2|})] public partial Linear Head { get; }
            }
            """);

        AssertMessage(
            "Layer 'Head' expects 2 input features, but Flatten of the [2, 2, 2] map gives 8; pool to [2] with GlobalAvgPool first, or set In = 8",
            diagnostics.Single());
    }

    [Fact]
    public void Flatten_mismatch_points_at_In_and_suggests_GlobalAvgPool_or_the_flattened_size() => AssertDiagnosticsSnapshot("""
        [Network(InputShape = [3, 32, 32])]
        public partial class Net
        {
            [Conv2d(8, Kernel = 5, Stride = 2), ReLU] public partial Conv2d Conv { get; }
            [Flatten, Linear(10, {|GMN0002:In = 8|})] public partial Linear Head { get; }
        }
        """);

    // ---- GMN0003 kernel larger than input -------------------------------------------------------------

    [Fact]
    public void GMN0003_convolution_kernel_wider_than_its_input_is_reported_on_Kernel()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 3, 3])]
            public partial class Net
            {
                [Conv2d(4, {|GMN0003:Kernel = 5|})] public partial Conv2d Conv { get; }
            }
            """);

        AssertMessage("Conv2d 'Conv' has kernel 5 (dilation 1), which spans 5, but its input is only 3 wide (3 with padding 0)", diagnostics.Single());
    }

    [Fact]
    public void GMN0003_dilated_convolution_spanning_more_than_its_input_is_reported_on_Kernel()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [2, 6])]
            public partial class Net
            {
                [Conv1d(4, {|GMN0003:Kernel = 3|}, Dilation = 3)] public partial Conv1d Conv { get; }
            }
            """);

        AssertMessage("Conv1d 'Conv' has kernel 3 (dilation 3), which spans 7, but its input is only 6 wide (6 with padding 0)", diagnostics.Single());
    }

    [Fact]
    public void GMN0003_pooling_window_wider_than_its_input_is_reported_on_the_kernel_argument()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 3, 3])]
            public partial class Net
            {
                [Conv2d(2, Kernel = 1), MaxPool2d({|GMN0003:4|})] public partial Conv2d Conv { get; }
            }
            """);

        string message = diagnostics.Single().GetMessage(CultureInfo.InvariantCulture);
        Assert.Contains("'Conv", message, StringComparison.Ordinal);
        Assert.Contains("has kernel 4", message, StringComparison.Ordinal);
        Assert.Contains("only 3 wide", message, StringComparison.Ordinal);
        Assert.True(message.Split("MaxPool2d").Length == 2, $"The message should name the pool kind once, but reads: {message}");
    }

    // ---- GMN0004 size or rate out of range --------------------------------------------------------------

    [Fact]
    public void GMN0004_zero_output_features_are_reported_on_the_constructor_argument()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear({|GMN0004:0|})] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("OutFeatures of 'Fc' must be positive, but is 0", diagnostics.Single());
    }

    [Fact]
    public void GMN0004_zero_stride_is_reported_on_Stride() => AssertDiagnostics("""
        [Network(InputShape = [1, 28, 28])]
        public partial class Net
        {
            [Conv2d(4, {|GMN0004:Stride = 0|})] public partial Conv2d Conv { get; }
        }
        """);

    [Fact]
    public void GMN0004_negative_padding_is_reported_on_Padding()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 28, 28])]
            public partial class Net
            {
                [Conv2d(4, {|GMN0004:Padding = -1|})] public partial Conv2d Conv { get; }
            }
            """);

        AssertMessage("Padding of 'Conv' must be zero or positive, but is -1", diagnostics.Single());
    }

    [Fact]
    public void GMN0004_pool_padding_over_half_the_kernel_is_reported_on_Padding() => AssertDiagnostics("""
        [Network(InputShape = [1, 28, 28])]
        public partial class Net
        {
            [Conv2d(4), MaxPool2d(2, {|GMN0004:Padding = 2|})] public partial Conv2d Conv { get; }
        }
        """);

    [Fact]
    public void GMN0004_dropout_probability_of_one_is_reported_on_P()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Dropout({|GMN0004:P = 1|}), Linear(2)] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("P of 'Fc' must be in [0, 1), but is 1.0", diagnostics.Single());
    }

    [Fact]
    public void GMN0004_input_shape_with_a_zero_dimension_is_reported_on_InputShape()
    {
        var diagnostics = AssertDiagnostics("""
            [Network({|GMN0004:InputShape = [1, 0, 28]|})]
            public partial class Net
            {
                [Conv2d(4)] public partial Conv2d Conv { get; }
            }
            """);

        AssertMessage("Every dimension of InputShape of 'Net' must be positive, but is [1, 0, 28]", diagnostics.Single());
    }

    [Fact]
    public void GMN0004_non_positive_batch_norm_eps_is_reported_on_Eps() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(3)] public partial Linear Fc { get; }
            [BatchNorm1d({|GMN0004:Eps = 0|})] public partial BatchNorm1d Bn { get; }
        }
        """);

    // ---- GMN0005 not partial ------------------------------------------------------------------------------

    [Fact]
    public void GMN0005_network_class_that_is_not_partial_is_reported_on_its_name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public sealed class {|GMN0005:Net|}
            {
                // The compiler's own errors on the user's code: no part can be added to a class that is not partial.
                [Linear(2)] public partial Linear {|CS9248:{|CS0751:Fc|}|} { get; }
            }
            """);

        AssertMessage("Class 'Net' must be declared partial so that the generator can add the module, its graph and its symmetries", diagnostics.Single());
    }

    [Fact]
    public void GMN0005_network_nested_in_a_type_that_is_not_partial_is_reported_on_its_name() => AssertDiagnostics("""
        public class Outer
        {
            [Network(InputShape = [4])]
            public partial class {|GMN0005:Net|}
            {
                // No part can be added inside a containing type that is not partial.
                [Linear(2)] public partial Linear {|CS9248:Fc|} { get; }
            }
        }
        """);

    [Fact]
    public void GMN0005_annotated_property_that_is_not_partial_is_reported_on_its_name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3)] public partial Linear Fc1 { get; }
                [Linear(2)] public Linear {|GMN0005:Fc2|} => null!;
            }
            """);

        AssertMessage("Property 'Fc2' must be declared partial, without a body, so that the generator can implement it", diagnostics.Single());
    }

    // ---- GMN0006 / GMN0007 property types ------------------------------------------------------------------

    [Fact]
    public void GMN0006_property_of_an_unsupported_TorchSharp_module_type_is_reported_on_the_type()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 28, 28])]
            public partial class Net
            {
                [Conv2d(4)] public partial {|GMN0006:TorchSharp.Modules.Conv3d|} Conv { get; }
            }
            """);

        Assert.StartsWith("Property 'Conv' has type 'TorchSharp.Modules.Conv3d', which GmnGen cannot build as a layer",
            diagnostics.Single().GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void GMN0007_property_type_of_another_supported_layer_is_reported_on_the_type()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 28, 28])]
            public partial class Net
            {
                [Conv2d(4)] public partial {|GMN0007:Linear|} Conv { get; }
            }
            """);

        AssertMessage(
            "Property 'Conv' is declared as 'TorchSharp.Modules.Linear' but its layer attribute is [Conv2d]; declare it as TorchSharp.Modules.Conv2d",
            diagnostics.Single());
    }

    // ---- GMN0008 / GMN0015 layer names -------------------------------------------------------------------

    [Fact]
    public void GMN0008_second_layer_reusing_a_Name_is_reported_on_its_Name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3, Name = "fc")] public partial Linear A { get; }
                [Linear(2, {|GMN0008:Name = "fc"|})] public partial Linear B { get; }
            }
            """);

        AssertMessage("Layer name 'fc' of 'B' is already used by 'A'; state_dict keys must be unique", diagnostics.Single());
    }

    [Fact]
    public void GMN0008_Name_equal_to_another_layers_property_name_is_a_duplicate_too() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(3, Name = "B")] public partial Linear A { get; }
            [{|GMN0008:Linear(2)|}] public partial Linear B { get; }
        }
        """);

    [Fact]
    public void GMN0015_Name_that_is_not_a_module_name_is_reported_on_Name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3, {|GMN0015:Name = "a.b"|})] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("Layer name 'a.b' of 'Fc' is not a valid module name: use letters, digits and '_', not starting with a digit", diagnostics.Single());
    }

    // ---- GMN0009 / GMN0012 input shape ----------------------------------------------------------------------

    [Fact]
    public void GMN0009_network_without_InputShape_is_reported_on_the_attribute()
    {
        var diagnostics = AssertDiagnostics("""
            [{|GMN0009:Network|}]
            public partial class Net
            {
                [Linear(2)] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("Network 'Net' needs an input shape, e.g. [Network(InputShape = [1, 28, 28])]", diagnostics.Single());
    }

    [Fact]
    public void GMN0009_null_InputShape_is_reported_on_the_argument() => AssertDiagnostics("""
        [Network({|GMN0009:InputShape = null|})]
        public partial class Net
        {
            [Linear(2)] public partial Linear Fc { get; }
        }
        """);

    [Fact]
    public void GMN0009_empty_InputShape_is_reported_on_the_argument() => AssertDiagnostics("""
        [Network({|GMN0009:InputShape = []|})]
        public partial class Net
        {
            [Linear(2)] public partial Linear Fc { get; }
        }
        """);

    [Fact]
    public void GMN0012_input_shape_of_rank_four_is_reported_on_InputShape()
    {
        var diagnostics = AssertDiagnostics("""
            [Network({|GMN0012:InputShape = [1, 3, 28, 28]|})]
            public partial class Net
            {
                [Linear(2)] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("Input shape of 'Net' has 4 dimensions; expected 1 ([features]), 2 ([channels, length]) or 3 ([channels, height, width]); InputShape leaves out the batch axis: if 1 is the batch, write InputShape = [3, 28, 28]", diagnostics.Single());
    }

    [Fact]
    public void GMN0012_input_shape_of_rank_five_has_no_batch_hint()
    {
        var diagnostics = AssertDiagnostics("""
            [Network({|GMN0012:InputShape = [1, 1, 3, 28, 28]|})]
            public partial class Net
            {
                [Linear(2)] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("Input shape of 'Net' has 5 dimensions; expected 1 ([features]), 2 ([channels, length]) or 3 ([channels, height, width])", diagnostics.Single());
    }

    // ---- GMN0010 wrong input rank -------------------------------------------------------------------------

    [Fact]
    public void GMN0010_Linear_on_a_spatial_map_without_Flatten_is_reported_on_the_attribute()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 28, 28])]
            public partial class Net
            {
                [{|GMN0010:Linear(10)|}] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("Linear 'Fc' expects [features], but its input is [1, 28, 28] (add Flatten or GlobalAvgPool before it)", diagnostics.Single());
    }

    [Fact]
    public void Linear_on_a_spatial_map_is_underlined_on_the_whole_attribute() => AssertDiagnosticsSnapshot("""
        [Network(InputShape = [1, 28, 28])]
        public partial class Net
        {
            [Conv2d(8, Kernel = 3), ReLU] public partial Conv2d Conv { get; }
            [{|GMN0010:Linear(10, Bias = false)|}] public partial Linear Head { get; }
        }
        """);

    [Fact]
    public void GMN0010_Conv2d_on_a_one_dimensional_input_is_reported_on_the_attribute()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [{|GMN0010:Conv2d(3)|}] public partial Conv2d Conv { get; }
            }
            """);

        AssertMessage("Conv2d 'Conv' expects [channels, height, width], but its input is [4]", diagnostics.Single());
    }

    [Fact]
    public void GMN0010_GlobalAvgPool_on_features_is_reported_on_the_pool_attribute() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [{|GMN0010:GlobalAvgPool|}, Linear(2)] public partial Linear Fc { get; }
        }
        """);

    // ---- GMN0011 layer count ----------------------------------------------------------------------------------

    [Fact]
    public void GMN0011_property_with_two_layer_attributes_is_reported_on_its_name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3), LayerNorm] public partial Linear {|GMN0011:Fc|} { get; }
            }
            """);

        AssertMessage(
            "Property 'Fc' must carry exactly one layer attribute (Linear, Conv1d, Conv2d, BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d, InstanceNorm2d, DeepSets, PatchEmbed, PositionalEmbedding, ClassToken or SelfAttention), but has 2",
            diagnostics.Single());
    }

    [Fact]
    public void GMN0011_partial_property_without_a_layer_attribute_is_reported_on_its_name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3)] public partial Linear Fc { get; }
                public partial Linear {|GMN0011:Extra|} { get; }
            }
            """);

        Assert.EndsWith("but has 0", diagnostics.Single().GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void GMN0011_property_with_only_operations_is_reported_on_its_name() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(3)] public partial Linear Fc { get; }
            [ReLU] public partial Linear {|GMN0011:Act|} { get; }
        }
        """);

    // ---- GMN0013 / GMN0014 declaration -------------------------------------------------------------------------

    [Fact]
    public void GMN0013_network_without_layers_is_reported_on_its_name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class {|GMN0013:Net|}
            {
                public int NotALayer { get; }
            }
            """);

        AssertMessage("Network 'Net' has no Linear or convolution layer to produce its outputs: annotate partial properties with [Linear], [Conv2d], ...", diagnostics.Single());
    }

    [Fact]
    public void GMN0013_network_of_normalisation_layers_only_is_reported_on_its_name() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class {|GMN0013:Net|}
        {
            [LayerNorm] public partial LayerNorm Norm { get; }
        }
        """);

    [Fact]
    public void GMN0014_generic_network_class_is_reported_on_its_name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class {|GMN0014:Net|}<T>
            {
                [Linear(2)] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("Network 'Net' is generic or nested in a generic type; the generator can complete only a plain class: not generic, static, file-local or a record, and without a base class of its own (the generated part derives from Module<Tensor, Tensor>)", diagnostics.Single());
    }

    [Fact]
    public void GMN0014_file_local_network_class_is_reported_on_its_name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            file partial class {|GMN0014:Net|}
            {
                // A part in a generated file would declare another file-local type.
                [Linear(2)] public partial Linear {|CS9248:Fc|} { get; }
            }
            """);

        AssertMessage("Network 'Net' is file-local; the generator can complete only a plain class: not generic, static, file-local or a record, and without a base class of its own (the generated part derives from Module<Tensor, Tensor>)", diagnostics.Single());
    }

    // ---- GMN0017 .. GMN0019 -------------------------------------------------------------------------------------

    [Fact]
    public void GMN0017_a_map_past_int_range_is_reported_on_the_layer_that_makes_it_before_any_flatten()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 32768, 65535])]
            public partial class Net
            {
                [{|GMN0017:Conv2d(2, Kernel = 1)|}] public partial Conv2d Conv { get; }
                [Flatten, Linear(2)] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("'Conv' (Conv2d) would have 4,294,901,760 values per sample, more than GmnGen supports (2,147,483,647)", diagnostics.Single());
    }

    [Fact]
    public void GMN0017_an_input_shape_past_int_range_is_reported_on_InputShape()
    {
        var diagnostics = AssertDiagnostics("""
            [Network({|GMN0017:InputShape = [4, 65536, 65536]|})]
            public partial class Net
            {
                [Flatten, Linear(2)] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("'Net' (InputShape) would have 17,179,869,184 values per sample, more than GmnGen supports (2,147,483,647)", diagnostics.Single());
    }

    [Fact]
    public void GMN0017_a_weight_matrix_past_int_range_is_reported_on_its_layer()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [50000])]
            public partial class Net
            {
                [{|GMN0017:Linear(50000)|}] public partial Linear Fc { get; }
            }
            """);

        AssertMessage("'Fc' (Linear) would have 2,500,000,000 weights, more than GmnGen supports (2,147,483,647)", diagnostics.Single());
    }

    [Fact]
    public void GMN0018_a_property_named_like_a_generated_member_is_reported_on_its_name() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(2)] public partial Linear {|GMN0018:InputShape|} { get; }
        }
        """);

    [Fact]
    public void GMN0019_a_layer_property_the_user_implemented_is_reported_on_its_name() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(2)] public partial Linear {|GMN0019:Fc|} { get; }
            public partial Linear Fc => null!;
        }
        """);

    [Fact]
    public void GMN0014_network_nested_in_a_generic_class_is_reported_on_its_name() => AssertDiagnostics("""
        public partial class Outer<T>
        {
            [Network(InputShape = [4])]
            public partial class {|GMN0014:Net|}
            {
                [Linear(2)] public partial Linear Fc { get; }
            }
        }
        """);

    // ---- GMN0016 property shape --------------------------------------------------------------------------------

    [Fact]
    public void GMN0016_layer_property_with_a_setter_is_reported_on_its_name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(2)] public partial Linear {|GMN0016:Fc|} { get; set; }
            }
            """);

        AssertMessage("Property 'Fc' must be a non-static property with only a getter", diagnostics.Single());
    }

    [Fact]
    public void GMN0016_layer_property_with_an_init_accessor_is_reported_on_its_name() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(2)] public partial Linear {|GMN0016:Fc|} { get; init; }
        }
        """);

    [Fact]
    public void GMN0016_static_layer_property_is_reported_on_its_name() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(3)] public partial Linear Fc1 { get; }
            [Linear(2)] public static partial Linear {|GMN0016:Fc2|} { get; }
        }
        """);

    // ---- GMN0020 and other norm checks ---------------------------------------------------------------------------

    [Fact]
    public void GMN0020_GroupNorm_whose_groups_do_not_divide_the_channels_is_reported_on_the_group_count()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 8, 8])]
            public partial class Net
            {
                [Conv2d(6)] public partial Conv2d Conv { get; }
                [GroupNorm({|GMN0020:4|})] public partial GroupNorm Norm { get; }
                [GlobalAvgPool, Linear(2)] public partial Linear Head { get; }
            }
            """);

        AssertMessage("GroupNorm 'Norm' has 4 groups, which do not divide its 6 channels; use a divisor of 6: 1, 2, 3, 6", diagnostics.Single());
    }

    [Fact]
    public void GMN0020_named_group_count_on_features_is_reported_on_the_argument() => AssertDiagnostics("""
        [Network(InputShape = [5])]
        public partial class Net
        {
            [Linear(5)] public partial Linear Fc { get; }
            [GroupNorm({|GMN0020:groups: 2|})] public partial GroupNorm Norm { get; }
        }
        """);

    [Fact]
    public void GMN0004_GroupNorm_with_no_groups_is_reported_on_the_group_count()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(4)] public partial Linear Fc { get; }
                [GroupNorm({|GMN0004:0|})] public partial GroupNorm Norm { get; }
            }
            """);

        AssertMessage("Groups of 'Norm' must be positive, but is 0", diagnostics.Single());
    }

    [Fact]
    public void GMN0001_GroupNorm_whose_Features_differ_from_the_channels_is_reported_on_Features() => AssertDiagnostics("""
        [Network(InputShape = [2, 16])]
        public partial class Net
        {
            [Conv1d(4)] public partial Conv1d Conv { get; }
            [GroupNorm(2, {|GMN0001:Features = 8|})] public partial GroupNorm Norm { get; }
        }
        """);

    [Fact]
    public void GMN0010_InstanceNorm2d_on_a_one_dimensional_map_is_reported_on_the_attribute()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [2, 16])]
            public partial class Net
            {
                [Conv1d(4)] public partial Conv1d Conv { get; }
                [{|GMN0010:InstanceNorm2d(Affine = true)|}] public partial InstanceNorm2d Norm { get; }
            }
            """);

        AssertMessage("InstanceNorm2d 'Norm' expects [channels, height, width], but its input is [4, 14]", diagnostics.Single());
    }

    [Fact]
    public void GMN0010_LayerNorm_after_Flatten_of_a_map_is_reported_on_the_attribute() => AssertDiagnostics("""
        [Network(InputShape = [2, 4, 4])]
        public partial class Net
        {
            [Conv2d(3)] public partial Conv2d Conv { get; }
            [Flatten, {|GMN0010:LayerNorm|}] public partial LayerNorm Norm { get; }
            [Linear(2)] public partial Linear Head { get; }
        }
        """);

    // ---- GMN0021 / GMN0022 residuals ------------------------------------------------------------------------------

    [Fact]
    public void GMN0021_identity_residual_across_a_width_change_is_reported_on_the_Residual_attribute()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(8)] public partial Linear Fc1 { get; }
                [Linear(6), {|GMN0021:Residual(nameof(Fc1))|}] public partial Linear Fc2 { get; }
            }
            """);

        AssertMessage("Residual on 'Fc2' adds [4] (from the input of 'Fc1') to [6]; the shapes must match (project it: put [Shortcut(nameof(Fc1))] on a Linear or 1x1 convolution of the right size, declared after 'Fc2')", diagnostics.Single());
    }

    [Fact]
    public void GMN0021_identity_residual_across_a_stride_is_reported_on_the_Residual_attribute() => AssertDiagnostics("""
        [Network(InputShape = [2, 8, 8])]
        public partial class Net
        {
            [Conv2d(4, Padding = 1)] public partial Conv2d Conv1 { get; }
            [Conv2d(4, Padding = 1, Stride = 2), {|GMN0021:Residual(nameof(Conv2))|}] public partial Conv2d Conv2 { get; }
            [GlobalAvgPool, Linear(2)] public partial Linear Head { get; }
        }
        """);

    [Fact]
    public void GMN0021_projection_shortcut_of_the_wrong_size_is_reported_on_the_Shortcut_attribute()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [2, 8, 8])]
            public partial class Net
            {
                [Conv2d(4, Padding = 1, Stride = 2)] public partial Conv2d Conv1 { get; }
                [{|GMN0021:Shortcut(nameof(Conv1))|}, Conv2d(4, Kernel = 1)] public partial Conv2d Proj { get; }
                [GlobalAvgPool, Linear(2)] public partial Linear Head { get; }
            }
            """);

        AssertMessage("Shortcut on 'Proj' adds [4, 8, 8] (from the input of 'Conv1') to [4, 4, 4]; the shapes must match (choose the projection's output size and stride so that it gives the main path's shape)", diagnostics.Single());
    }

    [Fact]
    public void GMN0022_residual_from_an_unknown_property_is_reported_on_its_argument()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(4)] public partial Linear Fc1 { get; }
                [Linear(4), Residual({|GMN0022:"Fc0"|})] public partial Linear Fc2 { get; }
            }
            """);

        AssertMessage("Residual on 'Fc2' starts at 'Fc0', which is not a layer property declared before 'Fc2' (or 'Fc2' itself)", diagnostics.Single());
    }

    [Fact]
    public void GMN0022_shortcut_from_a_later_property_is_reported_on_its_argument() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(4)] public partial Linear Fc1 { get; }
            [Shortcut({|GMN0022:nameof(Fc3)|}), Linear(4)] public partial Linear Fc2 { get; }
            [Linear(4)] public partial Linear Fc3 { get; }
        }
        """);

    [Fact]
    public void GMN0022_residual_with_no_layer_between_its_start_and_the_sum_is_reported_on_its_argument()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(4)] public partial Linear Fc1 { get; }
                [Residual({|GMN0022:nameof(Norm)|}), LayerNorm] public partial LayerNorm Norm { get; }
                [Linear(2)] public partial Linear Out { get; }
            }
            """);

        AssertMessage("Residual on 'Norm' starts at 'Norm', but no layer with neurons or channels runs between its start and the sum (it would add a tensor to itself)", diagnostics.Single());
    }

    [Fact]
    public void A_residual_from_the_network_input_pins_the_channels_it_reaches()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(4), ReLU, Residual(nameof(Fc1))] public partial Linear Fc1 { get; }
                [Linear(6), ReLU] public partial Linear Fc2 { get; }
                [Linear(2)] public partial Linear Out { get; }
            }
            """);
        run.AssertCleanAndCompiles();
        var symmetries = run.Sources["Net.Symmetries.g.cs"];
        Assert.DoesNotContain("\"Fc1.neurons\"", symmetries, StringComparison.Ordinal); // tied to the ordered inputs
        Assert.Contains("\"Fc2.neurons\"", symmetries, StringComparison.Ordinal);
    }

    // ---- DeepSets ---------------------------------------------------------------------------------------------------

    [Fact]
    public void GMN0010_DeepSets_on_features_without_elements_is_reported_on_the_attribute()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [{|GMN0010:DeepSets(8)|}] public partial GmnGen.Modules.DeepSets Set { get; }
            }
            """);

        AssertMessage("DeepSets 'Set' expects [features, elements], but its input is [4]", diagnostics.Single());
    }

    [Fact]
    public void GMN0001_DeepSets_whose_In_differs_from_the_features_is_reported_on_In() => AssertDiagnostics("""
        [Network(InputShape = [3, 10])]
        public partial class Net
        {
            [DeepSets(8, {|GMN0001:In = 4|})] public partial GmnGen.Modules.DeepSets Set { get; }
        }
        """);

    [Fact]
    public void GMN0007_DeepSets_declared_as_a_Linear_names_GmnGens_module_type()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [3, 10])]
            public partial class Net
            {
                [DeepSets(8)] public partial {|GMN0007:Linear|} Set { get; }
            }
            """);

        AssertMessage("Property 'Set' is declared as 'TorchSharp.Modules.Linear' but its layer attribute is [DeepSets]; declare it as GmnGen.Modules.DeepSets", diagnostics.Single());
    }

    // ---- GMN0023 / GMN0024 transformers -----------------------------------------------------------------------------

    [Fact]
    public void GMN0023_patch_that_does_not_divide_the_image_is_reported_on_Patch()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 28, 28])]
            public partial class Vit
            {
                [PatchEmbed(8, {|GMN0023:Patch = 5|})] public partial Conv2d Patches { get; }
                [GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
            }
            """);

        AssertMessage("PatchEmbed 'Patches' has patch 5, which does not divide its [28, 28] image; pixels past the last whole patch would be dropped. Use a divisor of 28: 1, 2, 4, 7, 14, 28", diagnostics.Single());
    }

    [Fact]
    public void GMN0024_heads_that_do_not_divide_the_width_are_reported_on_the_head_count()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 28, 28])]
            public partial class Vit
            {
                [PatchEmbed(12, Patch = 7)] public partial Conv2d Patches { get; }
                [SelfAttention({|GMN0024:5|})] public partial GmnGen.Modules.SelfAttention Attention { get; }
                [GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
            }
            """);

        AssertMessage("SelfAttention 'Attention' has 5 heads, which do not divide its width 12; use a divisor of 12: 1, 2, 3, 4, 6, 12", diagnostics.Single());
    }

    [Fact]
    public void GMN0001_positional_embedding_of_the_wrong_length_is_reported_on_Length()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 28, 28])]
            public partial class Vit
            {
                [PatchEmbed(8, Patch = 4)] public partial Conv2d Patches { get; }
                [PositionalEmbedding({|GMN0001:Length = 16|})] public partial GmnGen.Modules.PositionalEmbedding Positions { get; }
                [GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
            }
            """);

        AssertMessage("Layer 'Positions' expects 16 positions, but gets 49", diagnostics.Single());
    }

    [Fact]
    public void GMN0010_Linear_on_a_sequence_suggests_a_token_wise_convolution()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 28, 28])]
            public partial class Vit
            {
                [PatchEmbed(8, Patch = 7)] public partial Conv2d Patches { get; }
                [{|GMN0010:Linear(16)|}] public partial Linear Mlp { get; }
            }
            """);

        AssertMessage("Linear 'Mlp' expects [features], but its input is [8, 16] (add Flatten or GlobalAvgPool before it, or use Conv1d(Kernel = 1) for a layer applied to each position of a sequence)", diagnostics.Single());
    }

    [Fact]
    public void GMN0010_attention_on_pooled_features_is_reported_on_the_attribute() => AssertDiagnostics("""
        [Network(InputShape = [1, 28, 28])]
        public partial class Vit
        {
            [PatchEmbed(8, Patch = 7), GlobalAvgPool] public partial Conv2d Patches { get; }
            [{|GMN0010:SelfAttention(2)|}] public partial GmnGen.Modules.SelfAttention Attention { get; }
            [Linear(10)] public partial Linear Head { get; }
        }
        """);

    // ---- several problems, several files -----------------------------------------------------------------------

    [Fact]
    public void Every_invalid_member_is_reported_not_just_the_first() => AssertDiagnosticsSnapshot("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(3)] public Linear {|GMN0005:Fc1|} => null!;
            [Linear(3)] public partial Linear {|GMN0016:Fc2|} { get; set; }
            [Linear(3), LayerNorm] public partial Linear {|GMN0011:Fc3|} { get; }
            [Linear(3)] public partial {|GMN0007:LayerNorm|} Fc4 { get; }
        }
        """);

    [Fact]
    public void Diagnostic_for_a_layer_declared_in_another_part_of_the_class_points_into_that_file() => AssertDiagnostics(
        """
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(3)] public partial Linear Fc1 { get; }
        }
        """,
        """
        public partial class Net
        {
            [Linear(2, {|GMN0001:In = 4|})] public partial Linear Fc2 { get; }
        }
        """);

    [Fact]
    public void Two_invalid_networks_are_each_reported_and_the_valid_one_still_generates()
    {
        var marked = MarkedSource.Parse(Usings + """
            [Network(InputShape = [4])]
            public partial class Bad1 { [Linear({|GMN0004:0|})] public partial Linear Fc { get; } }

            [Network(InputShape = [4])]
            public partial class Good { [Linear(2)] public partial Linear Fc { get; } }

            [Network({|GMN0012:InputShape = [1, 1, 1, 1]|})]
            public partial class Bad2 { [Linear(2)] public partial Linear Fc { get; } }
            """);
        var run = GeneratorHarness.Run(marked.Text);

        AssertSameDiagnostics(Expected(("Test0.cs", marked)), run);
        Assert.Equal(new[] { "Bad1.Module.g.cs", "Bad2.Module.g.cs", "Good.Graph.g.cs", "Good.Module.g.cs", "Good.Symmetries.g.cs" }, run.Sources.Keys);
        Assert.Contains("only throw until they are fixed", run.Sources["Bad1.Module.g.cs"]);
    }

    // ---- robustness -----------------------------------------------------------------------------------------

    public static TheoryData<string, string[]> OddInputs => new()
    {
        { "[Network] on a struct", new[] { Usings + "[Network(InputShape = [4])] public partial struct S { [Linear(2)] public partial Linear Fc { get; } }" } },
        { "[Network] on a record", new[] { Usings + "[Network(InputShape = [4])] public partial record R { [Linear(2)] public partial Linear Fc { get; } }" } },
        { "[Linear] without its required argument", new[] { Usings + "[Network(InputShape = [4])] public partial class N { [Linear] public partial Linear Fc { get; } }" } },
        { "argument of the wrong type", new[] { Usings + "[Network(InputShape = [4])] public partial class N { [Linear(\"ten\", In = 2.5)] public partial Linear Fc { get; } }" } },
        { "InputShape = null", new[] { Usings + "[Network(InputShape = null)] public partial class N { [Linear(2)] public partial Linear Fc { get; } }" } },
        { "InputShape of the wrong type", new[] { Usings + "[Network(InputShape = \"4\")] public partial class N { [Linear(2)] public partial Linear Fc { get; } }" } },
        { "property of an unknown type", new[] { Usings + "[Network(InputShape = [4])] public partial class N { [Linear(2)] public partial Missing Fc { get; } }" } },
        { "layer attribute on an indexer", new[] { Usings + "[Network(InputShape = [4])] public partial class N { [Linear(2)] public partial Linear this[int i] { get; } }" } },
        { "huge sizes", new[] { Usings + "[Network(InputShape = [2147483647])] public partial class N { [Linear(2147483647)] public partial Linear A { get; } [Linear(2147483647)] public partial Linear B { get; } }" } },
        { "parameter count beyond int", new[] { Usings + "[Network(InputShape = [50000])] public partial class N { [Linear(50000)] public partial Linear A { get; } [Linear(50000)] public partial Linear B { get; } }" } },
        { "huge padding", new[] { Usings + "[Network(InputShape = [1, 28, 28])] public partial class N { [Conv2d(2, Padding = 2147483647)] public partial Conv2d A { get; } }" } },
        { "NaN and infinite rates", new[] { Usings + "[Network(InputShape = [4])] public partial class N { [Dropout(P = double.NaN), Linear(2)] public partial Linear A { get; } [LayerNorm(Eps = double.PositiveInfinity)] public partial LayerNorm B { get; } }" } },
        { "class spread over two files", new[]
            {
                Usings + "[Network(InputShape = [4])] public partial class N { [Linear(3)] public partial Linear A { get; } }",
                Usings + "public partial class N { [Linear(2)] public partial Linear B { get; } }",
            } },
        { "both parts of a class marked [Network]", new[]
            {
                Usings + "[Network(InputShape = [4])] public partial class N { [Linear(3)] public partial Linear A { get; } }",
                Usings + "[Network(InputShape = [4])] public partial class N { }",
            } },
        { "keyword identifiers", new[] { Usings + "namespace @class; [Network(InputShape = [4])] public partial class @event { [Linear(2)] public partial Linear @int { get; } }" } },
        { "unterminated declaration", new[] { Usings + "[Network(InputShape = [4])] public partial class N { [Linear(2)] public partial Linear Fc { get" } },
        { "network in a generic outer class", new[] { Usings + "public partial class O<T> { [Network(InputShape = [4])] public partial class N { [Linear(2)] public partial Linear Fc { get; } } }" } },
    };

    [Theory]
    [MemberData(nameof(OddInputs))]
    public void Generator_never_throws_nor_reports_an_internal_error(string description, string[] sources)
    {
        var run = GeneratorHarness.Run(GeneratorHarness.Files(sources));

        try
        {
            run.AssertGeneratorDidNotFail();
        }
        catch (XunitException e)
        {
            throw new XunitException($"Input '{description}': {e.Message}");
        }
    }

    public static TheoryData<string, string> CompilableDeclarations => new()
    {
        { "properties whose names differ only in the case of the first letter", "[Network(InputShape = [4])] public partial class N { [Linear(3)] public partial Linear Ab { get; } [Linear(2)] public partial Linear ab { get; } }" },
        { "a layer property named like a generated member", "[Network(InputShape = [4])] public partial class N { [Linear(2)] public partial Linear InputShape { get; } }" },
        { "a NaN leaky slope", "[Network(InputShape = [4])] public partial class N { [Linear(2), LeakyReLU(NegativeSlope = double.NaN)] public partial Linear A { get; } }" },
        { "an infinite LayerNorm eps", "[Network(InputShape = [4])] public partial class N { [Linear(2)] public partial Linear A { get; } [LayerNorm(Eps = double.PositiveInfinity)] public partial LayerNorm B { get; } }" },
        { "a file-local network class", "[Network(InputShape = [4])] file partial class N { [Linear(2)] public partial Linear A { get; } }" },
        { "a layer property the user implements", "[Network(InputShape = [4])] public partial class N { [Linear(2)] public partial Linear A { get; } public partial Linear A => null!; }" },
        { "keyword identifiers", "namespace @class; [Network(InputShape = [4])] public partial class @event { [Linear(2)] public partial Linear @int { get; } }" },
    };

    /// <summary>
    /// For declarations that are valid C#, the generator either reports why it cannot build the network
    /// or writes code that compiles: it must never leave the user with errors inside generated files.
    /// </summary>
    [Theory]
    [MemberData(nameof(CompilableDeclarations))]
    public void Generated_code_compiles_unless_a_diagnostic_explains_why(string description, string source)
    {
        var run = GeneratorHarness.Run(Usings + source);
        run.AssertGeneratorDidNotFail();

        var reported = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("GMN", StringComparison.Ordinal)).ToList();
        var errors = run.ErrorsInGeneratedFiles;
        Assert.True(reported.Count > 0 || errors.Count == 0,
            $"Input '{description}': no GMN diagnostic, yet the generated files do not compile:\n" +
            string.Join("\n", errors.Take(10).Select(DiagnosticText.Describe)));
    }

    [Fact]
    public void Flattened_size_beyond_int_range_is_reported_instead_of_wrapping_around()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Network(InputShape = [65536, 65536])]
            public partial class Net
            {
                [Flatten, Linear(2)] public partial Linear Fc { get; }
            }
            """);
        run.AssertGeneratorDidNotFail();

        Assert.True(run.GeneratorDiagnostics.Any(d => d.Id.StartsWith("GMN", StringComparison.Ordinal)),
            "65536 × 65536 = 2^32 input features overflow int, but no diagnostic was reported; generated:\n" +
            string.Join("\n", run.Sources.Values.SelectMany(t => t.Split('\n')).Where(l => l.Contains("nn.Linear(", StringComparison.Ordinal))));
    }

    [Fact]
    public void Every_reported_diagnostic_is_an_error_from_the_catalogue_with_its_help_link()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Network(InputShape = [4])]
            public partial class Net { [Linear(3, In = 5)] public partial Linear Fc { get; } }
            """);

        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        var descriptor = Diagnostics.ById(diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Same(descriptor, diagnostic.Descriptor);
        Assert.Equal($"docs/diagnostics/{diagnostic.Id}.md", diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public void Snapshots_folder_holds_no_snapshot_that_no_test_produces()
    {
        var stale = Snapshot.StaleSnapshots(SnapshotsDirectory(), SnapshotNames);

        Assert.True(stale.Count == 0,
            "Verified snapshots that no test produces (delete them, or add their test to SnapshotNames):\n" + string.Join("\n", stale));
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /// <summary>
    /// Runs the generator on the marked sources (Usings prepended; Test0.cs, Test1.cs, ...) and asserts it
    /// reports exactly the marked diagnostics, by id, file and span, and generates nothing.
    /// </summary>
    private static IReadOnlyList<Diagnostic> AssertDiagnostics(params string[] markedSources)
    {
        var files = markedSources.Select((s, i) => ($"Test{i}.cs", MarkedSource.Parse(Usings + s))).ToArray();
        var run = GeneratorHarness.Run(files.Select(f => new SourceFile(f.Item1, f.Item2.Text)));

        AssertSameDiagnostics(Expected(files), run);
        var notStubs = run.Sources.Where(s => !s.Value.Contains("only throw until they are fixed")).Select(s => s.Key).ToList();
        Assert.True(notStubs.Count == 0, "An invalid network must generate at most its stub, but got: " + string.Join(", ", notStubs));
        return run.GeneratorDiagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToList();
    }

    private static List<(ExpectedDiagnostic Diagnostic, SourceText Text)> Expected(params (string Path, MarkedSource Source)[] files) =>
        files.SelectMany(f => f.Source.Markers.Select(m =>
                (new ExpectedDiagnostic(m.Id, f.Path, m.Span), SourceText.From(f.Source.Text))))
            .ToList();

    private static void AssertSameDiagnostics(List<(ExpectedDiagnostic Diagnostic, SourceText Text)> expected, GeneratorRun run)
    {
        run.AssertGeneratorDidNotFail();
        // The build's complete list: GmnGen's diagnostics and the compiler's errors (a marker such as
        // {|CS0751:...|} expects one of those on the user's code; none may be in generated code).
        var actual = run.GeneratorDiagnostics.AddRange(run.OutputErrors);
        var expectedKeys = expected.Select(e => Key(e.Diagnostic.Id, e.Diagnostic.Path, e.Diagnostic.Span)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var actualKeys = actual.Select(d => Key(d.Id, d.Location.GetLineSpan().Path, d.Location.SourceSpan)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (expectedKeys.SequenceEqual(actualKeys)) return;

        throw new XunitException(
            "The generator's diagnostics differ from the marked ones.\n" +
            "expected:\n" + (expected.Count == 0 ? "  (none)\n" : string.Concat(expected.Select(e =>
                $"  {DiagnosticText.Where(e.Diagnostic.Path, e.Text, e.Diagnostic.Span)}: {e.Diagnostic.Id} on '{e.Text.ToString(e.Diagnostic.Span)}'\n"))) +
            "actual:\n" + (actual.Length == 0 ? "  (none)\n" : string.Concat(actual.Select(d =>
                $"  {DiagnosticText.Describe(d)} on '{SpanText(run, d)}'\n"))));
    }

    private static string Key(string id, string path, TextSpan span) => $"{path}|{span.Start:D6}|{span.End:D6}|{id}";

    private static string SpanText(GeneratorRun run, Diagnostic d)
    {
        var tree = run.Input.SyntaxTrees.FirstOrDefault(t => t.FilePath == d.Location.GetLineSpan().Path);
        var span = d.Location.SourceSpan;
        if (tree is null) return "?";
        var text = tree.GetText();
        return span.End <= text.Length ? text.ToString(span) : "?";
    }

    private static void AssertMessage(string expected, Diagnostic diagnostic) =>
        Assert.Equal(expected, diagnostic.GetMessage(CultureInfo.InvariantCulture));

    /// <summary>Asserts the marked diagnostics, then snapshots them as message + source line + carets.</summary>
    private static void AssertDiagnosticsSnapshot(string markedSource, [CallerMemberName] string method = "")
    {
        string name = $"{nameof(DiagnosticTests)}.{method}";
        Assert.Contains(name, SnapshotNames);
        var diagnostics = AssertDiagnostics(markedSource);
        var sources = new Dictionary<string, string> { ["Test0.cs"] = MarkedSource.Parse(Usings + markedSource).Text };
        Snapshot.Match(string.Concat(diagnostics.Select(d => DiagnosticText.Render(d, sources))), name, "txt");
    }

    private static string SnapshotsDirectory([CallerFilePath] string file = "") =>
        Path.Combine(Path.GetDirectoryName(file)!, "Snapshots");
}
