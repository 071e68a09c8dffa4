namespace GmnGen.Tests.Modules;

public sealed class GroupNormInitTests
{
    [Fact]
    public void Generated_group_norms_start_at_weight_one_and_bias_zero_as_in_pytorch()
    {
        for (int i = 0; i < 20; i++)
        {
            using var net = new GmnGen.Tests.Networks.GroupNormResNet();
            foreach (var norm in new[] { net.StemNorm, net.Norm1, net.Norm2 })
            {
                Assert.True(norm.weight!.eq(1).all().item<bool>(), "weight");
                Assert.True(norm.bias!.eq(0).all().item<bool>(), "bias");
            }
        }
    }
}
