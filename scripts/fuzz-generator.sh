#!/usr/bin/env bash
# Runs the generator fuzz test (tests/GmnGen.Tests/Fuzzing) on more mutated definitions than the
# suite's 2,000 and prints the counts: how many ended valid (their forward was then run on zeros),
# in GMN diagnostics, or in the user's own compiler errors. Any broken contract (a generator
# exception, an error inside generated code, a compiler error the generator caused, a forward whose
# shape differs from OutputShape) fails the run and shows the definition.
# usage: scripts/fuzz-generator.sh [cases per seed, default 10000] [seeds, default "11"]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-10000}
seeds=${2:-11}
dotnet build tests/GmnGen.Tests -c Release -v quiet -nologo > /dev/null
status=0
for seed in $seeds; do
  GMNGEN_FUZZ_CASES=$cases GMNGEN_FUZZ_SEED=$seed dotnet test tests/GmnGen.Tests -c Release --no-build \
    --filter "FullyQualifiedName~GeneratorFuzzTests" --logger "console;verbosity=detailed" 2>&1 \
    | grep -E "generator fuzz|fuzz case|failed at run time|Error Message|^\[Network|^public|^    \[|^\}" || status=1
done
exit $status
