using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using GmnGen.Generators.Tests.Infrastructure;

namespace GmnGen.Generators.Tests.DiagnosticTests;

/// <summary>
/// Mistakes in the declaration around the layers (constructors, forward, static classes, records,
/// base classes, clashing names, unresolved names): each build lists exactly the marked diagnostics,
/// so no compiler error appears inside generated code and no CS9248 on properties a stub implements.
/// </summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public void An_invalid_network_gets_a_stub_so_its_properties_get_no_CS9248()
    {
        AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3, {|GMN0001:In = 5|})] public partial Linear Fc { get; }
                [Linear(2)] public partial Linear Head { get; }
            }
            """);
    }

    [Fact]
    public void The_stub_of_an_invalid_network_throws_naming_its_diagnostics()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3, In = 5)] public partial Linear Fc { get; }
            }
            """);
        Assert.Empty(run.OutputErrors);
        using var stream = new MemoryStream();
        Assert.True(run.Output.Emit(stream).Success);
        var context = new AssemblyLoadContext("stub", isCollectible: true);
        try
        {
            var type = context.LoadFromStream(new MemoryStream(stream.ToArray())).GetType("Net")!;
            Assert.Equal("TorchSharp.torch+nn+Module`2", type.BaseType!.GetGenericTypeDefinition().FullName);
            // The getter runs without the constructor (which would reach native code first).
            var instance = RuntimeHelpers.GetUninitializedObject(type);
            var thrown = Assert.Throws<TargetInvocationException>(() => type.GetProperty("Fc")!.GetValue(instance));
            var inner = Assert.IsType<InvalidOperationException>(thrown.InnerException);
            Assert.Contains("GMN0001", inner.Message);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void GMN0018_a_user_written_parameterless_constructor_is_reported_on_it() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            public {|GMN0018:Net|}() { }
            [Linear(3)] public partial Linear Fc { get; }
        }
        """);

    [Fact]
    public void GMN0018_a_constructor_with_parameters_must_chain_to_the_generated_one()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                private readonly int width;
                public {|GMN0018:Net|}(int width) { this.width = width; }
                [Linear(3)] public partial Linear Fc { get; }
            }
            """);
        AssertMessage("Constructor 'Net(int)' clashes with the generated parameterless constructor, which it must call to create the layers (Module has no parameterless constructor of its own); chain it with ': this()'", diagnostics.Single());

        GeneratorHarness.Run(Usings + """
            [Network(InputShape = [4])]
            public partial class Net
            {
                private readonly int width;
                public Net(int width) : this() { this.width = width; }
                [Linear(3)] public partial Linear Fc { get; }
            }
            """).AssertCleanAndCompiles();
    }

    [Fact]
    public void GMN0018_a_user_written_forward_is_reported_on_it_and_nothing_else() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            public override TorchSharp.torch.Tensor {|GMN0018:forward|}(TorchSharp.torch.Tensor x) => x;
            [Linear(3)] public partial Linear Fc { get; }
        }
        """);

    [Fact]
    public void GMN0018_a_layer_property_named_like_an_inherited_Module_member_is_reported() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(3)] public partial Linear {|GMN0018:training|} { get; }
        }
        """);

    [Fact]
    public void GMN0018_fields_named_like_generated_members_are_reported()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public partial class Net
            {
                private int {|GMN0018:__Fc|};
                public static int[] {|GMN0018:InputShape|} = new int[0];
                [Linear(3)] public partial Linear Fc { get; }
            }
            """);
        AssertMessage("Field '__Fc' clashes with the field GmnGen generates to hold layer 'Fc'; rename it (names starting with '__' are reserved to generators)", diagnostics[0]);
    }

    [Fact]
    public void GMN0014_a_static_network_class_is_reported_on_its_name()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [4])]
            public static partial class {|GMN0014:Net|}
            {
                [Linear(3)] public static partial Linear Fc { get; } // GMN0016 once the class is fixed; the stub implements it meanwhile
            }
            """);
        Assert.StartsWith("Network 'Net' is static;", diagnostics[0].GetMessage());
    }

    [Fact]
    public void GMN0014_a_record_is_reported_on_its_name() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial record {|GMN0014:Net|}
        {
            [Linear(3)] public partial Linear Fc { get; }
        }
        """);

    [Fact]
    public void GMN0014_a_base_class_of_its_own_is_reported_on_the_base()
    {
        var diagnostics = AssertDiagnostics("""
            public class Base { }

            [Network(InputShape = [4])]
            public partial class Net : {|GMN0014:Base|}
            {
                [Linear(3)] public partial Linear Fc { get; }
            }
            """);
        Assert.StartsWith("Network 'Net' is derived from 'Base';", diagnostics.Single().GetMessage());
    }

    [Fact]
    public void Declaring_the_Module_base_the_generated_part_has_is_allowed() =>
        GeneratorHarness.Run(Usings + """
            [Network(InputShape = [4])]
            public partial class Net : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
            {
                [Linear(3)] public partial Linear Fc { get; }
            }
            """).AssertCleanAndCompiles();

    [Fact]
    public void A_new_layer_property_keeps_its_new_modifier_in_the_generated_part()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3)] public new partial Linear Fc { get; } // hides nothing here: warning CS0109 only
            }
            """);
        run.AssertCleanAndCompiles();
        Assert.Contains("public new partial global::TorchSharp.Modules.Linear Fc", run.Sources["Net.Module.g.cs"]);
    }

    [Fact]
    public void GMN0025_a_layer_type_without_its_using_gets_a_hint_beside_the_compilers_error()
    {
        var marked = MarkedSource.Parse("""
            using GmnGen;

            [Network(InputShape = [4])]
            public partial class Net
            {
                [Linear(3)] public partial {|GMN0025:{|CS0246:Linear|}|} {|CS9248:Fc|} { get; }
            }
            """);
        var run = GeneratorHarness.Run(marked.Text);
        AssertSameDiagnostics(Expected(("Test0.cs", marked)), run);
        AssertMessage("Type 'Linear' on 'Fc' does not resolve; add 'using TorchSharp.Modules;' for TorchSharp.Modules.Linear", run.GeneratorDiagnostics.Single());
    }

    [Fact]
    public void GMN0025_a_misspelt_attribute_suggests_the_known_one_and_nothing_else_is_reported()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 8, 8])]
            public partial class Net
            {
                [{|GMN0025:{|CS0246:{|CS0246:Conv2D|}|}|}(3)] public partial Conv2d Conv { get; }
                [GlobalAvgPool, Linear(2)] public partial Linear Fc { get; }
            }
            """);
        AssertMessage("Attribute 'Conv2D' on 'Conv' does not resolve; did you mean [Conv2d]?", diagnostics.Single());
    }

    [Fact]
    public void PatchEmbed_without_Patch_uses_the_documented_default_of_4()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Network(InputShape = [3, 16, 16])]
            public partial class Net
            {
                [PatchEmbed(8)] public partial Conv2d Patches1 { get; }
                [GlobalAvgPool, Linear(2)] public partial Linear Fc { get; }
            }
            """);
        run.AssertCleanAndCompiles();
        Assert.Contains("Conv2d(3, 8, 4, 4, 0, 1", run.Sources["Net.Module.g.cs"]);
    }

    [Fact]
    public void GMN0017_a_convolution_whose_weight_count_overflows_long_is_still_too_large()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [23, 8, 8])]
            public partial class Net
            {
                [{|GMN0017:Conv2d(4, In = 23, Kernel = int.MaxValue, Padding = int.MaxValue / 2)|}] public partial Conv2d Conv { get; }
                [GlobalAvgPool, Linear(2)] public partial Linear Fc { get; }
            }
            """);
        AssertMessage("'Conv' (Conv2d) would have more than 9,223,372,036,854,775,807 weights, more than GmnGen supports (2,147,483,647)", diagnostics.Single());
    }

    [Fact]
    public void GMN0020_divisors_of_a_huge_prime_channel_count_are_listed() // counted to the square root, not to the count
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [2147483647, 1])]
            public partial class Net
            {
                [GroupNorm({|GMN0020:3|})] public partial GroupNorm Norm { get; }
                [GlobalAvgPool, Linear(2)] public partial Linear Fc { get; }
            }
            """);
        Assert.EndsWith("use a divisor of 2147483647: 1, 2147483647", diagnostics.Single().GetMessage());
    }

    // ---- found by the generator fuzz test (tests/GmnGen.Tests/Fuzzing) ---------------------------------------

    [Fact]
    public void A_duplicated_layer_property_is_left_to_the_compiler_and_gets_no_second_implementation() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(3)] public partial Linear {|CS9248:Fc|} { get; }
            [Linear(3)] public partial Linear {|CS9250:{|CS0102:Fc|}|} { get; }
        }
        """);

    [Fact]
    public void GMN0016_a_layer_property_without_accessors_is_reported_and_gets_no_getter() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(3)] public partial Linear {|GMN0016:{|CS9248:{|CS0548:Fc|}|}|} { }
        }
        """);

    [Fact]
    public void A_class_that_does_not_parse_is_left_to_the_compiler()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Network(InputShape = [1, 12, 12])]
            public partial class Net
            {
                [Conv2d(6, Padding = 1), Tanh, MaxPool2d(2)] pubic partial Conv2d Conv1 { get; }
                [Flatten, Linear(10)] public partial Linear Head { get; }
            }
            """);
        run.AssertGeneratorDidNotFail();
        Assert.Empty(run.GeneratorDiagnostics); // judging a declaration recovered from broken syntax would mislead
        Assert.Empty(run.Sources);
        Assert.Contains(run.OutputErrors, e => e.Id == "CS1525");
    }

    [Fact]
    public void GMN0017_an_intermediate_map_past_int_range_is_reported_on_its_layer()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 12, 12])]
            public partial class Net
            {
                [{|GMN0017:Conv2d(6, Padding = 65536)|}] public partial Conv2d Conv1 { get; }
                [GlobalAvgPool, Linear(10)] public partial Linear Head { get; }
            }
            """);
        AssertMessage("'Conv1' (Conv2d) would have 103,094,944,344 values per sample, more than GmnGen supports (2,147,483,647)", diagnostics.Single());
    }

    [Fact]
    public void GMN0017_graph_edges_past_int_range_are_reported_where_a_norm_pushes_them_over()
    {
        var diagnostics = AssertDiagnostics("""
            [Network(InputShape = [1, 14])]
            public partial class Net
            {
                [BatchNorm1d, Tanh, MaxPool1d(2)] public partial BatchNorm1d Bn0 { get; }
                [GlobalAvgPool, {|GMN0017:Linear(int.MaxValue / 2)|}] public partial Linear Head { get; }
            }
            """);
        AssertMessage("'Net' (network) would have 2,147,483,650 graph edges in all, more than GmnGen supports (2,147,483,647)", diagnostics.Single());
    }

    [Fact]
    public void GMN0010_channel_dropout_needs_a_map_of_its_rank() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [Linear(3), {|GMN0010:Dropout2d|}] public partial Linear Fc { get; }
        }
        """);

    [Fact]
    public void GMN0004_channel_dropout_probability_must_be_below_one() => AssertDiagnostics("""
        [Network(InputShape = [2, 8])]
        public partial class Net
        {
            [Conv1d(3), Dropout1d({|GMN0004:P = 1|})] public partial Conv1d Conv { get; }
        }
        """);

    [Fact]
    public void GMN0010_a_class_token_and_its_readout_need_a_sequence() => AssertDiagnostics("""
        [Network(InputShape = [4])]
        public partial class Net
        {
            [{|GMN0010:ClassToken|}] public partial GmnGen.Modules.ClassToken Cls { get; }
            [Linear(2)] public partial Linear Head { get; }
        }
        """, """
        [Network(InputShape = [4])]
        public partial class Other
        {
            [Linear(3), {|GMN0010:FirstToken|}] public partial Linear Fc { get; }
        }
        """);
}
