using System;
using System.Collections.Generic;
using GmnGen.Tests.Networks;

namespace GmnGen.Tests.Support;

/// <summary>Every network declared in the test project, by name, for theory data.</summary>
public static class Catalogue
{
    public static readonly IReadOnlyDictionary<string, Func<IGraphNetwork>> Networks = new Dictionary<string, Func<IGraphNetwork>>
    {
        [nameof(ZooCnn)] = () => new ZooCnn(),
        [nameof(TinyMlp)] = () => new TinyMlp(),
        [nameof(BatchNormCnn)] = () => new BatchNormCnn(),
        [nameof(ImageMlp)] = () => new ImageMlp(),
        [nameof(RowCnn)] = () => new RowCnn(),
        [nameof(NormCnn)] = () => new NormCnn(),
        [nameof(NormRowCnn)] = () => new NormRowCnn(),
        [nameof(ResNet)] = () => new ResNet(),
        [nameof(ResidualMlp)] = () => new ResidualMlp(),
        [nameof(DeepSetsNet)] = () => new DeepSetsNet(),
        [nameof(TinyVit)] = () => new TinyVit(),
        [nameof(GroupNormResNet)] = () => new GroupNormResNet(),
        [nameof(PoolCnn)] = () => new PoolCnn(),
        [nameof(ResNet18)] = () => new ResNet18(),
        [nameof(BottleneckResNet)] = () => new BottleneckResNet(),
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Networks.Keys) data.Add(name);
        return data;
    }
}
