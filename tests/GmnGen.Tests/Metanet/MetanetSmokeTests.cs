using System;
using System.Linq;
using GmnGen.Batching;
using GmnGen.Metanet;
using GmnGen.Tests.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace GmnGen.Tests.Metanet;

public class MetanetSmokeTests
{
    [Fact]
    public void Default_metanet_has_the_official_width_about_600k_parameters_and_predicts_one_value_per_graph()
    {
        manual_seed(0);
        var metanet = new GraphMetanet(new GmnConfig());
        Assert.Equal(128, metanet.Config.Hidden);
        Assert.True(metanet.ParameterCount is > 550_000 and < 650_000, $"{metanet.ParameterCount} parameters");
        var names = metanet.named_buffers().Select(b => b.name).ToArray();
        Assert.Contains("value_mean", names);
        var graphs = new IGraphNetwork[] { new ZooCnn(), new TinyMlp(), new BatchNormCnn() }.Select(n => n.ToParameterGraph()).ToList();
        metanet.FitValueNormalization(graphs);
        using var batch = GraphBatch.Collate(graphs);
        var output = metanet.forward(batch);
        Assert.Equal(new long[] { 3, 1 }, output.shape);
    }

    [Fact]
    public void A_metanet_whose_value_normalisation_was_never_fitted_says_so_at_its_first_forward()
    {
        using var metanet = new GraphMetanet(MetanetTesting.Small);
        using var net = new ZooCnn();
        using var graph = net.ToParameterGraph();
        using var batch = GraphBatch.Collate([graph]);
        var thrown = Assert.Throws<InvalidOperationException>(() => metanet.forward(batch));
        Assert.Contains("never fitted", thrown.Message);
        Assert.Contains(nameof(GraphMetanet.FitValueNormalization), thrown.Message);

        metanet.FitValueNormalization([graph]);
        using var _ = no_grad();
        Assert.Equal(new long[] { 1, 1 }, metanet.forward(batch).shape);
    }
}
