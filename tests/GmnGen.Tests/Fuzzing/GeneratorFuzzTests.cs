using System;
using System.Linq;
using GmnGen.Tests.Support;
using Xunit.Abstractions;

namespace GmnGen.Tests.Fuzzing;

/// <summary>
/// Property-based test of the generator's contract on mutated definitions (see
/// <see cref="GeneratorFuzzer"/>): 2,000 cases from a fixed seed in the suite, so CI is reproducible;
/// scripts/fuzz-generator.sh runs more cases from fresh seeds (GMNGEN_FUZZ_CASES, GMNGEN_FUZZ_SEED)
/// and prints the counts. A failure names its case and shows the definition.
/// </summary>
public sealed class GeneratorFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Mutated_definitions_end_in_a_valid_network_or_in_diagnostics_on_the_users_code()
    {
        int cases = int.TryParse(Environment.GetEnvironmentVariable("GMNGEN_FUZZ_CASES"), out var n) ? n : 2000;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("GMNGEN_FUZZ_SEED"), out var s) ? s : 7;
        var seeds = GeneratorFuzzer.Seeds(randomCount: 40, seed);
        var fuzzer = new GeneratorFuzzer();
        var random = new Random(seed);
        for (int i = 0; i < cases; i++)
            fuzzer.Check(i, DefinitionMutator.Mutate(seeds[random.Next(seeds.Count)], random));
        fuzzer.RunValidForwards();

        var counts = string.Join(", ", fuzzer.Counts.Select(c => $"{c.Key} {c.Value}"));
        output.WriteLine($"generator fuzz (seed {seed}): {cases} cases: {counts}; forward run on {fuzzer.ForwardRuns} valid networks");
        // The mutations must reach every outcome, or the test would prove little.
        Assert.All(fuzzer.Counts.Values, count => Assert.True(count > 0, counts));
        Assert.True(fuzzer.ForwardRuns > 0);
    }
}
