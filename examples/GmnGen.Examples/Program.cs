using System.CommandLine;
using GmnGen.Data;
using GmnGen.Examples;

var steps = new Option<int>("--steps") { Description = "Training steps per network (batches of 128).", DefaultValueFactory = _ => 600 };
var seed = new Option<long>("--seed") { Description = "Seed for initialisation, shuffling and the random automorphism.", DefaultValueFactory = _ => 0 };
var threads = new Option<int?>("--threads") { Description = "torch intra-op threads (default: torch's choice, one per core)." };
var root = new RootCommand("GmnGen example: declare networks with attributes, train them on Fashion-MNIST, graph and permute them.")
{
    steps, seed, threads,
};
root.SetAction(parse =>
{
    if (parse.GetValue(threads) is int n) TorchSharp.torch.set_num_threads(n);
    using var data = FashionMnist.Load();
    var runner = new ExampleRunner(data, parse.GetValue(steps), parse.GetValue(seed));
    runner.Run(() => new ZooCnn(), ZooCnn.InputShape);
    runner.Run(() => new FashionMlp(), FashionMlp.InputShape);
    runner.Run(() => new BatchNormCnn(), BatchNormCnn.InputShape);
    runner.Run(() => new SmallResNet(), SmallResNet.InputShape);
    runner.Run(() => new TinyVit(), TinyVit.InputShape);
    runner.Run(() => new ColumnDeepSets(), ColumnDeepSets.InputShape);
    return 0;
});
return root.Parse(args).Invoke();
