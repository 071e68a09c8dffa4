using System.CommandLine;
using GmnGen.Data;
using GmnGen.Examples;

var steps = new Option<int>("--steps") { Description = "Training steps per network (batches of 128).", DefaultValueFactory = _ => 600 };
var seed = new Option<long>("--seed") { Description = "Seed for initialisation, shuffling and the random automorphism.", DefaultValueFactory = _ => 0 };
var root = new RootCommand("GmnGen example: declare networks with attributes, train them on Fashion-MNIST, graph and permute them.")
{
    steps, seed,
};
root.SetAction(parse =>
{
    using var data = FashionMnist.Load();
    var runner = new ExampleRunner(data, parse.GetValue(steps), parse.GetValue(seed));
    runner.Run(() => new ZooCnn());
    runner.Run(() => new FashionMlp());
    runner.Run(() => new BatchNormCnn());
    return 0;
});
return root.Parse(args).Invoke();
